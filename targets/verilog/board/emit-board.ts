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
import { boardClocking, boardTopModule, findBoard, type Board, type BoardClocking } from './boards.ts';
import { frameRxModule } from './frame-rx.ts';
import { frameTxModule } from './frame-tx.ts';
import { boardHarness } from './sim-harness.ts';
import { uartTopModule } from './top-uart.ts';
import { uartRxModule, uartTxModule } from './uart.ts';
import { boardReadme, vivadoTcl, xdcText } from './vendor-files.ts';
import { spramShape } from '../cores/spram.ts';
import { FLASH_OFFSET, flashImage } from './flash-image.ts';
import { flashLoaderModule } from './flash-loader.ts';
import { buildScript, ice40Readme, PCF_FILE, pcfText, productsOverDsps, synthScript } from './ice40-files.ts';
import { pllModel, spramModel } from './ice40-models.ts';
import { pllSetting, type PllSetting } from './ice40-pll.ts';
import { ice40TopModule } from './ice40-top.ts';

/** The iCE40 core clock when --clock-mhz is not given. */
export const ICE40_DEFAULT_MHZ = 27;

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
  /** Simulation models of vendor primitives, for the board harness only (ice40). */
  readonly simRtl?: readonly string[];
  readonly lanes: number;
  readonly laterLanes?: number;
  readonly pixels: number;
  readonly pixelBits: number;
  readonly timesteps: number;
  readonly aer?: { readonly addrBits: number; readonly countBits: number };
}

export interface BoardOptions {
  readonly baud?: number;
  /** Lanes of the layers after the first (default: `lanes`). */
  readonly laterLanes?: number;
  /** The core clock in MHz, made by the board's PLL (ice40 only). */
  readonly clockMhz?: number;
}

/** The board, its PLL setting (ice40) and UART divider for `options`; refuses what the board cannot do, in one line. */
export function checkBoardOptions(boardName: string, options: BoardOptions): { board: Board; pll?: PllSetting; clocking: BoardClocking } {
  const board = findBoard(boardName);
  const ice40 = board.family === 'ice40';
  if (options.clockMhz !== undefined && !ice40) throw new SnncError('usage', `--clock-mhz: ${board.name} runs at its own ${board.clockHz / 1e6} MHz clock (only an ice40 board has a PLL here)`);
  const pll = ice40 ? pllSetting(board.clockHz, (options.clockMhz ?? ICE40_DEFAULT_MHZ) * 1e6) : undefined;
  return { board, ...(pll ? { pll } : {}), clocking: boardClocking(board, options.baud, pll?.hz) };
}

export function emitBoard(program: Program, boardName: string, lanes: number, options: BoardOptions = {}): EmittedFile[] {
  const { board, pll, clocking } = checkBoardOptions(boardName, options);
  const ice40 = board.family === 'ice40';
  checkProgram(program);
  const extras = { ...(options.laterLanes !== undefined ? { laterLanes: options.laterLanes } : {}), loaded: ice40 };
  const plan = planDesign(program, lanes, extras);
  if (plan.load) spramShape(plan.load);
  const bp = planBoard(plan);
  const splitLaterProducts = ice40 && productsOverDsps(plan);
  const design = emitDesign(program, { lanes, traces: false, ...extras, splitLaterProducts }).filter((f) => f.path.startsWith('rtl/') || f.path.startsWith('mem/'));
  const top = pll && plan.load ? ice40TopModule(board, clocking, pll, plan.load, bp.resultTimeoutCycles) : boardTopModule(board, clocking, bp.resultTimeoutCycles);
  const modules: Module[] = [
    uartRxModule(), uartTxModule(), frameRxModule(bp), frameTxModule(bp), uartTopModule(bp),
    ...(plan.load ? [flashLoaderModule(plan.load, FLASH_OFFSET)] : []), top,
  ];
  const rtl = [...design.filter((f) => f.path.startsWith('rtl/')).map((f) => f.path), ...modules.map((m) => `rtl/${m.name}.v`)];
  const models = ice40 ? [spramModel(), pllModel()] : [];
  const simRtl = models.map((m) => `sim/${m.name}.v`);
  const clockHz = pll?.hz ?? board.clockHz;
  const info: BoardInfoFile = {
    format: 'snnc-board', version: 1, board: board.name, top: board.top, clockHz, ...clocking, ...bp,
    program: program.name, fingerprint: programSha256(program).slice(0, 8), rtl, lanes,
    ...(options.laterLanes !== undefined ? { laterLanes: options.laterLanes } : {}),
    ...(simRtl.length > 0 ? { simRtl } : {}),
    pixels: plan.pixels, pixelBits: plan.pixelBits, timesteps: program.timesteps,
    ...(plan.aer ? { aer: { addrBits: plan.aer.addrBits, countBits: plan.aer.countBits } } : {}),
  };
  const vendor: EmittedFile[] = pll && plan.load
    ? [
        { path: PCF_FILE(board), contents: pcfText(board) },
        { path: 'build.sh', contents: buildScript(board, rtl, pll) },
        { path: 'synth.ys', contents: synthScript(board, rtl, plan) },
        { path: 'flash.bin', contents: flashImage(plan) },
        { path: 'README.md', contents: ice40Readme(board, clocking, pll, bp, program.name) },
      ]
    : [
        { path: `${board.name}.xdc`, contents: xdcText(board) },
        { path: 'build.tcl', contents: vivadoTcl(board, rtl) },
        { path: 'README.md', contents: boardReadme(board, clocking, bp, program.name) },
      ];
  return [
    ...design,
    ...modules.map((m) => ({ path: `rtl/${m.name}.v`, contents: printModule(m) })),
    ...models.map((m, i) => ({ path: simRtl[i]!, contents: printModule(m) })),
    ...vendor,
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
