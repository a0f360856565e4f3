/**
 * @fileoverview snn_aer_loader: accepts an events sample as an address-event stream (valid/ready) and writes each
 * event into the input list's bank of its timestep, so silent inputs cost nothing. A beat is {eot, address, count}:
 * eot = 0 is one event, the input at flat CHW `address` has `count` events in this timestep (a count of 0 is
 * accepted and dropped); eot = 1 closes the timestep (its address and count are ignored), T of them per sample.
 * Frame t goes to bank t % 2 once the first stage has read step t - 2 from it (`consumer_read + 2 > t`); the bank is
 * emptied in the cycle before the frame's first beat is accepted. `frames` counts the closed timesteps: the first
 * stage starts step t once frames > t. With COORDS = 1 the address becomes {channel, row, column} for a conv or pool
 * first layer: channel = (i * CH_MUL) >> CH_SHIFT = i / (H * W), and likewise row from the remainder (aer-plan.ts).
 */
import { add, cat, eq, gt, if_, index, land, lnot, ModuleBuilder, mul, ne, num, part, range, set, sub, zext, type Expr, type Module } from '../netlist.ts';
import { markUnused, sized } from './common.ts';

export function aerLoaderModule(): Module {
  const b = new ModuleBuilder('snn_aer_loader', 'address-event stream to the input event list, one bank per step parity');
  const addrBits = b.param('ADDR_BITS', num(1), 'bits of a flat CHW address');
  const countBits = b.param('COUNT_BITS', num(1), 'bits of an event count (the input type)');
  const stepCountBits = b.param('STEP_COUNT_BITS', num(3), 'bits of a count of timesteps 0..T with room for + 2');
  const timesteps = b.param('TIMESTEPS', num(1));
  const coords = b.param('COORDS', num(0), '1: the list entry is {channel, row, column}');
  const entryBits = b.param('ENTRY_BITS', num(1), 'ADDR_BITS, or CH_BITS + ROW_BITS + COL_BITS');
  const chBits = b.param('CH_BITS', num(1));
  const rowBits = b.param('ROW_BITS', num(1));
  const colBits = b.param('COL_BITS', num(1));
  const planeBits = b.param('PLANE_BITS', num(1), 'bits of a remainder below H * W');
  const chMulBits = b.param('CH_MUL_BITS', num(1));
  const chMul = b.wideParam('CH_MUL', chMulBits, false, num(1), 'ceil(2^CH_SHIFT / (H * W))');
  const chShift = b.param('CH_SHIFT', num(0));
  const chProdBits = b.param('CH_PROD_BITS', num(2), 'holds address * CH_MUL and bit CH_SHIFT + CH_BITS - 1');
  const plane = b.param('PLANE', num(1), 'H * W');
  const rowMulBits = b.param('ROW_MUL_BITS', num(1));
  const rowMul = b.wideParam('ROW_MUL', rowMulBits, false, num(1), 'ceil(2^ROW_SHIFT / W)');
  const rowShift = b.param('ROW_SHIFT', num(0));
  const rowProdBits = b.param('ROW_PROD_BITS', num(2), 'holds remainder * ROW_MUL and bit ROW_SHIFT + ROW_BITS - 1');
  const width = b.param('WIDTH', num(1), 'W');
  const clk = b.input('clk');
  const clear = b.input('clear');
  const active = b.input('active');
  const inValid = b.input('in_valid');
  const inReady = b.output('in_ready');
  const inAddr = b.input('in_addr', addrBits);
  const inCount = b.input('in_count', countBits);
  const inEot = b.input('in_eot');
  const consumerRead = b.input('consumer_read', stepCountBits);
  const firstBeat = b.output('first_beat');
  const done = b.output('done');
  const frames = b.output('frames', stepCountBits, { reg: true });
  const wrStart = b.output('wr_start');
  const wrBank = b.output('wr_bank');
  const evWe = b.output('ev_we');
  const evData = b.output('ev_data', add(entryBits, countBits));
  const lastFrame = sized(b, 'LAST_FRAME', stepCountBits, timesteps, 1);
  const opened = b.reg('opened');
  const begun = b.reg('begun');
  const take = b.wire('take');
  const bankFree = b.wire('bank_free');
  const entry = b.wire('entry', entryBits);
  b.comment('bank t % 2 held step t - 2: free once the first stage has read it (read + 2 > t)');
  b.assign(bankFree, gt(add(consumerRead, num(2)), frames));
  b.assign(wrStart, land(land(active, lnot(opened)), bankFree));
  b.assign(wrBank, index(frames, num(0)));
  b.assign(inReady, land(active, opened));
  b.assign(take, land(inValid, land(active, opened)));
  b.assign(firstBeat, land(take, lnot(begun)));
  b.assign(done, land(land(take, inEot), eq(frames, lastFrame)));
  b.assign(evWe, land(land(take, lnot(inEot)), ne(inCount, num(0))));
  b.assign(evData, cat(entry, inCount));
  b.generateIf('address', eq(coords, num(1)), (g) => {
    const chProd = g.wire('ch_prod', chProdBits);
    const ch = g.wire('ch', chBits);
    const wideBits = add(addrBits, num(1));
    const rest = g.wire('rest', wideBits);
    const rowProd = g.wire('row_prod', rowProdBits);
    const row = g.wire('row', rowBits);
    const planeWide = add(planeBits, num(1));
    const colWide = g.wire('col_wide', planeWide);
    const restLow = g.wire('plane_rest', planeBits);
    const times = (a: Expr, aBits: Expr, c: Expr, cBits: Expr, to: Expr): Expr => mul(zext(a, aBits, to), zext(c, cBits, to));
    g.assign(chProd, times(inAddr, addrBits, chMul, chMulBits, chProdBits));
    g.assign(ch, part(chProd, chShift, chBits));
    g.assign(rest, sub(zext(inAddr, addrBits, wideBits), mul(zext(ch, chBits, wideBits), sized(g, 'PLANE_W', wideBits, plane))));
    g.assign(restLow, range(rest, sub(planeBits, num(1)), num(0)));
    g.assign(rowProd, times(restLow, planeBits, rowMul, rowMulBits, rowProdBits));
    g.assign(row, part(rowProd, rowShift, rowBits));
    g.assign(colWide, sub(zext(restLow, planeBits, planeWide), mul(zext(row, rowBits, planeWide), sized(g, 'WIDTH_W', planeWide, width))));
    g.assign(entry, cat(ch, row, range(colWide, sub(colBits, num(1)), num(0))));
    markUnused(g, 'quotients', chProd, rest, rowProd, colWide);
  }, (g) => {
    g.assign(entry, inAddr);
  });
  b.always(clk, [
    if_(clear, [set(frames, num(0)), set(opened, num(0)), set(begun, num(0))], [
      if_(wrStart, [set(opened, num(1))]),
      if_(take, [set(begun, num(1))]),
      if_(land(take, inEot), [set(frames, add(frames, num(1))), set(opened, num(0))]),
    ]),
  ]);
  return b.build();
}
