/**
 * @fileoverview The 8N1 UART as netlist data: snn_uart_rx (a two-flop synchronizer, a start bit confirmed at its
 * middle, eight data bits LSB first sampled at their middles, a stop bit that must be high or the byte is dropped) and
 * snn_uart_tx (start, eight data bits LSB first, stop). CLKS_PER_BIT = clock / baud, a parameter (docs/uart-protocol.md).
 */
import { sized } from '../cores/common.ts';
import { add, cat, div, eq, if_, index, land, lit, lnot, ModuleBuilder, num, range, set, sub, type Module } from '../netlist.ts';
import { countdown } from './countdown.ts';

/** Receiver states. */
const IDLE = 0;
const START = 1;
const DATA = 2;
const STOP = 3;

/** CLKS_PER_BIT must stay below 2^MAX_TIMER_BITS: boards.ts refuses a clock and baud that do not. */
export const MAX_TIMER_BITS = 16;

export function uartRxModule(): Module {
  const b = new ModuleBuilder('snn_uart_rx', 'UART receiver, 8N1, one byte per out_valid pulse');
  const clksPerBit = b.param('CLKS_PER_BIT', num(100), 'clock cycles per bit (clock / baud)');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const rx = b.input('rx');
  const outValid = b.output('out_valid', undefined, { reg: true });
  const outByte = b.output('out_byte', num(8), { reg: true });
  // Two flops against metastability; the line idles high.
  const sync = b.reg('rx_sync', num(3), false, lit(7, 3));
  const line = index(sync, 2);
  const state = b.reg('state', num(2));
  // Bit times count down (countdown.ts); the start bit is confirmed half a bit in.
  const timer = countdown(b, 'count', clksPerBit);
  const startHalf = set(timer.counter, sized(b, 'HALF_START', timer.bits, b.localparam('HALF_BIT', div(clksPerBit, num(2))), 2));
  const bit = b.reg('bit_index', num(3));
  const shift = b.reg('shift', num(8));
  const toState = (s: number) => set(state, lit(s, 2));
  b.always(clk, [
    set(sync, cat(range(sync, 1, 0), rx)),
    set(outValid, lit(0, 1)),
    if_(rst, [toState(IDLE), timer.restart, set(bit, lit(0, 3))], [
      {
        kind: 'case', subject: state, default: [], arms: [
          // A falling edge (high before, low now) starts a byte; the previous sample is sync[2], the new one sync[1].
          { labels: [lit(IDLE, 2)], body: [if_(land(line, lnot(index(sync, 1))), [toState(START), startHalf])] },
          // Half a bit later the start bit must still be low, or it was a glitch.
          { labels: [lit(START, 2)], body: [if_(timer.expired, [
            timer.restart, if_(line, [toState(IDLE)], [toState(DATA), set(bit, lit(0, 3))]),
          ], [timer.step])] },
          { labels: [lit(DATA, 2)], body: [if_(timer.expired, [
            timer.restart, set(shift, cat(line, range(shift, 7, 1))), set(bit, add(bit, lit(1, 3))),
            if_(eq(bit, lit(7, 3)), [toState(STOP)]),
          ], [timer.step])] },
          // The middle of the stop bit: high delivers the byte; low (a framing error or a break) drops it.
          { labels: [lit(STOP, 2)], body: [if_(timer.expired, [
            timer.restart, toState(IDLE), if_(line, [set(outValid, lit(1, 1)), set(outByte, shift)]),
          ], [timer.step])] },
        ],
      },
    ]),
  ]);
  return b.build();
}

export function uartTxModule(): Module {
  const b = new ModuleBuilder('snn_uart_tx', 'UART transmitter, 8N1: in_byte taken when in_valid and in_ready');
  const clksPerBit = b.param('CLKS_PER_BIT', num(100), 'clock cycles per bit (clock / baud)');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const inValid = b.input('in_valid');
  const inReady = b.output('in_ready');
  const inByte = b.input('in_byte', num(8));
  const tx = b.output('tx');
  // The frame shifts out LSB first: start (0), data, stop (1); the register idles at all ones.
  const frame = b.reg('frame', num(10));
  const bitsLeft = b.reg('bits_left', num(4));
  const timer = countdown(b, 'count', clksPerBit);
  // in_ready is bits_left == 0 kept as a register (the compare fed the reply framer's wide enables on nextpnr's
  // critical path)
  const idle = b.reg('idle');
  b.assign(inReady, idle);
  b.assign(tx, index(frame, 0));
  b.always(clk, [
    if_(rst, [set(frame, lit(0x3ff, 10)), set(bitsLeft, lit(0, 4)), timer.restart, set(idle, lit(1, 1))], [
      if_(land(inValid, idle), [set(frame, cat(lit(1, 1), inByte, lit(0, 1))), set(bitsLeft, lit(10, 4)), timer.restart, set(idle, lit(0, 1))]),
      if_(lnot(idle), [if_(timer.expired, [
        timer.restart, set(frame, cat(lit(1, 1), range(frame, 9, 1))), set(bitsLeft, sub(bitsLeft, lit(1, 4))),
        set(idle, eq(bitsLeft, lit(1, 4))),
      ], [timer.step])]),
    ]),
  ]);
  return b.build();
}
