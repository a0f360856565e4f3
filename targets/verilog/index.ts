/**
 * @fileoverview The verilog target plug-in: an event-driven, time-multiplexed Verilog-2005 design per program
 * (emit.ts), simulated with Verilator or Icarus (run.ts), refused where it cannot be exact (check.ts). Wiring only.
 */
import type { Target } from '../target.ts';
import { checkOptions, checkProgram, LIMITS } from './check.ts';
import { emitVerilog, reemitVerilog } from './emit.ts';
import { runVerilog } from './run.ts';
import { traceVerilog } from './trace.ts';

export const target: Target = {
  name: 'verilog',
  summary: 'Verilog-2005, event-driven and time-multiplexed (--lanes), with a test bench; simulated by Verilator or Icarus',
  limits: LIMITS,
  checkOptions,
  check: checkProgram,
  emit: emitVerilog,
  reemit: reemitVerilog,
  run: runVerilog,
  trace: traceVerilog,
};
