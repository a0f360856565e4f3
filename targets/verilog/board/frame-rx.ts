/**
 * @fileoverview snn_frame_rx: the request side of the UART protocol (docs/uart-protocol.md). It parses a frame byte by
 * byte into a buffer, checks its beat count and CRC, and only then streams the buffered beats into snn_axis (so the
 * core's back-pressure never meets the UART); then it asks snn_frame_tx for the reply and waits until it is sent.
 * A frame that stops for SILENCE_CYCLES, or carries a bad command or count, is skipped until the line is silent and
 * answered with a NAK, so a host always gets one reply per request and the parser always returns to the start byte.
 */
import { add, cat, cond, eq, gt, if_, land, lit, lnot, lor, ModuleBuilder, mul, ne, num, range, set, sub, type Expr, type Module, type Stmt } from '../netlist.ts';
import type { BoardPlan } from './board-plan.ts';
import { KIND_ACK, KIND_INFO, KIND_NAK, KIND_RESULT } from './board-plan.ts';
import { crcNext } from './crc8-net.ts';
import { CMD_DATA, CMD_INFO, CMD_LAST, NAK_COMMAND, NAK_COUNT, NAK_CRC, NAK_SILENCE, REQUEST_START } from './protocol.ts';

/** Parser states, in frame order, then the stream to the core and the reply. */
const S = { SYNC: 0, CMD: 1, COUNT0: 2, COUNT1: 3, PAYLOAD: 4, CHECK: 5, SKIP: 6, READ: 7, TAKE: 8, OFFER: 9, REPLY: 10, WAIT_TX: 11 } as const;
const STATE_BITS = 4;

export function frameRxModule(bp: BoardPlan): Module {
  const inBits = 8 * bp.inBytes;
  const b = new ModuleBuilder('snn_frame_rx', 'UART request parser: buffered beats to s_axis after a good CRC, then a reply request');
  const silenceCycles = b.param('SILENCE_CYCLES', num(5_000_000), 'cycles without a byte that end a frame early (NAK 4)');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const inValid = b.input('in_valid');
  const inByte = b.input('in_byte', num(8));
  const sValid = b.output('s_axis_tvalid');
  const sReady = b.input('s_axis_tready');
  const sData = b.output('s_axis_tdata', num(inBits));
  const sLast = b.output('s_axis_tlast');
  const replyValid = b.output('reply_valid');
  const replyReady = b.input('reply_ready');
  const replyKind = b.output('reply_kind', num(2), { reg: true });
  const replyCode = b.output('reply_code', num(8), { reg: true });
  const txBusy = b.input('tx_busy');
  const busy = b.output('busy');

  const state = b.reg('state', num(STATE_BITS));
  const cmd = b.reg('cmd', num(8));
  const count = b.reg('count', num(16));
  const bytesLeft = b.reg('bytes_left', num(16));
  const beatsLeft = b.reg('beats_left', num(16));
  // s_axis_tlast as a register (beats_left == 1 of a LAST frame): the 16-bit compare sat on nextpnr's critical path
  const lastBeat = b.reg('last_beat');
  const isLast = eq(cmd, lit(CMD_LAST, 8));
  const waddr = b.reg('waddr', num(bp.bufferAddrBits));
  const raddr = b.reg('raddr', num(bp.bufferAddrBits));
  const rdata = b.wire('rdata', num(8));
  const crc = b.reg('crc', num(8));
  const silent = b.reg('silent', num(32));
  const beat = b.reg('beat', num(inBits));
  const byteInBeat = b.reg('byte_in_beat', num(8));
  const crcAfter = crcNext(b, 'crc_x', crc, inByte);
  const at = (s: number): Expr => eq(state, lit(s, STATE_BITS));
  const go = (s: number): Stmt => set(state, lit(s, STATE_BITS));
  const nak = (code: number): Stmt[] => [set(replyKind, lit(KIND_NAK, 2)), set(replyCode, lit(code, 8)), go(S.REPLY)];
  const skip = (code: number): Stmt[] => [set(replyCode, lit(code, 8)), go(S.SKIP)];

  b.instance('snn_ram', 'buffer', { WIDTH: num(8), DEPTH: num(bp.bufferBytes), ADDR_BITS: num(bp.bufferAddrBits) }, {
    clk, re: at(S.READ), raddr, rdata, we: land(inValid, at(S.PAYLOAD)), waddr, wdata: inByte,
  });
  b.assign(sValid, at(S.OFFER));
  b.assign(sData, beat);
  b.assign(sLast, lastBeat);
  b.assign(replyValid, at(S.REPLY));
  b.assign(busy, ne(state, lit(S.SYNC, STATE_BITS)));

  // COUNT1 sees the whole count: its high byte arrives now. Its tests take the low byte's as flags registered at COUNT0
  // (two 16-bit compares sat on nextpnr's critical path).
  const lowZero = b.reg('low_zero');
  const lowAbove = b.reg('low_above');
  const maxHigh = lit(bp.maxBeats >> 8, 8);
  const countZero = land(eq(inByte, lit(0, 8)), lowZero);
  const countAbove = lor(gt(inByte, maxHigh), land(eq(inByte, maxHigh), lowAbove));
  const fullCount = b.wire('full_count', num(16));
  b.assign(fullCount, cat(inByte, range(count, 7, 0)));
  const countBytes = b.wire('count_bytes', num(16));
  b.assign(countBytes, mul(fullCount, lit(bp.inBytes, 16)));
  const isData = lor(eq(cmd, lit(CMD_DATA, 8)), eq(cmd, lit(CMD_LAST, 8)));
  const onByte: Stmt[] = [{
    kind: 'case', subject: state, default: [], arms: [
      { labels: [lit(S.SYNC, STATE_BITS)], body: [if_(eq(inByte, lit(REQUEST_START, 8)), [go(S.CMD), set(crc, lit(0, 8))])] },
      { labels: [lit(S.CMD, STATE_BITS)], body: [set(cmd, inByte), set(crc, crcAfter), go(S.COUNT0)] },
      { labels: [lit(S.COUNT0, STATE_BITS)], body: [
        set(count, cat(lit(0, 8), inByte)), set(crc, crcAfter), go(S.COUNT1),
        set(lowZero, eq(inByte, lit(0, 8))), set(lowAbove, gt(inByte, lit(bp.maxBeats & 0xff, 8))),
      ] },
      { labels: [lit(S.COUNT1, STATE_BITS)], body: [
        set(count, fullCount), set(crc, crcAfter),
        if_(eq(cmd, lit(CMD_INFO, 8)), [if_(eq(fullCount, lit(0, 16)), [go(S.CHECK)], skip(NAK_COUNT))], [
          if_(isData, [
            if_(lor(countZero, countAbove), skip(NAK_COUNT), [
              go(S.PAYLOAD), set(waddr, lit(0, bp.bufferAddrBits)), set(bytesLeft, countBytes),
            ]),
          ], skip(NAK_COMMAND)),
        ]),
      ] },
      { labels: [lit(S.PAYLOAD, STATE_BITS)], body: [
        set(crc, crcAfter), set(waddr, add(waddr, lit(1, bp.bufferAddrBits))), set(bytesLeft, sub(bytesLeft, lit(1, 16))),
        if_(eq(bytesLeft, lit(1, 16)), [go(S.CHECK)]),
      ] },
      { labels: [lit(S.CHECK, STATE_BITS)], body: [
        if_(ne(inByte, crc), nak(NAK_CRC), [
          if_(eq(cmd, lit(CMD_INFO, 8)), [set(replyKind, lit(KIND_INFO, 2)), go(S.REPLY)], [
            set(raddr, lit(0, bp.bufferAddrBits)), set(beatsLeft, count), set(lastBeat, land(isLast, eq(count, lit(1, 16)))), set(byteInBeat, lit(0, 8)), go(S.READ),
          ]),
        ]),
      ] },
    ],
  }];
  const receiving = land(gt(state, lit(S.SYNC, STATE_BITS)), lnot(gt(state, lit(S.SKIP, STATE_BITS))));
  const shifted = inBits > 8 ? cat(rdata, range(beat, inBits - 1, 8)) : rdata;
  b.always(clk, [
    if_(rst, [go(S.SYNC), set(silent, lit(0, 32)), set(replyKind, lit(KIND_INFO, 2)), set(replyCode, lit(0, 8))], [
      if_(inValid, [set(silent, lit(0, 32)), ...onByte], [
        if_(receiving, [
          set(silent, add(silent, lit(1, 32))),
          if_(eq(silent, sub(silenceCycles, num(1))), [set(silent, lit(0, 32)), if_(at(S.SKIP), [set(replyKind, lit(KIND_NAK, 2)), go(S.REPLY)], nak(NAK_SILENCE))]),
        ]),
      ]),
      // The buffer's read port answers one cycle after READ.
      if_(at(S.READ), [go(S.TAKE)]),
      if_(at(S.TAKE), [
        set(beat, shifted), set(raddr, add(raddr, lit(1, bp.bufferAddrBits))),
        if_(eq(byteInBeat, lit(bp.inBytes - 1, 8)), [set(byteInBeat, lit(0, 8)), go(S.OFFER)], [set(byteInBeat, add(byteInBeat, lit(1, 8))), go(S.READ)]),
      ]),
      if_(land(at(S.OFFER), sReady), [
        set(beatsLeft, sub(beatsLeft, lit(1, 16))), set(lastBeat, land(isLast, eq(beatsLeft, lit(2, 16)))),
        if_(eq(beatsLeft, lit(1, 16)), [set(replyKind, cond(isLast, lit(KIND_RESULT, 2), lit(KIND_ACK, 2))), go(S.REPLY)], [go(S.READ)]),
      ]),
      if_(land(at(S.REPLY), replyReady), [go(S.WAIT_TX)]),
      if_(land(at(S.WAIT_TX), lnot(txBusy)), [go(S.SYNC)]),
    ]),
  ]);
  return b.build();
}
