/**
 * @fileoverview snn_event_reader: streams one pass over an event list to a consumer (valid/ready), one event per
 * cycle. With ENCODE = 1 it is the jitter encoder: each list entry is a nonzero pixel p, the generator steps once per
 * entry in list (CHW) order, and x = (p * r) >> JITTER_BITS with r the top JITTER_BITS bits of the new state; events
 * whose x is zero are dropped, so they cost no synaptic cycles.
 */
import {
  add, cat, cond, eq, type Expr, gt, if_, land, lnot, lor, ModuleBuilder, ne, num, part, range, ref, repeat, lit, set, shl, sub, mul, signed,
  type Module,
} from '../netlist.ts';
import { markUnused } from './common.ts';
import { inputHalves } from './mac.ts';

export function eventReaderModule(): Module {
  const b = new ModuleBuilder('snn_event_reader', 'one pass over an event list, optionally jitter-encoding pixels');
  const entryBits = b.param('ENTRY_BITS', num(8), 'address bits of an event');
  const xBits = b.param('X_BITS', num(8), 'value bits of an event');
  const countBits = b.param('COUNT_BITS', num(5), 'bits of the list count');
  const encode = b.param('ENCODE', num(0), '1: jitter-encode pixel values');
  const jitterBits = b.param('JITTER_BITS', num(8), 'bits of each random draw');
  const splitParam = b.param('SPLIT_JITTER', num(0), '1: the jitter product as two half products, a stage (v25) before v3');
  const split = b.localparam('SPLIT', land(eq(splitParam, num(1)), land(eq(encode, num(1)), gt(xBits, num(1)))), num(1));
  const clk = b.input('clk');
  const rst = b.input('rst');
  const start = b.input('start');
  const firstPass = b.input('first_pass', undefined);
  const count = b.input('count', countBits);
  const complete = b.input('complete', undefined);
  const re = b.output('re');
  const raddr = b.output('raddr', countBits);
  const rdata = b.input('rdata', add(entryBits, xBits));
  const seedLoad = b.input('seed_load');
  const seed = b.input('seed', num(32));
  const outValid = b.output('out_valid', undefined, { reg: true });
  const outEntry = b.output('out_entry', entryBits, { reg: true });
  const outX = b.output('out_x', xBits, { reg: true });
  const outReady = b.input('out_ready');
  const idle = b.output('idle');

  const ptr = b.reg('ptr', countBits);
  const held = b.reg('held');
  const running = b.reg('running');
  const advance = b.wire('advance');
  const issue = b.wire('issue');
  const x = b.wire('x', xBits);
  const v2 = b.reg('v2');
  const entry2 = b.reg('entry2', entryBits);
  const pixel2 = b.reg('pixel2', xBits);
  const v25 = b.reg('v25');
  const entry25 = b.reg('entry25', entryBits);
  const v3 = b.reg('v3');
  const entry3 = b.reg('entry3', entryBits);
  const x3 = b.reg('x3', xBits);
  b.comment('`running`: a pass is under way; it ends at the count once the list is `complete` (the input list fills during step 0)');
  b.comment('stages: RAM output (`held`), pixel and draw (v2), the encoded value (v3, its product registered for clock');
  b.comment('speed), then the event (out), dropped when its value is zero; all advance together');
  b.assign(advance, lor(lnot(outValid), outReady));
  b.assign(issue, land(land(running, ne(ptr, count)), lor(lnot(held), advance)));
  b.assign(re, issue);
  b.assign(raddr, ptr);
  b.assign(idle, land(land(lnot(running), lnot(held)), land(land(lnot(v2), lnot(land(split, v25))), land(lnot(v3), lnot(outValid)))));
  const step = land(held, advance);
  b.generateIf('jitter', eq(encode, num(1)), (g) => {
    const next = g.wire('rand_next', num(32));
    const draw2 = g.reg('draw2', jitterBits);
    const product = g.wire('product', add(xBits, jitterBits));
    g.instance('snn_prng', 'rng', {}, {
      clk, load: seedLoad, seed, step, mark: land(start, firstPass), rewind: land(start, lnot(firstPass)), state: ref('unused_rng_state'), next,
    });
    g.item({ kind: 'net', net: 'wire', name: 'unused_rng_state', width: num(32) });
    g.always(clk, [if_(advance, [set(draw2, part(next, sub(num(32), jitterBits), jitterBits))])]);
    g.generateIf('halves', split, (h) => splitJitter(h, { clk, advance, pixel: pixel2, draw: draw2, xBits, jitterBits, product }), (h) => {
      h.assign(product, mul(cat(repeat(jitterBits, lit(0, 1)), pixel2), cat(repeat(xBits, lit(0, 1)), draw2)));
    });
    g.assign(x, range(product, sub(add(xBits, jitterBits), num(1)), jitterBits));
    markUnused(g, 'draw', next, product);
  }, (g) => {
    g.assign(x, pixel2);
    markUnused(g, 'seed', seedLoad, seed, firstPass);
  });
  b.always(clk, [
    if_(lor(rst, start), [set(ptr, num(0)), set(held, num(0)), set(v2, num(0)), set(v25, num(0)), set(v3, num(0)), set(outValid, num(0)), set(running, start)], [
      if_(land(eq(ptr, count), complete), [set(running, num(0))]),
      if_(issue, [set(ptr, add(ptr, num(1)))]),
      if_(issue, [set(held, num(1))], [if_(advance, [set(held, num(0))])]),
      if_(advance, [
        set(v2, held),
        set(entry2, range(rdata, sub(add(entryBits, xBits), num(1)), xBits)),
        set(pixel2, range(rdata, sub(xBits, num(1)), num(0))),
        set(v25, v2),
        set(entry25, entry2),
        set(v3, cond(split, v25, v2)),
        set(entry3, cond(split, entry25, entry2)),
        set(x3, x),
        set(outValid, land(v3, ne(x3, num(0)))),
        set(outEntry, entry3),
        set(outX, x3),
      ]),
    ]),
  ]);
  return b.build();
}

interface JitterHalves { clk: Expr; advance: Expr; pixel: Expr; draw: Expr; xBits: Expr; jitterBits: Expr; product: Expr }

/**
 * SPLIT_JITTER: pixel * draw = (pixel_high * draw) << LOW_BITS + pixel_low * draw, the halves registered at v25 (built
 * from LUTs on the UP5K, where they were nextpnr's critical path) and summed into `product` after them.
 */
function splitJitter(h: ModuleBuilder, m: JitterHalves): void {
  const width = add(m.xBits, m.jitterBits);
  const pixel = inputHalves(h, m.pixel, m.xBits);
  const draw = signed(cat(lit(0, 1), m.draw));
  const low = h.reg('low25', width);
  const high = h.reg('high25', width);
  h.always(m.clk, [if_(m.advance, [set(low, mul(pixel.low, draw)), set(high, mul(pixel.high, draw))])]);
  h.assign(m.product, add(shl(high, pixel.lowBits), low));
}
