/**
 * @fileoverview The UART framing protocol of the board designs (docs/uart-protocol.md) in one place: the bytes, the
 * commands and replies, the CRC-8 (software form, and its XOR table for the hardware), and the frames a host writes
 * and reads. The hardware (frame-rx.ts, frame-tx.ts) and the host (serial-host.ts) both take their constants from here.
 */

/** A request starts with REQUEST_START, a reply with REPLY_START. */
export const REQUEST_START = 0xa5;
export const REPLY_START = 0x5a;
export const PROTOCOL_VERSION = 1;

/** Request commands (ASCII letters, so a dump reads). */
export const CMD_INFO = 0x49; // 'I': no beats; replies INFO
export const CMD_DATA = 0x44; // 'D': beats of a sample, more follow; replies ACK
export const CMD_LAST = 0x4c; // 'L': the sample's last beats (TLAST on the last); replies RESULT

/** Reply types. */
export const REPLY_INFO = 0x49;
export const REPLY_ACK = 0x41;
export const REPLY_RESULT = 0x52;
export const REPLY_NAK = 0x4e;

/** NAK codes. */
export const NAK_CRC = 1;
export const NAK_COMMAND = 2;
export const NAK_COUNT = 3;
export const NAK_SILENCE = 4;
export const NAK_NO_RESULT = 5;
export const NAK_REASONS: Readonly<Record<number, string>> = {
  [NAK_CRC]: 'CRC mismatch',
  [NAK_COMMAND]: 'unknown command',
  [NAK_COUNT]: 'beat count out of range',
  [NAK_SILENCE]: 'the frame stopped before its end',
  [NAK_NO_RESULT]: 'the core produced no result (the sample had no pixels); the core was reset',
};

/** Bytes of the INFO body: fingerprint u32, version u8, in bytes u8, out bytes u8, beat pixels u8, max beats u16, classes u16. */
export const INFO_BYTES = 12;
/** cycles u32 and error u8 after the score and label beats of a RESULT body. */
export const RESULT_TRAILER_BYTES = 5;

/** CRC-8, polynomial x^8 + x^2 + x + 1 (0x07), initial value 0, no reflection: over type, count and body. */
export const CRC_POLY = 0x07;

function crcByte(x: number): number {
  let crc = x & 0xff;
  for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ CRC_POLY) & 0xff : (crc << 1) & 0xff;
  return crc;
}

export function crc8(bytes: Iterable<number>, crc = 0): number {
  for (const b of bytes) crc = crcByte(crc ^ b);
  return crc;
}

/**
 * The CRC step is linear in x = crc ^ byte: bit i of the next CRC is the XOR of the bits of x listed in entry i.
 * The hardware builds its CRC from this table, so the two cannot drift apart.
 */
export function crcXorTable(): number[][] {
  return Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => j).filter((j) => (crcByte(1 << j) >> i) & 1));
}

/** A request frame: start, command, beat count (u16 little-endian), the beats' bytes, CRC. */
export function requestFrame(command: number, beats: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const head = [command, beats & 0xff, beats >> 8];
  const crc = crc8(payload, crc8(head));
  return Uint8Array.from([REQUEST_START, ...head, ...payload, crc]);
}

/** What the board says about itself (the INFO body). */
export interface BoardInfo {
  readonly fingerprint: string;
  readonly version: number;
  readonly inBytes: number;
  readonly outBytes: number;
  readonly beatPixels: number;
  readonly maxBeats: number;
  readonly classes: number;
}

export const u16 = (bytes: Uint8Array, at: number): number => bytes[at]! | (bytes[at + 1]! << 8);
export const u32 = (bytes: Uint8Array, at: number): number => (u16(bytes, at) | (u16(bytes, at + 2) << 16)) >>> 0;

export function parseInfo(body: Uint8Array): BoardInfo {
  return {
    fingerprint: u32(body, 0).toString(16).padStart(8, '0'), version: body[4]!, inBytes: body[5]!, outBytes: body[6]!,
    beatPixels: body[7]!, maxBeats: u16(body, 8), classes: u16(body, 10),
  };
}

/** The INFO body a board sends: the hardware's constant and the tests' expectation. */
export function infoBody(info: BoardInfo): Uint8Array {
  const fp = Number.parseInt(info.fingerprint, 16);
  return Uint8Array.from([fp & 0xff, (fp >>> 8) & 0xff, (fp >>> 16) & 0xff, fp >>> 24, info.version, info.inBytes, info.outBytes, info.beatPixels, info.maxBeats & 0xff, info.maxBeats >> 8, info.classes & 0xff, info.classes >> 8]);
}

export interface BoardResult {
  readonly scores: number[];
  readonly label: number;
  readonly cycles: number;
  readonly error: boolean;
}

/** A RESULT body: per class OUT bytes of its score (two's complement), OUT bytes of label, cycles u32, error u8. */
export function parseResult(body: Uint8Array, classes: number, outBytes: number): BoardResult {
  const word = (k: number): bigint => {
    let v = 0n;
    for (let i = outBytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(body[k * outBytes + i]!);
    return v;
  };
  const bits = BigInt(8 * outBytes);
  const signedWord = (k: number): number => { const v = word(k); return Number(v >= 1n << (bits - 1n) ? v - (1n << bits) : v); };
  const at = (classes + 1) * outBytes;
  return { scores: Array.from({ length: classes }, (_, k) => signedWord(k)), label: Number(word(classes)), cycles: u32(body, at), error: body[at + 4] !== 0 };
}

export const resultBytes = (classes: number, outBytes: number): number => (classes + 1) * outBytes + RESULT_TRAILER_BYTES;

/** One s_axis beat as `bytes` little-endian bytes. */
export function beatBytes(beat: bigint, bytes: number): number[] {
  return Array.from({ length: bytes }, (_, i) => Number((beat >> BigInt(8 * i)) & 0xffn));
}
