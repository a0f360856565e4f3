/**
 * @fileoverview The board folder of `snnc compile --board NAME`: the whole design's RTL and memory images, the UART
 * layer and the board top (rtl/), the pin constraints, a vendor script, a README, the Verilator harness (sim/) and
 * board.json, what the host (`snnc board run`) and the simulation runner read back.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnncError } from '../../../base/errors.ts';
import { programSha256 } from '../../../ir/fingerprint.ts';
import type { Program } from '../../../ir/program.ts';
import type { EmittedFile } from '../../target.ts';
import { checkProgram } from '../check.ts';
import { emitDesign } from '../emit.ts';
import type { Module } from '../netlist.ts';
import { planDesign } from '../plan.ts';
import { printModule } from '../print-verilog.ts';
import { planBoard, type BoardPlan } from './board-plan.ts';
import { boardClocking, boardTopModule, findBoard, type BoardClocking } from './boards.ts';
import { frameRxModule } from './frame-rx.ts';
import { frameTxModule } from './frame-tx.ts';
import { boardHarness } from './sim-harness.ts';
import { uartTopModule } from './top-uart.ts';
import { uartRxModule, uartTxModule } from './uart.ts';
import { boardReadme, vivadoTcl, xdcText } from './vendor-files.ts';

export const BOARD_HARNESS = 'sim/board_sim.cpp';

/** board.json: what the host and the simulation runner need. */
export interface BoardInfoFile extends BoardPlan, BoardClocking {
  readonly format: 'snnc-board';
  readonly version: 1;
  readonly board: string;
  readonly top: string;
  readonly clockHz: number;
  readonly program: string;
  /** The first 8 hex digits of the program's sha256: what the board's INFO reply carries. */
  readonly fingerprint: string;
  readonly rtl: readonly string[];
  readonly lanes: number;
  readonly pixels: number;
  readonly pixelBits: number;
  readonly timesteps: number;
  readonly aer?: { readonly addrBits: number; readonly countBits: number };
}

export function emitBoard(program: Program, boardName: string, lanes: number, baud?: number): EmittedFile[] {
  const board = findBoard(boardName);
  const clocking = boardClocking(board, baud);
  checkProgram(program);
  const plan = planDesign(program, lanes);
  const bp = planBoard(plan);
  const design = emitDesign(program, { lanes, traces: false }).filter((f) => f.path.startsWith('rtl/') || f.path.startsWith('mem/'));
  const modules: Module[] = [uartRxModule(), uartTxModule(), frameRxModule(bp), frameTxModule(bp), uartTopModule(bp), boardTopModule(board, clocking, bp.resultTimeoutCycles)];
  const rtl = [...design.filter((f) => f.path.startsWith('rtl/')).map((f) => f.path), ...modules.map((m) => `rtl/${m.name}.v`)];
  const info: BoardInfoFile = {
    format: 'snnc-board', version: 1, board: board.name, top: board.top, clockHz: board.clockHz, ...clocking, ...bp,
    program: program.name, fingerprint: programSha256(program).slice(0, 8), rtl, lanes,
    pixels: plan.pixels, pixelBits: plan.pixelBits, timesteps: program.timesteps,
    ...(plan.aer ? { aer: { addrBits: plan.aer.addrBits, countBits: plan.aer.countBits } } : {}),
  };
  return [
    ...design,
    ...modules.map((m) => ({ path: `rtl/${m.name}.v`, contents: printModule(m) })),
    { path: `${board.name}.xdc`, contents: xdcText(board) },
    { path: 'build.tcl', contents: vivadoTcl(board, rtl) },
    { path: 'README.md', contents: boardReadme(board, clocking, bp, program.name) },
    { path: BOARD_HARNESS, contents: boardHarness(board, clocking) },
    { path: 'board.json', contents: JSON.stringify(info, null, 2) + '\n' },
  ];
}

export function readBoardInfo(dir: string): BoardInfoFile {
  const file = join(dir, 'board.json');
  if (!existsSync(file)) throw new SnncError('io', `${dir}: no board.json (compile with --board NAME)`);
  let info: BoardInfoFile;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as BoardInfoFile;
  } catch {
    throw new SnncError('io', `${file}: not valid JSON`);
  }
  if (info?.format !== 'snnc-board' || info.version !== 1) throw new SnncError('io', `${file}: not a version 1 snnc board folder`);
  return info;
}
