/**
 * @fileoverview A timeout as a down-counter: restarted at CYCLES - 2 and stepped down once a cycle, it turns negative
 * (its top bit, a register) on the CYCLES-th step. An up-counter compared with CYCLES - 1 put a 32-bit compare on
 * nextpnr's critical path; this one tests one bit, and is $clog2(CYCLES) + 1 bits wide instead of 32. The frame
 * timeouts and the UART's bit times use it.
 */
import { add, call, index, num, set, sub, type Expr, type ModuleBuilder, type Stmt } from '../netlist.ts';
import { sized } from '../cores/common.ts';

export interface Countdown {
  readonly counter: Expr;
  /** NAME_BITS */
  readonly bits: Expr;
  /** The CYCLES-th step since the last restart is under way (restart on it to count again). */
  readonly expired: Expr;
  readonly restart: Stmt;
  readonly step: Stmt;
}

/** `cycles` is a parameter of at least 1; the localparams are NAME_BITS and NAME_START (NAME = `name` upper-cased). */
export function countdown(b: ModuleBuilder, name: string, cycles: Expr): Countdown {
  const upper = name.toUpperCase();
  const bits = b.localparam(`${upper}_BITS`, add(call('$clog2', cycles), num(1)));
  const start = sized(b, `${upper}_START`, bits, cycles, 2);
  const counter = b.reg(name, bits);
  return { counter, bits, expired: index(counter, sub(bits, num(1))), restart: set(counter, start), step: set(counter, sub(counter, num(1))) };
}
