/** @fileoverview Helpers shared by the core builders: bit counts, constants for comparisons, unused-signal markers. */
import { add, cat, cond, eq, type Expr, gt, if_, index, land, le, lit, lor, lt, minus1, type ModuleBuilder, ne, num, range, reduceOr, repeat, set, shl, sshr, type Stmt, sub } from '../netlist.ts';

/** Bits to index `count` items (at least 1). */
export function indexBits(count: number): number {
  let bits = 1;
  while (2 ** bits < count) bits++;
  return bits;
}

/** Bits of an unsigned counter that must hold `max` (at least 1). */
export function countBits(max: number): number {
  return indexBits(max + 1);
}

/**
 * A `width`-bit localparam `param - minus`, for comparing against a counter: the linter rejects comparisons between a
 * narrow register and a 32-bit integer parameter. It takes the parameter's low bits first; the arithmetic is modulo
 * 2^width, exact because the result fits.
 */
export function sized(b: ModuleBuilder, name: string, width: Expr, param: Expr, minus = 0): Expr {
  const low = range(param, sub(width, num(1)), num(0));
  return b.localparam(name, minus === 0 ? low : sub(low, num(minus)), width);
}

/**
 * Marks signals that a parameterisation leaves unread. Verilator exempts names matching `*unused*` from its
 * UNUSED warnings, so this documents the intent without silencing the linter anywhere else.
 */
export function markUnused(b: ModuleBuilder, name: string, ...signals: Expr[]): void {
  const wire = b.wire(`unused_${name}`);
  b.assign(wire, reduceOr(signals.length === 1 ? signals[0]! : cat(...signals)));
}

/**
 * A wire `value <= bound`, for a `width`-bit value and a bound given as a sized localparam. When the bound is the
 * largest `width`-bit value the test always passes, and the linter rejects a constant comparison, so the generate
 * branch then drives 1 instead.
 */
export function atMost(b: ModuleBuilder, name: string, value: Expr, width: Expr, bound: Expr): Expr {
  const out = b.wire(name);
  b.generateIf(`${name}_check`, eq(bound, sub(shl(num(1), width), num(1))), (g) => g.assign(out, lit(1, 1)), (g) => g.assign(out, le(value, bound)));
  return out;
}

/** round-half-up shift of a signed value held in `width` bits: (a + 2^(s-1)) >>> s. */
export function roundShift(b: ModuleBuilder, name: string, a: Expr, width: Expr, shift: Expr): Expr {
  const round = b.localparam(`${name}_ROUND`, cond(eq(shift, num(0)), num(0), shl(num(1), sub(shift, num(1)))), width, true);
  const out = b.wire(name, width, true);
  b.assign(out, sshr(add(a, round), shift));
  return out;
}

/**
 * A wire clamp(value, min, max) of a signed `width`-bit value, as `bits` bits (min and max fit `bits`). When `full` is 1
 * at elaboration ([min, max] is the whole signed `bits`-bit range), value is in range iff its bits width-1 .. bits-1 are
 * all equal, and out of range its sign picks min or max: the same result as the two compares, with no carry chain.
 */
export function clampSigned(b: ModuleBuilder, name: string, value: Expr, width: Expr, bits: Expr, bounds: { min: Expr; max: Expr; full: Expr }): Expr {
  const out = b.wire(name, bits, true);
  const low = (e: Expr): Expr => range(e, minus1(bits), num(0));
  b.generateIf(`${name}_by_sign`, eq(bounds.full, num(1)), (g) => {
    const top = range(value, minus1(width), minus1(bits));
    const inside = lor(eq(top, num(0)), eq(top, repeat(add(sub(width, bits), num(1)), lit(1, 1))));
    g.assign(out, cond(inside, low(value), cond(index(value, minus1(width)), low(bounds.min), low(bounds.max))));
  }, (g) => g.assign(out, cond(lt(value, bounds.min), low(bounds.min), cond(gt(value, bounds.max), low(bounds.max), low(value)))));
  return out;
}

export const ONE = num(1);
export const ZERO = num(0);

/** The registers of a CHW counter and the statements that drive them (see `chwCounter`). */
export interface ChwCounter {
  readonly ch: Expr;
  readonly row: Expr;
  readonly col: Expr;
  /** True at the last unit, (CHANNELS-1, HEIGHT-1, WIDTH-1). */
  readonly last: Expr;
  /** Back to (0, 0, 0). */
  readonly clear: readonly Stmt[];
  /** On to the next unit in CHW order (column fastest); not valid at `last`, where the caller clears. */
  readonly step: Stmt;
}

/**
 * {channel, row, column} registers walking a CHANNELS x HEIGHT x WIDTH volume in CHW order, with their LAST_* bounds,
 * for a module that has the CHANNELS, HEIGHT, WIDTH and CH/ROW/COL_BITS parameters.
 */
export function chwCounter(b: ModuleBuilder, dims: { channels: Expr; height: Expr; width: Expr; chBits: Expr; rowBits: Expr; colBits: Expr }): ChwCounter {
  const lastCh = sized(b, 'LAST_CH', dims.chBits, dims.channels, 1);
  const lastRow = sized(b, 'LAST_ROW', dims.rowBits, dims.height, 1);
  const lastCol = sized(b, 'LAST_COL', dims.colBits, dims.width, 1);
  const ch = b.reg('ch', dims.chBits);
  const row = b.reg('row', dims.rowBits);
  const col = b.reg('col', dims.colBits);
  return {
    ch, row, col,
    last: land(land(eq(ch, lastCh), eq(row, lastRow)), eq(col, lastCol)),
    clear: [set(ch, num(0)), set(row, num(0)), set(col, num(0))],
    step: if_(ne(col, lastCol), [set(col, add(col, num(1)))], [
      set(col, num(0)),
      if_(ne(row, lastRow), [set(row, add(row, num(1)))], [set(row, num(0)), set(ch, add(ch, num(1)))]),
    ]),
  };
}
