/**
 * @fileoverview Multiply-accumulate lanes. `laneProduct`, one lane's w * x, is shared by the synapse core (which
 * registers the product and keeps its accumulators, see synapse.ts) and the conv core's `macLanes` (lane q adds
 * w_q * x to accumulator q of a word, combinationally). Binary inputs (1-bit unsigned, always 1 in an event) gate the
 * weight instead of multiplying. Sums wrap modulo 2^ACC_BITS, exact because the plan sizes ACC_BITS for the true sum.
 * `inputHalves` splits an input for the products built as two halves a stage apart (SPLIT_PRODUCT, SPLIT_JITTER).
 */
import { markUnused } from './common.ts';
import { add, cat, cond, div, eq, type Expr, index, land, lit, type ModuleBuilder, mul, num, part, range, ref, minus1, sext, signed, sub } from '../netlist.ts';

/** What one lane's product reads: the input x, its format, and the weight and product widths. */
export interface ProductPorts {
  readonly weightBits: Expr;
  readonly macBits: Expr;
  readonly xBits: Expr;
  readonly xSigned: Expr;
  readonly x: Expr;
}

export interface MacPorts extends ProductPorts {
  readonly lanes: Expr;
  readonly accBits: Expr;
  readonly wWord: Expr;
  readonly accIn: Expr;
  readonly sumWord: Expr;
}

/** product = w * x (MAC_BITS wide, signed); for a binary input, w when x is 1, else 0, with no multiplier. */
export function laneProduct(g: ModuleBuilder, m: ProductPorts, w: Expr, product: Expr): void {
  g.generateIf('gate', land(eq(m.xBits, num(1)), eq(m.xSigned, num(0))),
    (h) => h.assign(product, cond(index(m.x, num(0)), sext(w, m.weightBits, m.macBits), num(0))),
    (h) => {
      const xs = h.wire('xs', add(m.xBits, num(1)), true);
      h.assign(xs, cond(eq(m.xSigned, num(1)), sext(m.x, m.xBits, add(m.xBits, num(1))), signed(cat(lit(0, 1), m.x))));
      h.assign(product, mul(w, xs));
    });
}

/**
 * x = x_high << LOW_BITS + x_low, LOW_BITS = X_BITS / 2, x_low unsigned and x_high signed when `xSigned` is 1, each a signed
 * wire one bit wider than its bits, so a signed product with either is exact.
 */
export function inputHalves(h: ModuleBuilder, x: Expr, xBits: Expr, xSigned?: Expr): { lowBits: Expr; low: Expr; high: Expr } {
  const lowBits = h.localparam('LOW_BITS', div(xBits, num(2)));
  const highBits = sub(xBits, lowBits);
  const low = h.wire('x_low', add(lowBits, num(1)), true);
  const high = h.wire('x_high', add(highBits, num(1)), true);
  h.assign(low, signed(cat(lit(0, 1), range(x, minus1(lowBits), num(0)))));
  const upper = h.wire('x_upper', highBits);
  h.assign(upper, range(x, minus1(xBits), lowBits));
  const unsignedHigh = signed(cat(lit(0, 1), upper));
  h.assign(high, xSigned ? cond(eq(xSigned, num(1)), sext(upper, highBits, add(highBits, num(1))), unsignedHigh) : unsignedHigh);
  return { lowBits, low, high };
}

export function macLanes(b: ModuleBuilder, m: MacPorts): void {
  const lane = ref('lane');
  b.generateFor('mac', 'lane', m.lanes, (g) => {
    const w = g.wire('w', m.weightBits, true);
    const a = g.wire('a', m.accBits, true);
    const product = g.wire('product', m.macBits, true);
    const total = g.wire('total', m.macBits, true);
    g.assign(w, part(m.wWord, mul(lane, m.weightBits), m.weightBits));
    g.assign(a, part(m.accIn, mul(lane, m.accBits), m.accBits));
    laneProduct(g, m, w, product);
    g.assign(total, add(sext(a, m.accBits, m.macBits), product));
    g.assign(part(m.sumWord, mul(lane, m.accBits), m.accBits), range(total, minus1(m.accBits), num(0)));
    markUnused(g, 'total', total);
  });
}
