/**
 * @fileoverview A two-entry register slice for a valid/ready stream: the upstream ready is a register (no spare beat
 * held) and the downstream ready only moves the slice's registers, so neither side's handshake logic reaches the
 * other's. Beats keep their order and are never dropped; a beat waits at least one cycle in the slice.
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

/** Registers `prefix`_hold_* and `prefix`_spare_*; assigns `upstream.ready`. */
export function registerSlice(b: ModuleBuilder, clk: Expr, rst: Expr, prefix: string, upstream: { valid: Expr; ready: Expr }, fields: readonly SliceField[]): SliceOutput {
  const entry = (name: string): { valid: Expr; fields: Record<string, Expr> } => ({
    valid: b.reg(`${prefix}_${name}_valid`),
    fields: Object.fromEntries(fields.map((f) => [f.name, b.reg(`${prefix}_${name}_${f.name}`, f.bits === 1 ? undefined : num(f.bits), f.signed ?? false)])),
  });
  const hold = entry('hold');
  const spare = entry('spare');
  const ready = b.wire(`${prefix}_ready`);
  const copy = (to: Record<string, Expr>, from: (name: string) => Expr): Stmt[] => fields.map((f) => set(to[f.name]!, from(f.name)));
  const incoming = (name: string): Expr => fields.find((f) => f.name === name)!.value;
  b.assign(upstream.ready, lnot(spare.valid));
  const takeIn = land(upstream.valid, lnot(spare.valid));
  b.always(clk, [
    if_(rst, [set(hold.valid, lit(0, 1)), set(spare.valid, lit(0, 1))], [
      if_(land(hold.valid, ready), [
        if_(spare.valid, [...copy(hold.fields, (n) => spare.fields[n]!), set(spare.valid, lit(0, 1))], [
          if_(takeIn, copy(hold.fields, incoming), [set(hold.valid, lit(0, 1))]),
        ]),
      ], [
        if_(takeIn, [if_(hold.valid, [...copy(spare.fields, incoming), set(spare.valid, lit(1, 1))], [...copy(hold.fields, incoming), set(hold.valid, lit(1, 1))])]),
      ]),
    ]),
  ]);
  return { valid: hold.valid, ready, fields: hold.fields };
}
