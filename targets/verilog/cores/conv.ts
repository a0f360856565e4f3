/**
 * @fileoverview snn_conv: the conv window unit, event-driven. Scatter phase: an input event (c, r, s, x) visits every
 * kernel offset (ki, kj) and filter group g, and where the output position
 *   oi = (r + PADDING - ki) / STRIDE,  oj = (s + PADDING - kj) / STRIDE     (both exact divisions, inside the output)
 * exists it adds w[f, c, ki, kj] * x into the accumulators of LANES filters at once (a zero pixel is never an event;
 * zero padding adds nothing). The quotients are divided once per event and then stepped down with ki and kj, so the
 * walk needs no divider. Output phase: for every position and filter, y = clamp(roundShift(acc + bias[f], shift[f])),
 * cleared behind itself; each nonzero y becomes an event for the next layer.
 */
import {
  add, cat, cond, div, eq, gt, if_, land, lit, lnot, lor, lt, minus1, mod, ModuleBuilder, mul, ne, num, part, range, ref, repeat,
  set, sext, shl, sshr, str, sub, switch_, zext, type Expr, type Module,
} from '../netlist.ts';
import { atMost, markUnused, sized } from './common.ts';
import { macLanes } from './mac.ts';

const SCATTER = 1;
const OUTPUT = 2;

export function convModule(): Module {
  const b = new ModuleBuilder('snn_conv', 'event-driven convolution (zero padding, any stride), LANES filters at once');
  const P = (name: string, doc?: string): Expr => b.param(name, num(1), doc);
  const channels = P('CHANNELS');
  const kernel = P('KERNEL');
  const filters = P('FILTERS');
  const outH = P('OUT_H');
  const outW = P('OUT_W');
  const lanes = P('LANES', 'filters updated in parallel');
  const groups = P('GROUPS', 'ceil(FILTERS / LANES)');
  const chBits = P('CH_BITS');
  const rowBits = P('ROW_BITS');
  const colBits = P('COL_BITS');
  const kBits = P('K_BITS');
  const laneBits = P('LANE_BITS');
  const groupBits = P('GROUP_BITS');
  const filterBits = P('FILTER_BITS');
  const oRowBits = P('OROW_BITS');
  const oColBits = P('OCOL_BITS');
  const wAddrBits = P('W_ADDR_BITS');
  const aAddrBits = P('A_ADDR_BITS');
  const xBits = P('X_BITS');
  const xSigned = P('X_SIGNED');
  const weightBits = P('WEIGHT_BITS');
  const accBits = P('ACC_BITS');
  const macBits = P('MAC_BITS');
  const biasBits = P('BIAS_BITS');
  const shiftBits = P('SHIFT_BITS');
  const sumBits = P('SUM_BITS');
  const outBits = P('OUT_BITS');
  b.wideParam('OUT_MIN', sumBits, true, lit(0, 1, true));
  b.wideParam('OUT_MAX', sumBits, true, lit(0, 1, true));
  const flatBits = P('FLAT_BITS', 'bits of a flat CHW output index');
  const wideBits = P('WIDE_BITS', 'max(A_ADDR_BITS, OROW_BITS, OCOL_BITS): the scatter address before truncation');
  const kkgParam = P('KKG', 'KERNEL * KERNEL * GROUPS');
  const positionsParam = P('POSITIONS', 'OUT_H * OUT_W');
  const entryBits = P('ENTRY_BITS', 'FLAT_BITS, or FILTER_BITS + OROW_BITS + OCOL_BITS');
  const coordsOut = P('COORDS_OUT', '1: events carry {filter, row, column} for a conv consumer');
  const stride = P('STRIDE');
  const padding = b.param('PADDING', num(0));
  const qBits = P('Q_BITS', 'signed bits of a window quotient (r + PADDING - ki) / STRIDE');
  const remBits = P('REM_BITS', 'bits of its remainder');
  b.stringParam('WEIGHTS_FILE', '', 'words [channel][ki][kj][group], lane 0 low');
  b.stringParam('PARAMS_FILE', '', 'per filter {shift, bias}');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const start = b.input('start');
  const inValid = b.input('in_valid');
  const inEntry = b.input('in_entry', add(add(chBits, rowBits), colBits));
  const inX = b.input('in_x', xBits);
  const inIdle = b.input('in_idle', undefined);
  const inReady = b.output('in_ready');
  const idle = b.output('idle');
  const scatterDone = b.output('scatter_done');
  const outValid = b.output('out_valid', undefined, { reg: true });
  const outFlat = b.output('out_flat', flatBits, { reg: true });
  const outEntry = b.output('out_entry', entryBits);
  const outY = b.output('out_y', outBits, { reg: true });
  const done = b.output('done', undefined, { reg: true });
  const state = b.reg('state', num(2));
  b.assign(idle, eq(state, num(0)));

  b.comment('scatter: walk (ki, kj, group) for the current event');
  const lastK = sized(b, 'LAST_K', kBits, kernel, 1);
  const lastGroup = sized(b, 'LAST_GROUP', groupBits, groups, 1);
  const kkg = sized(b, 'KKG_W', wAddrBits, kkgParam);
  const lastOi = sized(b, 'LAST_OI', qBits, outH, 1);
  const lastOj = sized(b, 'LAST_OJ', qBits, outW, 1);
  const lastRem = sized(b, 'LAST_REM', remBits, stride, 1);
  const busy = b.reg('busy');
  const curX = b.reg('cur_x', xBits);
  const wBase = b.reg('w_base', wAddrBits);
  const wStep = b.reg('w_step', wAddrBits);
  const ki = b.reg('ki', kBits);
  const kj = b.reg('kj', kBits);
  const group = b.reg('group', groupBits);
  b.comment('(r + PADDING - ki) = rq * STRIDE + rr, likewise (s + PADDING - kj) = sq * STRIDE + sr (sq0, sr0 at kj = 0)');
  const rq = b.reg('rq', qBits);
  const rr = b.reg('rr', remBits);
  const sq = b.reg('sq', qBits);
  const sr = b.reg('sr', remBits);
  const sq0 = b.reg('sq0', qBits);
  const sr0 = b.reg('sr0', remBits);
  const lastOfEvent = b.wire('last_of_event');
  b.assign(lastOfEvent, land(land(eq(ki, lastK), eq(kj, lastK)), eq(group, lastGroup)));
  b.assign(inReady, land(eq(state, num(SCATTER)), lor(lnot(busy), lastOfEvent)));
  const inC = b.wire('in_c', chBits);
  b.assign(inC, range(inEntry, minus1(add(add(chBits, rowBits), colBits)), add(rowBits, colBits)));
  const inR = b.wire('in_r', rowBits);
  const inS = b.wire('in_s', colBits);
  b.assign(inR, range(inEntry, minus1(add(rowBits, colBits)), colBits));
  b.assign(inS, range(inEntry, minus1(colBits), num(0)));
  const pad = sized(b, 'PADDING_Q', qBits, padding);
  const rPadded = b.wire('r_padded', qBits);
  const sPadded = b.wire('s_padded', qBits);
  b.assign(rPadded, add(zext(inR, rowBits, qBits), pad));
  b.assign(sPadded, add(zext(inS, colBits, qBits), pad));
  const rq0 = b.wire('rq_in', qBits);
  const rr0 = b.wire('rr_in', remBits);
  const sqIn = b.wire('sq_in', qBits);
  const srIn = b.wire('sr_in', remBits);
  b.generateIf('divide', eq(stride, num(1)), (g) => {
    g.assign(rq0, rPadded);
    g.assign(sqIn, sPadded);
    g.assign(rr0, lit(0, 1));
    g.assign(srIn, lit(0, 1));
  }, (g) => {
    const strideQ = sized(g, 'STRIDE_Q', qBits, stride);
    const rMod = g.wire('r_mod', qBits);
    const sMod = g.wire('s_mod', qBits);
    g.assign(rq0, div(rPadded, strideQ));
    g.assign(sqIn, div(sPadded, strideQ));
    g.assign(rMod, mod(rPadded, strideQ));
    g.assign(sMod, mod(sPadded, strideQ));
    g.assign(rr0, range(rMod, minus1(remBits), num(0)));
    g.assign(srIn, range(sMod, minus1(remBits), num(0)));
    markUnused(g, 'mod', rMod, sMod);
  });
  const oi = b.wire('oi', oRowBits);
  const oj = b.wire('oj', oColBits);
  b.assign(oi, range(rq, minus1(oRowBits), num(0)));
  b.assign(oj, range(sq, minus1(oColBits), num(0)));
  const inside = b.wire('in_window');
  b.comment('a negative quotient reads as a large unsigned one, so one unsigned bound test covers both ends');
  const rowOk = atMost(b, 'row_ok', rq, qBits, lastOi);
  const colOk = atMost(b, 'col_ok', sq, qBits, lastOj);
  b.assign(inside, land(land(eq(rr, num(0)), rowOk), land(eq(sr, num(0)), colOk)));
  b.comment('(oi * OUT_W + oj) * GROUPS + group, computed wide and truncated: inside the output it fits A_ADDR_BITS');
  const wide = b.wire('scatter_wide', wideBits);
  b.assign(wide, add(mul(add(mul(zext(oi, oRowBits, wideBits), sized(b, 'OUT_W_WIDE', wideBits, outW)), zext(oj, oColBits, wideBits)), sized(b, 'GROUPS_WIDE', wideBits, groups)), zext(group, groupBits, wideBits)));
  const scatterAddr = b.wire('scatter_addr', aAddrBits);
  b.assign(scatterAddr, range(wide, minus1(aAddrBits), num(0)));
  markUnused(b, 'wide', wide);
  const issue = b.wire('issue');
  b.assign(issue, land(busy, inside));
  /** One step down of (q, r): q * STRIDE + r decreases by 1. */
  const down = (q: Expr, r: Expr) => [if_(eq(r, num(0)), [set(q, sub(q, num(1))), set(r, lastRem)], [set(r, sub(r, num(1)))])];

  b.comment('output pass: walk (position, group, lane), one filter per cycle');
  const lastLane = sized(b, 'LAST_LANE', laneBits, lanes, 1);
  const lastFilter = sized(b, 'LAST_FILTER', filterBits, filters, 1);
  const lastORow = sized(b, 'LAST_OROW', oRowBits, outH, 1);
  const lastOCol = sized(b, 'LAST_OCOL', oColBits, outW, 1);
  const positions = sized(b, 'POSITIONS_F', flatBits, positionsParam);
  const o0 = b.reg('o0');
  const f0 = b.reg('f0', filterBits);
  const q0 = b.reg('q0', laneBits);
  const g0 = b.reg('g0', groupBits);
  const r0 = b.reg('r0', oRowBits);
  const c0 = b.reg('c0', oColBits);
  const a0 = b.reg('a0', aAddrBits);
  const flat0 = b.reg('flat0', flatBits);
  const base0 = b.reg('base0', flatBits);
  const endGroup0 = b.wire('end_group0');
  const endPos0 = b.wire('end_pos0');
  b.assign(endPos0, eq(f0, lastFilter));
  b.assign(endGroup0, lor(eq(q0, lastLane), endPos0));
  const endAll0 = land(land(endPos0, eq(r0, lastORow)), eq(c0, lastOCol));

  const pValid = b.reg('p_valid');
  const pAddr = b.reg('p_addr', aAddrBits);
  const pX = b.reg('p_x', xBits);
  const fwd = b.reg('fwd');
  const wordBits = mul(lanes, accBits);
  const fwdWord = b.reg('fwd_word', wordBits);
  const wWord = b.wire('w_word', mul(lanes, weightBits));
  const accWord = b.wire('acc_word', wordBits);
  const accIn = b.wire('acc_in', wordBits);
  const sumWord = b.wire('sum_word', wordBits);
  b.assign(accIn, cond(fwd, fwdWord, accWord));
  const o1 = b.reg('o1');
  const q1 = b.reg('q1', laneBits);
  const a1 = b.reg('a1', aAddrBits);
  const f1 = b.reg('f1', filterBits);
  const r1 = b.reg('r1', oRowBits);
  const c1 = b.reg('c1', oColBits);
  const flat1 = b.reg('flat1', flatBits);
  const end1 = b.reg('end1');
  const last1 = b.reg('last1');
  b.assign(scatterDone, land(eq(state, num(SCATTER)), land(land(inIdle, lnot(busy)), lnot(pValid))));
  const clrWe = b.wire('clr_we');
  b.assign(clrWe, land(o1, end1));
  const accRaddr = b.wire('acc_raddr', aAddrBits);
  b.assign(accRaddr, cond(o0, a0, scatterAddr));

  b.always(clk, [
    set(done, num(0)),
    if_(rst, [set(state, num(0)), set(busy, num(0)), set(pValid, num(0)), set(fwd, num(0)), set(o0, num(0)), set(o1, num(0))], [
      switch_(state, [
        { labels: [num(0)], body: [if_(start, [set(state, num(SCATTER)), set(busy, num(0))])] },
        {
          labels: [num(SCATTER)],
          body: [if_(scatterDone, [
            set(state, num(OUTPUT)), set(o0, num(1)), set(f0, num(0)), set(q0, num(0)), set(g0, num(0)), set(r0, num(0)), set(c0, num(0)),
            set(a0, num(0)), set(flat0, num(0)), set(base0, num(0)),
          ])],
        },
        { labels: [num(OUTPUT)], body: [if_(land(lnot(o0), last1), [set(state, num(0)), set(done, num(1))])] },
      ], []),
      if_(land(busy, lnot(lastOfEvent)), [
        set(wStep, add(wStep, num(1))),
        if_(ne(group, lastGroup), [set(group, add(group, num(1)))], [
          set(group, num(0)),
          if_(ne(kj, lastK), [set(kj, add(kj, num(1))), ...down(sq, sr)], [set(kj, num(0)), set(ki, add(ki, num(1))), set(sq, sq0), set(sr, sr0), ...down(rq, rr)]),
        ]),
      ], [
        set(busy, land(inValid, inReady)),
        if_(land(inValid, inReady), [
          set(rq, rq0), set(rr, rr0), set(sq, sqIn), set(sr, srIn), set(sq0, sqIn), set(sr0, srIn), set(curX, inX),
          set(wBase, mul(zext(inC, chBits, wAddrBits), kkg)), set(wStep, num(0)), set(ki, num(0)), set(kj, num(0)), set(group, num(0)),
        ]),
      ]),
      set(pValid, issue), set(pAddr, scatterAddr), set(pX, curX),
      set(fwd, land(land(issue, pValid), eq(scatterAddr, pAddr))), set(fwdWord, sumWord),
      if_(o0, [
        if_(endAll0, [set(o0, num(0))]),
        if_(endPos0, [
          set(f0, num(0)), set(q0, num(0)), set(g0, num(0)), set(a0, add(a0, num(1))), set(flat0, add(base0, num(1))), set(base0, add(base0, num(1))),
          if_(ne(c0, lastOCol), [set(c0, add(c0, num(1)))], [set(c0, num(0)), set(r0, add(r0, num(1)))]),
        ], [
          set(f0, add(f0, num(1))), set(flat0, add(flat0, positions)),
          if_(endGroup0, [set(q0, num(0)), set(g0, add(g0, num(1))), set(a0, add(a0, num(1)))], [set(q0, add(q0, num(1)))]),
        ]),
      ]),
      set(o1, o0), set(q1, q0), set(a1, a0), set(f1, f0), set(r1, r0), set(c1, c0), set(flat1, flat0), set(end1, endGroup0), set(last1, land(o0, endAll0)),
    ]),
  ]);
  const wAddr = b.wire('w_addr', wAddrBits);
  b.assign(wAddr, add(wBase, wStep));
  b.instance('snn_ram', 'weights', {
    WIDTH: mul(lanes, weightBits), DEPTH: mul(mul(mul(channels, kernel), kernel), groups), ADDR_BITS: wAddrBits, HAS_INIT: num(1), INIT_FILE: ref('WEIGHTS_FILE'),
  }, { clk, re: issue, raddr: wAddr, rdata: wWord, we: lit(0, 1), waddr: repeat(wAddrBits, lit(0, 1)), wdata: repeat(mul(lanes, weightBits), lit(0, 1)) });
  b.instance('snn_ram', 'acc', { WIDTH: wordBits, DEPTH: mul(mul(outH, outW), groups), ADDR_BITS: aAddrBits, HAS_INIT: num(0), INIT_FILE: str('') }, {
    clk, re: lor(issue, o0), raddr: accRaddr, rdata: accWord,
    we: lor(pValid, clrWe), waddr: cond(clrWe, a1, pAddr), wdata: cond(clrWe, repeat(wordBits, lit(0, 1)), sumWord),
  });
  const paramBits = add(biasBits, shiftBits);
  const filterParams = b.wire('filter_params', paramBits);
  b.instance('snn_ram', 'filter_rom', { WIDTH: paramBits, DEPTH: filters, ADDR_BITS: filterBits, HAS_INIT: num(1), INIT_FILE: ref('PARAMS_FILE') }, {
    clk, re: o0, raddr: f0, rdata: filterParams, we: lit(0, 1), waddr: repeat(filterBits, lit(0, 1)), wdata: repeat(paramBits, lit(0, 1)),
  });
  macLanes(b, { lanes, weightBits, accBits, macBits, xBits, xSigned, wWord, accIn, sumWord, x: pX });

  b.comment('output value: y = clamp(roundShift(acc + bias, shift)), exact in SUM_BITS');
  const accLane = b.wire('acc_lane', accBits, true);
  b.assign(accLane, part(accWord, mul(q1, accBits), accBits));
  const bias = b.wire('bias', biasBits, true);
  b.assign(bias, range(filterParams, minus1(biasBits), num(0)));
  const shift = b.wire('shift', shiftBits);
  b.assign(shift, part(filterParams, biasBits, shiftBits));
  const total = b.wire('total', sumBits, true);
  b.assign(total, add(sext(accLane, accBits, sumBits), sext(bias, biasBits, sumBits)));
  const one = b.localparam('ONE', num(1), sumBits, true);
  const round = b.wire('round', sumBits, true);
  b.assign(round, cond(eq(shift, num(0)), num(0), shl(one, sub(shift, num(1)))));
  const shifted = b.wire('shifted', sumBits, true);
  b.assign(shifted, sshr(add(total, round), shift));
  const min = ref('OUT_MIN');
  const max = ref('OUT_MAX');
  const y = b.wire('y', outBits);
  b.assign(y, cond(lt(shifted, min), range(min, minus1(outBits), num(0)), cond(gt(shifted, max), range(max, minus1(outBits), num(0)), range(shifted, minus1(outBits), num(0)))));
  const r2 = b.reg('r2', oRowBits);
  const c2 = b.reg('c2', oColBits);
  const f2 = b.reg('f2', filterBits);
  b.always(clk, [set(outValid, land(o1, lnot(rst))), set(outFlat, flat1), set(outY, y), set(f2, f1), set(r2, r1), set(c2, c1)]);
  b.generateIf('coords', eq(coordsOut, num(1)), (g) => g.assign(outEntry, cat(f2, r2, c2)), (g) => {
    g.assign(outEntry, outFlat);
    markUnused(g, 'coords', f2, r2, c2);
  });
  return b.build();
}
