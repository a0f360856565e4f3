/**
 * @fileoverview The host side of the UART protocol (docs/uart-protocol.md) over a serial device: `stty` sets the line
 * (raw, no echo, the baud), then the device file is read and written as a terminal stream, so no native module is
 * needed. The same code talks to a board and to the Verilator harness behind a pseudo-terminal (sim-harness.ts).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { SnncError } from '../../../base/errors.ts';
import { aerBeats } from '../run.ts';
import {
  CMD_DATA, CMD_INFO, CMD_LAST, crc8, NAK_REASONS, parseInfo, parseResult, REPLY_ACK, REPLY_INFO, REPLY_NAK, REPLY_RESULT,
  REPLY_START, requestFrame, u16, beatBytes, type BoardInfo, type BoardResult,
} from './protocol.ts';

interface Reply {
  readonly type: number;
  readonly body: Uint8Array;
}

export class SerialLink {
  private received = Buffer.alloc(0);
  private wake: (() => void) | undefined;

  private constructor(
    readonly port: string,
    private readonly input: ReadStream,
    private readonly output: WriteStream,
    private readonly timeoutMs: number,
  ) {
    input.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake?.();
    });
    input.on('error', () => this.wake?.());
  }

  /** Sets the line with stty and opens the device; a missing device or a failing stty is one line. */
  static open(port: string, baud: number, timeoutMs: number): SerialLink {
    if (!existsSync(port)) throw new SnncError('io', `--port ${port}: no such device (is the board plugged in?)`);
    const stty = spawnSync('stty', ['-F', port, 'raw', '-echo', String(baud)], { encoding: 'utf8' });
    if (stty.error || stty.status !== 0) throw new SnncError('io', `--port ${port}: stty could not set it to raw ${baud} baud: ${(stty.stderr || stty.error?.message || '').trim().split('\n')[0]}`);
    const flags = constants.O_RDWR | constants.O_NOCTTY;
    // One descriptor for each direction: each stream watches its own.
    const readFd = openSync(port, flags);
    let writeFd: number;
    try {
      writeFd = openSync(port, flags);
    } catch (e) {
      closeSync(readFd);
      throw e;
    }
    return new SerialLink(port, new ReadStream(readFd), new WriteStream(writeFd), timeoutMs);
  }

  close(): void {
    this.input.destroy();
    this.output.destroy();
  }

  /** Sends a request and waits for its reply frame (a NAK is an error naming its reason). */
  async request(frame: Uint8Array, what: string): Promise<Reply> {
    this.received = Buffer.alloc(0);
    this.output.write(frame);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const reply = this.takeReply();
      if (reply) {
        if (reply.type === REPLY_NAK) throw new SnncError('mismatch', `${this.port}: the board refused ${what}: NAK ${reply.body[0]} (${NAK_REASONS[reply.body[0]!] ?? 'unknown code'})`);
        return reply;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new SnncError('tool', `${this.port}: no reply to ${what} within ${this.timeoutMs / 1000} s (is the board programmed with this build and the line at its baud?)`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      this.wake = undefined;
    }
  }

  /** A whole reply frame from the bytes received, if there is one; bytes before a start byte are line noise. */
  private takeReply(): Reply | undefined {
    const start = this.received.indexOf(REPLY_START);
    if (start < 0) return void (this.received = Buffer.alloc(0));
    const bytes = this.received.subarray(start);
    if (bytes.length < 4) return undefined;
    const length = u16(bytes, 2);
    if (bytes.length < 5 + length) return undefined;
    const crc = crc8(bytes.subarray(1, 4 + length));
    this.received = Buffer.from(bytes.subarray(5 + length));
    if (crc !== bytes[4 + length]) throw new SnncError('tool', `${this.port}: a reply failed its CRC (line noise, or the wrong baud)`);
    return { type: bytes[1]!, body: Uint8Array.from(bytes.subarray(4, 4 + length)) };
  }
}

export async function queryInfo(link: SerialLink): Promise<BoardInfo> {
  const reply = await link.request(requestFrame(CMD_INFO, 0), 'the INFO request');
  if (reply.type !== REPLY_INFO) throw new SnncError('tool', `${link.port}: INFO was answered with reply type 0x${reply.type.toString(16)}`);
  return parseInfo(reply.body);
}

/** One sample's beats in requests of at most `maxBeats`, the last as LAST; the RESULT of the last. */
export async function runSample(link: SerialLink, beats: readonly bigint[], info: BoardInfo, what: string): Promise<BoardResult> {
  for (let at = 0; ; at += info.maxBeats) {
    const chunk = beats.slice(at, at + info.maxBeats);
    const last = at + info.maxBeats >= beats.length;
    const payload = Uint8Array.from(chunk.flatMap((beat) => beatBytes(beat, info.inBytes)));
    const reply = await link.request(requestFrame(last ? CMD_LAST : CMD_DATA, chunk.length, payload), what);
    const expected = last ? REPLY_RESULT : REPLY_ACK;
    if (reply.type !== expected) throw new SnncError('tool', `${link.port}: ${what} was answered with reply type 0x${reply.type.toString(16)}`);
    if (last) return parseResult(reply.body, info.classes, info.outBytes);
  }
}

export interface BeatLayout {
  readonly pixelBits: number;
  readonly beatPixels: number;
  readonly pixels: number;
  readonly aer?: { readonly addrBits: number; readonly countBits: number };
}

/** The s_axis beats of one sample (docs/axi-stream.md): seed then packed pixels, or the address-event stream. */
export function sampleBeats(sample: Uint8Array, seed: number, layout: BeatLayout): bigint[] {
  if (layout.aer) return aerBeats(sample, layout.pixels, layout.aer);
  const beats = [BigInt(seed >>> 0)];
  for (let p = 0; p < sample.length; p += layout.beatPixels) {
    let beat = 0n;
    for (let r = 0; r < layout.beatPixels && p + r < sample.length; r++) beat |= BigInt(sample[p + r]!) << BigInt(r * layout.pixelBits);
    beats.push(beat);
  }
  return beats;
}
