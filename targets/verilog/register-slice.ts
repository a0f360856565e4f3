/**
 * @fileoverview Register slices for a valid/ready stream. The two-entry one (`registerSlice`): the upstream ready is a
 * register (no spare beat held) and the downstream ready only moves the slice's registers, so neither side's handshake
 * logic reaches the other's. Beats keep their order and are never dropped; a beat waits at least one cycle in the
 * slice. The one-entry `registerStage` does the same at half the rate.
 */
import { type Expr, if_, land, lit, lnot, type ModuleBuilder, num, set, type Stmt } from './netlist.ts';

export interface SliceField {
  readonly name: string;
  readonly value: Expr;
  readonly bits: number;
  readonly signed?: boolean;
}

export interface SliceOutput {
  readonly valid: Expr;
  /** Driven by the caller (b.assign): the downstream side takes the beat when valid and ready. */
  readonly ready: Expr;
  readonly fields: Readonly<Record<string, Expr>>;
}

/** One register per field, named `prefix`_`field`. */
function fieldRegisters(b: ModuleBuilder, prefix: string, fields: readonly SliceField[]): Expr[] {
  return fields.map((f) => b.reg(`${prefix}_${f.name}`, f.bits === 1 ? undefined : num(f.bits), f.signed ?? false));
}

const output = (valid: Expr, ready: Expr, fields: readonly SliceField[], values: readonly Expr[]): SliceOutput =>
  ({ valid, ready, fields: Object.fromEntries(fields.map((f, i) => [f.name, values[i]!])) });

/** Registers `prefix`_hold_* and `prefix`_spare_*; assigns `upstream.ready`. */
export function registerSlice(b: ModuleBuilder, clk: Expr, rst: Expr, prefix: string, upstream: { valid: Expr; ready: Expr }, fields: readonly SliceField[]): SliceOutput {
  const entry = (name: string): { valid: Expr; values: Expr[] } => ({
    valid: b.reg(`${prefix}_${name}_valid`),
    values: fieldRegisters(b, `${prefix}_${name}`, fields),
  });
  const hold = entry('hold');
  const spare = entry('spare');
  const incoming = fields.map((f) => f.value);
  const ready = b.wire(`${prefix}_ready`);
  const copy = (to: readonly Expr[], from: readonly Expr[]): Stmt[] => to.map((r, i) => set(r, from[i]!));
  b.assign(upstream.ready, lnot(spare.valid));
  const takeIn = land(upstream.valid, lnot(spare.valid));
  b.always(clk, [
    if_(rst, [set(hold.valid, lit(0, 1)), set(spare.valid, lit(0, 1))], [
      if_(land(hold.valid, ready), [
        if_(spare.valid, [...copy(hold.values, spare.values), set(spare.valid, lit(0, 1))], [
          if_(takeIn, copy(hold.values, incoming), [set(hold.valid, lit(0, 1))]),
        ]),
      ], [
        if_(takeIn, [if_(hold.valid, [...copy(spare.values, incoming), set(spare.valid, lit(1, 1))], [...copy(hold.values, incoming), set(hold.valid, lit(1, 1))])]),
      ]),
    ]),
  ]);
  return output(hold.valid, ready, fields, hold.values);
}

/**
 * A one-entry register stage: upstream ready is "empty" (a register), downstream valid is "full" (a register), and each
 * side's handshake reaches the other only through that one flag. Half the throughput of the two-entry slice (a beat
 * at most every other cycle) at half its registers: for streams far slower than the clock, like a UART's.
 */
export function registerStage(b: ModuleBuilder, clk: Expr, rst: Expr, prefix: string, upstream: { valid: Expr; ready: Expr }, fields: readonly SliceField[]): SliceOutput {
  const full = b.reg(`${prefix}_full`);
  const values = fieldRegisters(b, prefix, fields);
  const ready = b.wire(`${prefix}_ready`);
  b.assign(upstream.ready, lnot(full));
  b.always(clk, [
    if_(rst, [set(full, lit(0, 1))], [
      if_(full, [if_(ready, [set(full, lit(0, 1))])], [
        if_(upstream.valid, [set(full, lit(1, 1)), ...values.map((r, i) => set(r, fields[i]!.value))]),
      ]),
    ]),
  ]);
  return output(full, ready, fields, values);
}
