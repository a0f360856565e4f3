/**
 * @fileoverview What the UART board layer decides from the design plan: beat sizes in bytes, the receive buffer (the
 * beats of one request), and the timeouts. Every board shares it; the board table (boards.ts) adds pins and clocks.
 */
import type { DesignPlan } from '../plan.ts';
import type { LoadPlan } from '../load-plan.ts';
import { axisWidths } from '../top-axis.ts';
import { cycleBound } from '../emit.ts';

/** One request's beats are buffered before any reaches the core: at most this many bytes (4 KiB is one 7-series RAMB36). */
export const BUFFER_BYTES_MAX = 2048;

export interface BoardPlan {
  readonly inBytes: number;
  readonly outBytes: number;
  /** Beats one DATA or LAST request may carry. */
  readonly maxBeats: number;
  readonly bufferBytes: number;
  readonly bufferAddrBits: number;
  readonly classes: number;
  readonly beatPixels: number;
  /** Beats of one image sample (seed + pixel beats); 0 for an events design. */
  readonly sampleBeats: number;
  /** Cycles the reply waits for the core's first score before it gives up (NAK 5) and resets the core. */
  readonly resultTimeoutCycles: number;
  /** The loaded weight memory (plan.load), whose load port snn_uart passes down. */
  readonly load?: LoadPlan;
}

export function planBoard(plan: DesignPlan): BoardPlan {
  const { inBits, outBits, pixelBeats } = axisWidths(plan);
  const inBytes = inBits / 8;
  const sampleBeats = plan.aer ? 0 : pixelBeats + 1;
  const longest = plan.aer ? plan.program.timesteps * (plan.pixels + 1) : sampleBeats;
  const maxBeats = Math.min(longest, Math.floor(BUFFER_BYTES_MAX / inBytes));
  const bufferBytes = maxBeats * inBytes;
  return {
    inBytes, outBytes: outBits / 8, maxBeats, bufferBytes, bufferAddrBits: Math.max(1, Math.ceil(Math.log2(bufferBytes))),
    classes: plan.program.classes, beatPixels: plan.beatPixels, sampleBeats, resultTimeoutCycles: 4 * cycleBound(plan),
    ...(plan.load ? { load: plan.load } : {}),
  };
}

/** The reply frame_rx asks frame_tx for (a 2-bit code between the two modules). */
export const KIND_INFO = 0;
export const KIND_ACK = 1;
export const KIND_RESULT = 2;
export const KIND_NAK = 3;
