/**
 * @fileoverview What the generated benches (testbench.ts, testbench-axis.ts, testbench-aer.ts, testbench-scores.ts)
 * share: the clock period, the reset length, the file-name width and the few statement forms they are written in.
 */
import { call, lnot, let_, num, str, type Expr, type Stmt } from './netlist.ts';

export const CLOCK_HALF_PERIOD = 5;
export const RESET_CYCLES = 8;
/** Characters of a +in= / +out= file name. */
export const NAME_CHARS = 512;

export const negedge = (clk: Expr): Stmt => ({ kind: 'wait-edge', edge: 'negedge', signal: clk });
export const loop = (variable: string, below: Expr, body: Stmt[]): Stmt => ({ kind: 'for', variable, from: num(0), below, body });
export const whileLoop = (test: Expr, body: Stmt[]): Stmt => ({ kind: 'while', test, body });
/** `$value$plusargs(format, target)`, e.g. format 'in=%s'. */
export const plusarg = (format: string, target: Expr): Expr => call('$value$plusargs', str(format), target);
/** `initial forever begin #5; clk = !clk; end` */
export const clockGenerator = (clk: Expr): Stmt[] => [{ kind: 'forever', body: [{ kind: 'delay', amount: CLOCK_HALF_PERIOD }, let_(clk, lnot(clk))] }];
