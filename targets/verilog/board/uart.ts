/**
 * @fileoverview The 8N1 UART as netlist data: snn_uart_rx (a two-flop synchronizer, a start bit confirmed at its
 * middle, eight data bits LSB first sampled at their middles, a stop bit that must be high or the byte is dropped) and
 * snn_uart_tx (start, eight data bits LSB first, stop). CLKS_PER_BIT = clock / baud, a parameter (docs/uart-protocol.md).
 */
import { sized } from '../cores/common.ts';
import { add, call, cat, div, eq, type Expr, if_, index, land, lit, lnot, ModuleBuilder, num, range, set, sub, type Module } from '../netlist.ts';

/** Receiver states. */
const IDLE = 0;
const START = 1;
const DATA = 2;
const STOP = 3;

/**
 * CLKS_PER_BIT must stay below 2^COUNT_BITS (boards.ts refuses a clock and baud that do not). The bit-time counters
 * themselves are $clog2(CLKS_PER_BIT + 1) bits: a 16-bit compare sat on nextpnr's critical path.
 */
export const COUNT_BITS = 16;

/** The bit-time counter's width, $clog2(CLKS_PER_BIT + 1): it counts 0 .. CLKS_PER_BIT - 1. */
function bitCounterBits(b: ModuleBuilder, clksPerBit: Expr): Expr {
  return b.localparam('COUNT_BITS', call('$clog2', add(clksPerBit, num(1))));
}

export function uartRxModule(): Module {
  const b = new ModuleBuilder('snn_uart_rx', 'UART receiver, 8N1, one byte per out_valid pulse');
  const clksPerBit = b.param('CLKS_PER_BIT', num(100), 'clock cycles per bit (clock / baud)');
  const countBits = bitCounterBits(b, clksPerBit);
  const clk = b.input('clk');
  const rst = b.input('rst');
  const rx = b.input('rx');
  const outValid = b.output('out_valid', undefined, { reg: true });
  const outByte = b.output('out_byte', num(8), { reg: true });
  const halfBit = b.localparam('HALF_BIT', div(clksPerBit, num(2)));
  // Two flops against metastability; the line idles high.
  const sync = b.reg('rx_sync', num(3), false, lit(7, 3));
  const line = index(sync, 2);
  const state = b.reg('state', num(2));
  const count = b.reg('count', countBits);
  const bit = b.reg('bit_index', num(3));
  const shift = b.reg('shift', num(8));
  const bitEnd = sized(b, 'BIT_END', countBits, clksPerBit, 1);
  const halfEnd = sized(b, 'HALF_END', countBits, halfBit, 1);
  const atEnd = eq(count, bitEnd);
  const toState = (s: number) => set(state, lit(s, 2));
  b.always(clk, [
    set(sync, cat(range(sync, 1, 0), rx)),
    set(outValid, lit(0, 1)),
    if_(rst, [toState(IDLE), set(count, num(0)), set(bit, lit(0, 3))], [
      {
        kind: 'case', subject: state, default: [], arms: [
          // A falling edge (high before, low now) starts a byte; the previous sample is sync[2], the new one sync[1].
          { labels: [lit(IDLE, 2)], body: [if_(land(line, lnot(index(sync, 1))), [toState(START), set(count, num(0))])] },
          // Half a bit later the start bit must still be low, or it was a glitch.
          { labels: [lit(START, 2)], body: [if_(eq(count, halfEnd), [
            set(count, num(0)), if_(line, [toState(IDLE)], [toState(DATA), set(bit, lit(0, 3))]),
          ], [set(count, add(count, num(1)))])] },
          { labels: [lit(DATA, 2)], body: [if_(atEnd, [
            set(count, num(0)), set(shift, cat(line, range(shift, 7, 1))), set(bit, add(bit, lit(1, 3))),
            if_(eq(bit, lit(7, 3)), [toState(STOP)]),
          ], [set(count, add(count, num(1)))])] },
          // The middle of the stop bit: high delivers the byte; low (a framing error or a break) drops it.
          { labels: [lit(STOP, 2)], body: [if_(atEnd, [
            set(count, num(0)), toState(IDLE), if_(line, [set(outValid, lit(1, 1)), set(outByte, shift)]),
          ], [set(count, add(count, num(1)))])] },
        ],
      },
    ]),
  ]);
  return b.build();
}

export function uartTxModule(): Module {
  const b = new ModuleBuilder('snn_uart_tx', 'UART transmitter, 8N1: in_byte taken when in_valid and in_ready');
  const clksPerBit = b.param('CLKS_PER_BIT', num(100), 'clock cycles per bit (clock / baud)');
  const countBits = bitCounterBits(b, clksPerBit);
  const clk = b.input('clk');
  const rst = b.input('rst');
  const inValid = b.input('in_valid');
  const inReady = b.output('in_ready');
  const inByte = b.input('in_byte', num(8));
  const tx = b.output('tx');
  // The frame shifts out LSB first: start (0), data, stop (1); the register idles at all ones.
  const frame = b.reg('frame', num(10));
  const bitsLeft = b.reg('bits_left', num(4));
  const count = b.reg('count', countBits);
  const bitEnd = sized(b, 'BIT_END', countBits, clksPerBit, 1);
  b.assign(inReady, eq(bitsLeft, lit(0, 4)));
  b.assign(tx, index(frame, 0));
  b.always(clk, [
    if_(rst, [set(frame, lit(0x3ff, 10)), set(bitsLeft, lit(0, 4)), set(count, num(0))], [
      if_(land(inValid, inReady), [set(frame, cat(lit(1, 1), inByte, lit(0, 1))), set(bitsLeft, lit(10, 4)), set(count, num(0))]),
      if_(lnot(inReady), [if_(eq(count, bitEnd), [
        set(count, num(0)), set(frame, cat(lit(1, 1), range(frame, 9, 1))), set(bitsLeft, sub(bitsLeft, lit(1, 4))),
      ], [set(count, add(count, num(1)))])]),
    ]),
  ]);
  return b.build();
}
