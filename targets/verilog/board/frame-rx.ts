/**
 * @fileoverview snn_frame_rx: the request side of the UART protocol (docs/uart-protocol.md). It parses a frame byte by
 * byte into a buffer, checks its beat count and CRC, and only then streams the buffered beats into snn_axis (so the
 * core's back-pressure never meets the UART); then it asks snn_frame_tx for the reply and waits until it is sent.
 * A frame that stops for SILENCE_CYCLES, or carries a bad command or count, is skipped until the line is silent and
 * answered with a NAK, so a host always gets one reply per request and the parser always returns to the start byte.
 */
import { add, cat, cond, eq, gt, if_, land, lit, lnot, lor, ModuleBuilder, mul, num, range, set, sub, type Expr, type Module, type Stmt } from '../netlist.ts';
import type { BoardPlan } from './board-plan.ts';
import { KIND_ACK, KIND_INFO, KIND_NAK, KIND_RESULT } from './board-plan.ts';
import { countdown } from './countdown.ts';
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
  const count = b.reg('count', num(16));
  const bytesLeft = b.reg('bytes_left', num(16));
  const beatsLeft = b.reg('beats_left', num(16));
  // s_axis_tlast as a register (beats_left == 1 of a LAST frame): the 16-bit compare sat on nextpnr's critical path
  const lastBeat = b.reg('last_beat');
  // beats_left == 1 as a register too: the OFFER -> REPLY/READ choice sat on nextpnr's critical path
  const finalBeat = b.reg('final_beat');
  const waddr = b.reg('waddr', num(bp.bufferAddrBits));
  const raddr = b.reg('raddr', num(bp.bufferAddrBits));
  const rdata = b.wire('rdata', num(8));
  const crc = b.reg('crc', num(8));
  const silent = countdown(b, 'silent', silenceCycles);
  const beat = b.reg('beat', num(inBits));
  const byteBits = Math.max(1, Math.ceil(Math.log2(bp.inBytes)));
  const byteInBeat = b.reg('byte_in_beat', num(byteBits));
  // The received byte and its tests pass a register stage, so the parser reads registers only (compares of the
  // receiver's byte, from across the chip, led nextpnr's timing report). crc moves only when the parser takes a byte,
  // so is_crc, taken with the byte, is exact.
  const byteValid = b.reg('byte_q_valid');
  const byte = b.reg('byte_q', num(8));
  const stage: Stmt[] = [set(byteValid, land(lnot(rst), inValid)), set(byte, inByte)];
  const flag = (name: string, value: Expr): Expr => {
    const r = b.reg(name);
    stage.push(set(r, value));
    return r;
  };
  const is = (value: number): Expr => eq(inByte, lit(value, 8));
  const maxHigh = lit(bp.maxBeats >> 8, 8);
  const isStart = flag('is_start', is(REQUEST_START));
  const isZero = flag('is_zero', is(0));
  const isInfo = flag('is_info', is(CMD_INFO));
  const isLastCommand = flag('is_last', is(CMD_LAST));
  const isData = flag('is_data', lor(is(CMD_DATA), is(CMD_LAST)));
  const aboveHigh = flag('above_high', gt(inByte, maxHigh));
  const atHigh = flag('at_high', eq(inByte, maxHigh));
  const aboveLow = flag('above_low', gt(inByte, lit(bp.maxBeats & 0xff, 8)));
  const isCrc = flag('is_crc', eq(inByte, crc));
  // The command's tests, kept from its byte; bytes_left == 1, a cycle late (bytes come far apart).
  const cmdInfo = b.reg('cmd_info');
  const cmdData = b.reg('cmd_data');
  const isLast = b.reg('cmd_last');
  const payloadLast = b.reg('payload_last');
  const crcAfter = crcNext(b, 'crc_x', crc, byte);
  const at = (s: number): Expr => eq(state, lit(s, STATE_BITS));
  const go = (s: number): Stmt => set(state, lit(s, STATE_BITS));
  const nak = (code: number): Stmt[] => [set(replyKind, lit(KIND_NAK, 2)), set(replyCode, lit(code, 8)), go(S.REPLY)];
  const skip = (code: number): Stmt[] => [set(replyCode, lit(code, 8)), go(S.SKIP)];

  b.instance('snn_ram', 'buffer', { WIDTH: num(8), DEPTH: num(bp.bufferBytes), ADDR_BITS: num(bp.bufferAddrBits) }, {
    clk, re: at(S.READ), raddr, rdata, we: land(byteValid, at(S.PAYLOAD)), waddr, wdata: byte,
  });
  b.assign(sValid, at(S.OFFER));
  b.assign(sData, beat);
  b.assign(sLast, lastBeat);
  b.assign(replyValid, at(S.REPLY));
  b.assign(busy, lnot(at(S.SYNC)));

  // COUNT1 sees the whole count: its high byte arrives now. Its tests take the low byte's as flags registered at COUNT0
  // (two 16-bit compares sat on nextpnr's critical path).
  const lowZero = b.reg('low_zero');
  const lowAbove = b.reg('low_above');
  const countZero = land(isZero, lowZero);
  const countAbove = lor(aboveHigh, land(atHigh, lowAbove));
  const fullCount = b.wire('full_count', num(16));
  b.assign(fullCount, cat(byte, range(count, 7, 0)));
  const countBytes = b.wire('count_bytes', num(16));
  b.assign(countBytes, mul(fullCount, lit(bp.inBytes, 16)));
  const onByte: Stmt[] = [{
    kind: 'case', subject: state, default: [], arms: [
      { labels: [lit(S.SYNC, STATE_BITS)], body: [if_(isStart, [go(S.CMD), set(crc, lit(0, 8))])] },
      { labels: [lit(S.CMD, STATE_BITS)], body: [set(cmdInfo, isInfo), set(cmdData, isData), set(isLast, isLastCommand), set(crc, crcAfter), go(S.COUNT0)] },
      { labels: [lit(S.COUNT0, STATE_BITS)], body: [
        set(count, cat(lit(0, 8), byte)), set(crc, crcAfter), go(S.COUNT1), set(lowZero, isZero), set(lowAbove, aboveLow),
      ] },
      { labels: [lit(S.COUNT1, STATE_BITS)], body: [
        set(count, fullCount), set(crc, crcAfter),
        if_(cmdInfo, [if_(countZero, [go(S.CHECK)], skip(NAK_COUNT))], [
          if_(cmdData, [
            if_(lor(countZero, countAbove), skip(NAK_COUNT), [
              go(S.PAYLOAD), set(waddr, lit(0, bp.bufferAddrBits)), set(bytesLeft, countBytes),
            ]),
          ], skip(NAK_COMMAND)),
        ]),
      ] },
      { labels: [lit(S.PAYLOAD, STATE_BITS)], body: [
        set(crc, crcAfter), set(waddr, add(waddr, lit(1, bp.bufferAddrBits))), set(bytesLeft, sub(bytesLeft, lit(1, 16))),
        if_(payloadLast, [go(S.CHECK)]),
      ] },
      { labels: [lit(S.CHECK, STATE_BITS)], body: [
        if_(lnot(isCrc), nak(NAK_CRC), [
          if_(cmdInfo, [set(replyKind, lit(KIND_INFO, 2)), go(S.REPLY)], [
            set(raddr, lit(0, bp.bufferAddrBits)), set(beatsLeft, count), set(finalBeat, eq(count, lit(1, 16))), set(lastBeat, land(isLast, eq(count, lit(1, 16)))), set(byteInBeat, lit(0, byteBits)), go(S.READ),
          ]),
        ]),
      ] },
    ],
  }];
  // Tests of state are equalities only, so yosys's fsm pass recodes it one-hot (its next-state logic led nextpnr's
  // timing report as a binary code).
  const receiving = [S.CMD, S.COUNT0, S.COUNT1, S.PAYLOAD, S.CHECK, S.SKIP].map(at).reduce((x, y) => lor(x, y));
  const shifted = inBits > 8 ? cat(rdata, range(beat, inBits - 1, 8)) : rdata;
  b.always(clk, [...stage, set(payloadLast, eq(bytesLeft, lit(1, 16)))]);
  b.always(clk, [
    if_(rst, [go(S.SYNC), silent.restart, set(replyKind, lit(KIND_INFO, 2)), set(replyCode, lit(0, 8))], [
      if_(byteValid, [silent.restart, ...onByte], [
        if_(receiving, [
          if_(silent.expired, [silent.restart, if_(at(S.SKIP), [set(replyKind, lit(KIND_NAK, 2)), go(S.REPLY)], nak(NAK_SILENCE))], [silent.step]),
        ]),
      ]),
      // The buffer's read port answers one cycle after READ.
      if_(at(S.READ), [go(S.TAKE)]),
      if_(at(S.TAKE), [
        set(beat, shifted), set(raddr, add(raddr, lit(1, bp.bufferAddrBits))),
        if_(eq(byteInBeat, lit(bp.inBytes - 1, byteBits)), [set(byteInBeat, lit(0, byteBits)), go(S.OFFER)], [set(byteInBeat, add(byteInBeat, lit(1, byteBits))), go(S.READ)]),
      ]),
      if_(land(at(S.OFFER), sReady), [
        set(beatsLeft, sub(beatsLeft, lit(1, 16))), set(finalBeat, eq(beatsLeft, lit(2, 16))), set(lastBeat, land(isLast, eq(beatsLeft, lit(2, 16)))),
        if_(finalBeat, [set(replyKind, cond(isLast, lit(KIND_RESULT, 2), lit(KIND_ACK, 2))), go(S.REPLY)], [go(S.READ)]),
      ]),
      if_(land(at(S.REPLY), replyReady), [go(S.WAIT_TX)]),
      if_(land(at(S.WAIT_TX), lnot(txBusy)), [go(S.SYNC)]),
    ]),
  ]);
  return b.build();
}
