/**
 * @fileoverview snn_synapse: synapse memory and LANES accumulators, output-stationary. A pass serves one group of
 * LANES units: the event list is replayed through it, and each event (i, x) reads the weight word (group, i), which
 * holds the weights of units group*LANES .. group*LANES+LANES-1, and adds w * x into every lane's accumulator in one
 * cycle (pipelined: weight read, product, sum). Accumulators are plain registers (a DSP's P register where the
 * synthesizer packs them), so there is no read-modify-write and no hazard; `pass_start` zeroes them and moves to the
 * next group's weights.
 */
import {
  add, cond, eq, type Expr, gt, if_, land, lit, lnot, ModuleBuilder, mul, num, part, range, ref, minus1, repeat, set, sext, shl, zext, type Module,
} from '../netlist.ts';
import { markUnused, sized } from './common.ts';
import { inputHalves, laneProduct, type ProductPorts } from './mac.ts';

/**
 * `loaded`: snn_synapse_loaded, whose weights are not an initialised ROM but a writable single-port memory (snn_spram,
 * the iCE40's SPRAM) that a boot loader fills through load_we / load_addr / load_data while the core is in reset.
 */
export function synapseModule(options: { loaded?: boolean } = {}): Module {
  const loaded = options.loaded ?? false;
  const b = new ModuleBuilder(loaded ? 'snn_synapse_loaded' : 'snn_synapse', loaded
    ? 'synapse memory (written by a boot loader) and output-stationary accumulator lanes'
    : 'synapse memory and output-stationary accumulator lanes');
  const lanes = b.param('LANES', num(1), 'units accumulated in parallel');
  // The loaded memory is sized by the plan (snn_spram), not by GROUPS.
  const groups = loaded ? num(1) : b.param('GROUPS', num(1), 'ceil(UNITS / LANES)');
  const inputs = b.param('INPUTS', num(1), 'input vector length');
  const indexBits = b.param('INDEX_BITS', num(1), 'bits of an input index');
  const xBits = b.param('X_BITS', num(8), 'bits of an input value');
  const xSigned = b.param('X_SIGNED', num(0), '1: input values are signed');
  const weightBits = b.param('WEIGHT_BITS', num(8), 'bits per weight, signed');
  const accBits = b.param('ACC_BITS', num(16), 'accumulator bits (holds the exact sum)');
  const macBits = b.param('MAC_BITS', num(18), '>= ACC_BITS, WEIGHT_BITS and X_BITS + 1');
  const wAddrBits = b.param('W_ADDR_BITS', num(1), 'bits of a weight address');
  // The loaded synapse is the first layer's, whose products are DSPs.
  const splitParam = loaded ? num(0) : b.param('SPLIT_PRODUCT', num(0), '1: w * x as two half products a stage apart (LUT multipliers)');
  // A binary input gates the weight: nothing to split.
  const split = loaded ? num(0) : b.localparam('SPLIT', land(eq(splitParam, num(1)), gt(xBits, num(1))), num(1));
  if (!loaded) b.stringParam('WEIGHTS_FILE', '', 'weight words, [group][input], lane 0 in the low bits');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const passStart = b.input('pass_start');
  const passFirst = b.input('pass_first', undefined);
  const inValid = b.input('in_valid');
  const inIndex = b.input('in_index', indexBits);
  const inX = b.input('in_x', xBits);
  const idle = b.output('idle');
  const accWord = b.output('acc_word', mul(lanes, accBits));
  const load = loaded
    ? { we: b.input('load_we'), addr: b.input('load_addr', wAddrBits), data: b.input('load_data', mul(lanes, weightBits)) }
    : undefined;

  const inputStep = sized(b, 'INPUT_STEP', wAddrBits, inputs);
  const base = b.reg('base', wAddrBits);
  const aValid = b.reg('a_valid');
  const aX = b.reg('a_x', xBits);
  const wWord = b.wire('w_word', mul(lanes, weightBits));
  const wAddr = b.wire('w_addr', wAddrBits);
  b.comment('the weight word of (group, i) sits at group * INPUTS + i');
  b.assign(wAddr, add(base, zext(inIndex, indexBits, wAddrBits)));
  const bValid = b.reg('b_valid');
  const bX = b.reg('b_x', xBits);
  const bWord = b.reg('b_word', mul(lanes, weightBits));
  const pValid = b.reg('p_valid');
  b.comment('a: weight read issued; b: weight word registered (block RAM outputs are slow); p: products; then the sums');
  const sums = loaded ? pValid : b.wire('sum_valid');
  // With SPLIT_PRODUCT the products read c, a copy of b that the placer can put beside the LUT multipliers (the route
  // from b, next to the block RAM, to them led nextpnr's timing report); p is then c's half products, s their sum.
  const c = loaded ? { valid: lit(0, 1), x: bX, word: bWord } : { valid: b.reg('c_valid'), x: b.reg('c_x', xBits), word: b.reg('c_word', mul(lanes, weightBits)) };
  if (!loaded) {
    b.comment('c and s: with SPLIT_PRODUCT, the copy of b and the two half products summed');
    const sValid = b.reg('s_valid');
    b.assign(sums, cond(split, sValid, pValid));
    b.always(clk, [set(c.valid, land(lnot(rst), land(split, bValid))), set(c.x, bX), set(c.word, bWord), set(sValid, land(lnot(rst), pValid))]);
  }
  b.assign(idle, land(land(land(lnot(aValid), lnot(bValid)), lnot(c.valid)), land(lnot(pValid), lnot(sums))));
  b.always(clk, [
    if_(rst, [set(aValid, num(0)), set(bValid, num(0)), set(pValid, num(0))], [
      set(aValid, land(inValid, lnot(passStart))), set(aX, inX), set(bValid, aValid), set(bX, aX), set(bWord, wWord), set(pValid, loaded ? bValid : cond(split, c.valid, bValid)),
    ]),
    if_(passStart, [set(base, cond(passFirst, repeat(wAddrBits, lit(0, 1)), add(base, inputStep)))]),
  ]);
  if (load) {
    b.comment('one port: the boot loader writes while the core is held in reset, the lanes read afterwards');
    b.instance('snn_spram', 'weights', {}, { clk, re: inValid, raddr: wAddr, rdata: wWord, we: load.we, waddr: load.addr, wdata: load.data });
  } else {
    b.instance('snn_ram', 'weights', {
      WIDTH: mul(lanes, weightBits), DEPTH: mul(inputs, groups), ADDR_BITS: wAddrBits, HAS_INIT: num(1), INIT_FILE: ref('WEIGHTS_FILE'),
    }, {
      clk, re: inValid, raddr: wAddr, rdata: wWord, we: lit(0, 1), waddr: repeat(wAddrBits, lit(0, 1)), wdata: repeat(mul(lanes, weightBits), lit(0, 1)),
    });
  }
  // What the products read: b, or c with SPLIT_PRODUCT (the loaded synapse never splits).
  const product = loaded ? { word: bWord, x: bX } : { word: b.wire('product_word', mul(lanes, weightBits)), x: b.wire('product_x', xBits) };
  if (!loaded) {
    b.assign(product.word, cond(split, c.word, bWord));
    b.assign(product.x, cond(split, c.x, bX));
  }
  accumulatorLanes(b, { lanes, weightBits, accBits, macBits, xBits, xSigned, wWord: product.word, accWord, x: product.x, enable: sums, clear: passStart, clk, split });
  return b.build();
}

interface AccumulatorPorts extends ProductPorts {
  readonly lanes: Expr;
  readonly accBits: Expr;
  readonly wWord: Expr;
  readonly accWord: Expr;
  readonly enable: Expr;
  readonly clear: Expr;
  readonly clk: Expr;
  readonly split: Expr;
}

/**
 * Lane q: product <= w_q * x (mac.ts's laneProduct, registered here; over two stages with SPLIT_PRODUCT), then
 * acc <= clear ? 0 : acc + product, for clock speed. The sum wraps modulo 2^ACC_BITS, exact because the plan sizes
 * ACC_BITS for the true sum.
 */
function accumulatorLanes(b: ModuleBuilder, m: AccumulatorPorts): void {
  const lane = ref('lane');
  b.generateFor('lane_acc', 'lane', m.lanes, (g) => {
    const w = g.wire('w', m.weightBits, true);
    const registered = g.reg('product_q', m.macBits, true);
    const total = g.wire('total', m.macBits, true);
    const acc = g.reg('acc', m.accBits, true);
    g.assign(w, part(m.wWord, mul(lane, m.weightBits), m.weightBits));
    g.generateIf('split', m.split, (h) => splitProduct(h, m, w, registered), (h) => {
      const product = h.wire('product', m.macBits, true);
      laneProduct(h, m, w, product);
      h.always(m.clk, [set(registered, product)]);
    });
    g.assign(total, add(sext(acc, m.accBits, m.macBits), registered));
    markUnused(g, 'total', total);
    g.always(m.clk, [if_(m.clear, [set(acc, num(0))], [if_(m.enable, [set(acc, range(total, minus1(m.accBits), num(0)))])])]);
    g.assign(part(m.accWord, mul(lane, m.accBits), m.accBits), acc);
  });
}

/**
 * SPLIT_PRODUCT: w * x = (w * x_high) << LOW_BITS + w * x_low, x_low = x[LOW_BITS-1:0] unsigned, x_high = x's upper bits
 * (signed when x is): each half product is registered, their sum a stage later, exact modulo 2^MAC_BITS.
 */
function splitProduct(h: ModuleBuilder, m: AccumulatorPorts, w: Expr, registered: Expr): void {
  const x = inputHalves(h, m.x, m.xBits, m.xSigned);
  const low = h.reg('low_q', m.macBits, true);
  const high = h.reg('high_q', m.macBits, true);
  h.always(m.clk, [set(low, mul(w, x.low)), set(high, mul(w, x.high)), set(registered, add(shl(high, x.lowBits), low))]);
}
