/**
 * @fileoverview snn_frame_tx: the reply side of the UART protocol (docs/uart-protocol.md). It sends one reply frame per
 * request of snn_frame_rx: start byte, type, body length (u16), body, CRC-8. A RESULT body streams the core's m_axis
 * beats (scores, then the label) byte by byte as they come, then cycles_last and the error flag; if the core offers no
 * first beat within RESULT_TIMEOUT_CYCLES the reply becomes NAK 5 and the core is reset, so the link never hangs.
 */
import { add, cat, cond, eq, if_, land, lit, lnot, lor, ModuleBuilder, ne, num, range, set, shr, sub, type Expr, type Module, type Stmt } from '../netlist.ts';
import { markUnused } from '../cores/common.ts';
import { KIND_ACK, KIND_INFO, KIND_NAK, KIND_RESULT, type BoardPlan } from './board-plan.ts';
import { countdown } from './countdown.ts';
import { crcNext } from './crc8-net.ts';
import {
  INFO_BYTES, NAK_NO_RESULT, PROTOCOL_VERSION, REPLY_ACK, REPLY_INFO, REPLY_NAK, REPLY_RESULT, REPLY_START, RESULT_TRAILER_BYTES, resultBytes,
} from './protocol.ts';

const S = { IDLE: 0, WAIT: 1, HEAD: 2, BODY: 3, CRC: 4 } as const;
const STATE_BITS = 3;

/** The INFO body after the fingerprint, as a little-endian number: version, in bytes, out bytes, beat pixels, max beats, classes. */
function infoTail(bp: BoardPlan): bigint {
  const bytes = [PROTOCOL_VERSION, bp.inBytes, bp.outBytes, bp.beatPixels, bp.maxBeats & 0xff, bp.maxBeats >> 8, bp.classes & 0xff, bp.classes >> 8];
  return bytes.reduceRight((v, byte) => (v << 8n) | BigInt(byte), 0n);
}

export function frameTxModule(bp: BoardPlan): Module {
  const outBits = 8 * bp.outBytes;
  const wordBits = Math.max(outBits, 8 * INFO_BYTES, 8 * RESULT_TRAILER_BYTES);
  const b = new ModuleBuilder('snn_frame_tx', 'UART reply sender: INFO, ACK, RESULT (streamed from m_axis) or NAK frames');
  const timeout = b.param('RESULT_TIMEOUT_CYCLES', num(bp.resultTimeoutCycles), 'cycles to wait for the first score beat (then NAK 5)');
  const clk = b.input('clk');
  const rst = b.input('rst');
  const reqValid = b.input('req_valid');
  const reqReady = b.output('req_ready');
  const reqKind = b.input('req_kind', num(2));
  const reqCode = b.input('req_code', num(8));
  const mValid = b.input('m_axis_tvalid');
  const mReady = b.output('m_axis_tready');
  const mData = b.input('m_axis_tdata', num(outBits));
  const mLast = b.input('m_axis_tlast');
  const fingerprint = b.input('fingerprint', num(32));
  const cycles = b.input('cycles', num(32));
  const error = b.input('error');
  const outValid = b.output('out_valid');
  const outReady = b.input('out_ready');
  const outByte = b.output('out_byte', num(8));
  const busy = b.output('busy');
  const coreReset = b.output('core_reset', undefined, { reg: true });

  const state = b.reg('state', num(STATE_BITS));
  const kind = b.reg('kind', num(2));
  const code = b.reg('code', num(8));
  const head = b.reg('head', num(2));
  const word = b.reg('word', num(wordBits));
  const left = b.reg('bytes_left', num(8));
  const beats = b.reg('beats_left', num(16));
  // bytes_left == 0, beats_left != 0 and the core's error flag as registers: nextpnr's critical path ran from these
  // compares through the core's handshake (and its error flag) into the reply word. word_empty and more_beats change
  // with their counters; error_seen follows the flag a cycle late, long before the byte-serial reply reads it.
  const moreBeats = b.reg('more_beats');
  const wordEmpty = b.reg('word_empty');
  const errorSeen = b.reg('error_seen');
  // m_axis_tready as a register: the body wants a beat, and did the cycle before without taking one (nothing else
  // moves the body while it waits, so it still does); the AND of three registers sat on nextpnr's critical path.
  const readyQ = b.reg('ready_q');
  const trailer = b.reg('trailer_sent');
  const crc = b.reg('crc', num(8));
  const waited = countdown(b, 'waited', timeout);
  const headByte = b.wire('head_byte', num(8));
  const at = (s: number): Expr => eq(state, lit(s, STATE_BITS));
  const go = (s: number): Stmt => set(state, lit(s, STATE_BITS));
  const isKind = (k: number): Expr => eq(kind, lit(k, 2));
  const byKind = (values: Record<number, number>, bits: number): Expr =>
    cond(isKind(KIND_INFO), lit(values[KIND_INFO]!, bits), cond(isKind(KIND_ACK), lit(values[KIND_ACK]!, bits), cond(isKind(KIND_RESULT), lit(values[KIND_RESULT]!, bits), lit(values[KIND_NAK]!, bits))));
  const length = byKind({ [KIND_INFO]: INFO_BYTES, [KIND_ACK]: 1, [KIND_RESULT]: resultBytes(bp.classes, bp.outBytes), [KIND_NAK]: 1 }, 16);
  const type = byKind({ [KIND_INFO]: REPLY_INFO, [KIND_ACK]: REPLY_ACK, [KIND_RESULT]: REPLY_RESULT, [KIND_NAK]: REPLY_NAK }, 8);
  const lengthWire = b.wire('body_length', num(16));
  b.assign(lengthWire, length);
  b.assign(headByte, cond(eq(head, lit(0, 2)), lit(REPLY_START, 8), cond(eq(head, lit(1, 2)), type, cond(eq(head, lit(2, 2)), range(lengthWire, 7, 0), range(lengthWire, 15, 8)))));

  const inBody = land(at(S.BODY), wordEmpty);
  const wantsBeat = land(inBody, moreBeats);
  const beatIn = land(mValid, readyQ);
  b.assign(mReady, readyQ);
  b.assign(outValid, lor(lor(at(S.HEAD), at(S.CRC)), land(at(S.BODY), lnot(wordEmpty))));
  b.assign(outByte, cond(at(S.HEAD), headByte, cond(at(S.CRC), crc, range(word, 7, 0))));
  b.assign(reqReady, at(S.IDLE));
  b.assign(busy, lnot(at(S.IDLE)));
  const fire = land(outValid, outReady);
  const crcAfter = crcNext(b, 'crc_x', crc, outByte);

  const load = (value: Expr, bytes: number): Stmt[] => [set(word, value), set(left, lit(bytes, 8)), set(wordEmpty, lit(0, 1))];
  const trailerWord = (value: Expr, bits: number): Expr => (wordBits > bits ? cat(lit(0, wordBits - bits), value) : value);
  const info = trailerWord(cat(lit(infoTail(bp), 64), fingerprint), 96);
  const ackOrNak = trailerWord(cond(isKind(KIND_ACK), cat(lit(0, 7), errorSeen), code), 8);
  const result = trailerWord(cat(lit(0, 7), errorSeen, cycles), 40);
  b.always(clk, [
    set(coreReset, lit(0, 1)),
    set(errorSeen, error),
    set(readyQ, land(lnot(rst), land(wantsBeat, lnot(beatIn)))),
    if_(rst, [go(S.IDLE), set(left, lit(0, 8)), set(wordEmpty, lit(1, 1)), set(beats, lit(0, 16)), set(moreBeats, lit(0, 1))], [
      if_(land(at(S.IDLE), reqValid), [
        set(kind, reqKind), set(code, reqCode), set(head, lit(0, 2)), set(crc, lit(0, 8)), set(left, lit(0, 8)), set(wordEmpty, lit(1, 1)), set(trailer, lit(0, 1)), waited.restart,
        set(beats, cond(eq(reqKind, lit(KIND_RESULT, 2)), lit(bp.classes + 1, 16), lit(0, 16))),
        set(moreBeats, eq(reqKind, lit(KIND_RESULT, 2))),
        set(state, cond(eq(reqKind, lit(KIND_RESULT, 2)), lit(S.WAIT, STATE_BITS), lit(S.HEAD, STATE_BITS))),
      ]),
      if_(at(S.WAIT), [
        if_(mValid, [go(S.HEAD)], [
          if_(waited.expired, [set(kind, lit(KIND_NAK, 2)), set(code, lit(NAK_NO_RESULT, 8)), set(beats, lit(0, 16)), set(moreBeats, lit(0, 1)), set(coreReset, lit(1, 1)), go(S.HEAD)], [waited.step]),
        ]),
      ]),
      if_(land(at(S.HEAD), fire), [
        if_(ne(head, lit(0, 2)), [set(crc, crcAfter)]),
        set(head, add(head, lit(1, 2))),
        if_(eq(head, lit(3, 2)), [go(S.BODY)]),
      ]),
      if_(at(S.BODY), [
        if_(wordEmpty, [
          if_(moreBeats, [if_(beatIn, [...load(trailerWord(mData, outBits), bp.outBytes), set(beats, sub(beats, lit(1, 16))), set(moreBeats, ne(beats, lit(1, 16)))])], [
            if_(lnot(trailer), [
              set(trailer, lit(1, 1)),
              if_(isKind(KIND_INFO), load(info, INFO_BYTES), [if_(isKind(KIND_RESULT), load(result, RESULT_TRAILER_BYTES), load(ackOrNak, 1))]),
            ], [go(S.CRC)]),
          ]),
        ], [if_(fire, [set(crc, crcAfter), set(word, shr(word, lit(8, 8))), set(left, sub(left, lit(1, 8))), set(wordEmpty, eq(left, lit(1, 8)))])]),
      ]),
      if_(land(at(S.CRC), fire), [go(S.IDLE)]),
    ]),
  ]);
  markUnused(b, 'frame_tx', mLast);
  return b.build();
}
