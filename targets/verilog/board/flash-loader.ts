/**
 * @fileoverview snn_flash_loader: the boot loader of a loaded design (plan.load). After reset it wakes the board's SPI
 * flash (0xAB, release from deep power-down, then a pause), reads the weight image with one READ (0x03) from
 * FLASH_OFFSET, and writes each word into the weight memory through load_we / load_addr / load_data; `done` rises once
 * the last word is written and stays high. SPI mode 0 at half the clock: SCK rises on one edge and falls on the next,
 * MISO is sampled where SCK rises. The image holds each word in WORD_BYTES bytes, most significant byte first
 * (flash-image.ts).
 */
import { add, cat, eq, if_, index, lit, ModuleBuilder, num, range, set, shl, sub, type Module } from '../netlist.ts';
import { indexBits } from '../cores/common.ts';
import type { LoadPlan } from '../load-plan.ts';

export const CMD_WAKE = 0xab;
export const CMD_READ = 0x03;
/** Cycles between the wake command and the read (the flash needs a few microseconds: tRES1 is 3 us on common parts). */
export const WAKE_CYCLES = 1023;

const WAKE_START = 0;
const SHIFT = 1;
const WAKE_END = 2;
const WAIT = 3;
const DATA = 4;
const END = 5;
const DONE = 6;

export const wordBytes = (load: LoadPlan): number => Math.ceil(load.width / 8);

export function flashLoaderModule(load: LoadPlan, flashOffset: number): Module {
  const wordBits = 8 * wordBytes(load);
  const bitBits = indexBits(wordBits);
  const b = new ModuleBuilder('snn_flash_loader', `boot loader: ${load.words} words of ${load.width} bits from SPI flash offset 0x${flashOffset.toString(16)}`);
  const clk = b.input('clk');
  const rst = b.input('rst');
  const sckOut = b.output('flash_sck');
  const ssbOut = b.output('flash_ssb');
  const mosi = b.output('flash_mosi');
  const miso = b.input('flash_miso');
  const loadWe = b.output('load_we');
  const loadAddr = b.output('load_addr', num(load.addrBits));
  const loadData = b.output('load_data', num(load.width));
  const done = b.output('done', undefined, { reg: true });
  const state = b.reg('state', num(3));
  const phase = b.reg('phase');
  const sck = b.reg('sck');
  const ssb = b.reg('ssb', undefined, false, lit(1, 1));
  const out = b.reg('out', num(32));
  const count = b.reg('count', num(6));
  const reading = b.reg('reading');
  const wait = b.reg('wait_count', num(10));
  const bit = b.reg('bit_index', num(bitBits));
  const word = b.reg('word', num(wordBits));
  const we = b.reg('we');
  const waddr = b.reg('waddr', num(load.addrBits));
  b.assign(sckOut, sck);
  b.assign(ssbOut, ssb);
  b.assign(mosi, index(out, 31));
  b.assign(loadWe, we);
  b.assign(loadAddr, waddr);
  b.assign(loadData, range(word, load.width - 1, 0));
  const to = (s: number) => set(state, lit(s, 3));
  const edge = (rising: Parameters<typeof if_>[1], falling: Parameters<typeof if_>[1]) =>
    if_(phase, [set(sck, lit(0, 1)), set(phase, lit(0, 1)), ...falling], [set(sck, lit(1, 1)), set(phase, lit(1, 1)), ...rising]);
  const readCommand = BigInt(CMD_READ) << 24n | BigInt(flashOffset);
  b.always(clk, [
    if_(rst, [
      to(WAKE_START), set(phase, lit(0, 1)), set(sck, lit(0, 1)), set(ssb, lit(1, 1)), set(we, lit(0, 1)), set(done, lit(0, 1)),
      set(waddr, lit(0, load.addrBits)), set(bit, lit(0, bitBits)),
    ], [
      set(we, lit(0, 1)),
      {
        kind: 'case', subject: state, default: [], arms: [
          { labels: [lit(WAKE_START, 3)], body: [set(ssb, lit(0, 1)), set(out, lit(CMD_WAKE << 24 >>> 0, 32)), set(count, lit(8, 6)), set(reading, lit(0, 1)), to(SHIFT)] },
          { labels: [lit(SHIFT, 3)], body: [edge([], [
            set(out, shl(out, num(1))), set(count, sub(count, lit(1, 6))),
            if_(eq(count, lit(1, 6)), [if_(reading, [to(DATA)], [to(WAKE_END)])]),
          ])] },
          { labels: [lit(WAKE_END, 3)], body: [set(ssb, lit(1, 1)), set(wait, lit(WAKE_CYCLES, 10)), to(WAIT)] },
          { labels: [lit(WAIT, 3)], body: [if_(eq(wait, lit(0, 10)), [
            set(ssb, lit(0, 1)), set(out, lit(readCommand, 32)), set(count, lit(32, 6)), set(reading, lit(1, 1)), to(SHIFT),
          ], [set(wait, sub(wait, lit(1, 10)))])] },
          { labels: [lit(DATA, 3)], body: [
            edge([
              set(word, cat(range(word, wordBits - 2, 0), miso)),
              if_(eq(bit, lit(wordBits - 1, bitBits)), [set(we, lit(1, 1)), set(bit, lit(0, bitBits))], [set(bit, add(bit, lit(1, bitBits)))]),
            ], []),
            // The word completed on the rising edge is written now; the last one ends the read.
            if_(we, [set(waddr, add(waddr, lit(1, load.addrBits))), if_(eq(waddr, lit(load.words - 1, load.addrBits)), [to(END)])]),
          ] },
          { labels: [lit(END, 3)], body: [set(ssb, lit(1, 1)), set(sck, lit(0, 1)), set(done, lit(1, 1)), to(DONE)] },
        ],
      },
    ]),
  ]);
  return b.build();
}
