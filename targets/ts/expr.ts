/**
 * @fileoverview TypeScript expression builders for the IR primitives (docs/ir.md): each picks 32-bit integer operators
 * only when the plan's ranges prove the operands fit, and exact double arithmetic otherwise.
 */
import type { FoldedFactor } from './plan.ts';
import { fitsInt32, type ArrayKind, type Range } from './ranges.ts';

/** roundShift(a, s) = floor((a + 2^(s-1)) / 2^s) for a in `range`; the result is parenthesised (`>>` binds loosely). */
export function roundShiftExpr(a: string, shift: number, range: Range): string {
  if (shift === 0) return a;
  const half = 2 ** (shift - 1);
  if (shift <= 31 && fitsInt32({ min: range.min + half, max: range.max + half })) return `((${a} + ${half}) >> ${shift})`;
  return `Math.floor((${a} + ${half}) / ${2 ** shift})`;
}

/** scaleBy(v, f) for v in `range`, with the factor already folded; undefined when the product is always 0. */
export function scaleByExpr(v: string, f: FoldedFactor, range: Range): string | undefined {
  if (f.mul === 0) return undefined;
  const product = f.mul === 1 ? v : `${v} * ${f.mul}`;
  const productRange = { min: Math.min(range.min * f.mul, range.max * f.mul), max: Math.max(range.min * f.mul, range.max * f.mul) };
  return roundShiftExpr(product, f.shift, productRange);
}

/** Statements clamping variable `name` (holding values of `actual`) to `bounds`, only on the sides that can trigger. */
export function clampStatements(name: string, actual: Range, bounds: Range): string[] {
  const low = actual.min < bounds.min;
  const high = actual.max > bounds.max;
  if (low && high) return [`if (${name} < ${bounds.min}) ${name} = ${bounds.min};`, `else if (${name} > ${bounds.max}) ${name} = ${bounds.max};`];
  if (low) return [`if (${name} < ${bounds.min}) ${name} = ${bounds.min};`];
  if (high) return [`if (${name} > ${bounds.max}) ${name} = ${bounds.max};`];
  return [];
}

/** `acc + term`, truncated with `| 0` (cheap int32 arithmetic in V8) when the accumulator is an Int32Array. */
export function accumulate(accKind: ArrayKind, acc: string, term: string): string {
  return accKind === 'Int32Array' ? `(${acc} + ${term}) | 0` : `${acc} + ${term}`;
}

/** The items of an array literal, wrapped to lines of at most `width` characters (the caller indents them). */
export function wrapItems(values: readonly number[], width = 116): string[] {
  const lines: string[] = [];
  let line = '';
  for (const v of values) {
    const item = `${Object.is(v, -0) ? 0 : v},`;
    if (line.length > 0 && line.length + 1 + item.length > width) {
      lines.push(line);
      line = '';
    }
    line += (line.length > 0 ? ' ' : '') + item;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/** A single-quoted TypeScript string literal. */
export function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}
