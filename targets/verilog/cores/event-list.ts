/**
 * @fileoverview snn_event_list: the events (address, value) one stage hands the next, in block RAM, with a count per
 * bank. Between stages there are two banks, by step parity, so a producer writes step t while its consumer still
 * reads step t-1; a consumer with a one-step delay reads step t-1 at its step t (at t = 0 the other bank, which
 * `clear` emptied). `wr_start` empties bank `clr_bank` as a producer starts a step; writes go to `wr_bank`, the
 * parity of the step whose updates are being written, which may lag it.
 */
import { add, cat, cond, if_, index, lit, minus1, ModuleBuilder, mul, num, range, repeat, set, str, type Module } from '../netlist.ts';
import { markUnused, sized } from './common.ts';

export function eventListModule(): Module {
  const b = new ModuleBuilder('snn_event_list', 'event list, one or two banks');
  const entryBits = b.param('ENTRY_BITS', num(8), 'bits per event (address and value)');
  const depth = b.param('DEPTH', num(16), 'events per bank');
  const banks = b.param('BANKS', num(1), '2 for a layer with a one-step delay');
  const countBits = b.param('COUNT_BITS', num(5), 'bits of a count 0..DEPTH');
  const ramBits = b.param('ADDR_BITS', num(4), 'address bits of the BANKS * DEPTH words');
  const clk = b.input('clk');
  const clear = b.input('clear');
  const wrStart = b.input('wr_start');
  const clrBank = b.input('clr_bank');
  const wrBank = b.input('wr_bank');
  const we = b.input('we');
  const wdata = b.input('wdata', entryBits);
  const rdBank = b.input('rd_bank');
  const re = b.input('re');
  const raddr = b.input('raddr', countBits);
  const rdata = b.output('rdata', entryBits);
  const rdCount = b.output('rd_count', countBits);
  const addrBits = b.localparam('WIDE_BITS', add(countBits, num(1)));
  const offset = sized(b, 'BANK_OFFSET', addrBits, depth);
  const counts = b.memory('counts', countBits, num(2));
  const wrCount = b.wire('wr_count', countBits);
  const waddr = b.wire('waddr', addrBits);
  const fullRaddr = b.wire('full_raddr', addrBits);
  b.assign(wrCount, index(counts, wrBank));
  b.assign(rdCount, index(counts, rdBank));
  const zero = lit(0, 1);
  b.assign(waddr, add(cat(zero, wrCount), cond(wrBank, offset, repeat(addrBits, zero))));
  b.assign(fullRaddr, add(cat(zero, raddr), cond(rdBank, offset, repeat(addrBits, zero))));
  b.always(clk, [
    if_(clear, [set(index(counts, num(0)), num(0)), set(index(counts, num(1)), num(0))], [
      if_(wrStart, [set(index(counts, clrBank), num(0))]),
      if_(we, [set(index(counts, wrBank), add(wrCount, num(1)))]),
    ]),
  ]);
  const ramWaddr = b.wire('ram_waddr', ramBits);
  const ramRaddr = b.wire('ram_raddr', ramBits);
  b.comment('the bank offset needs one bit more than a count; the sum fits ADDR_BITS');
  b.assign(ramWaddr, range(waddr, minus1(ramBits), num(0)));
  b.assign(ramRaddr, range(fullRaddr, minus1(ramBits), num(0)));
  markUnused(b, 'address_top', waddr, fullRaddr);
  b.instance('snn_ram', 'ram', {
    WIDTH: entryBits, DEPTH: mul(banks, depth), ADDR_BITS: ramBits, HAS_INIT: num(0), INIT_FILE: str(''),
  }, { clk, re, raddr: ramRaddr, rdata, we, waddr: ramWaddr, wdata });
  return b.build();
}
