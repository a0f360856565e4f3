/**
 * @fileoverview What both random program generators share: their options and the output mode a reset allows. It sits
 * below random-program.ts (the default generator, which dispatches) and random-extended.ts, so they import it
 * rather than each other.
 */
import type { IrEncoder } from './encoder.ts';
import { intType } from './int-type.ts';
import type { IrOutput, IrReset } from './spiking.ts';

export interface RandomProgramOptions {
  /** Default generator: a conv first (true), never (false), or at random. Extended: conv layers forced / excluded. */
  readonly conv?: boolean;
  readonly output?: IrOutput['kind'];
  /** 'none' forces output 'membrane' (and throws with any other `output`). */
  readonly reset?: IrReset['kind'];
  readonly delay?: 0 | 1;
  readonly encoder?: IrEncoder['kind'];
  readonly weightBits?: number;
  readonly timesteps?: number;
  /** Random mixes of every IR feature (a different stream of programs than the default for the same seed). */
  readonly extended?: boolean;
  /** Extended only: at least one pool (true) or none (false). */
  readonly pool?: boolean;
  /** Extended only: at least one identity spiking layer (true) or none (false). */
  readonly identity?: boolean;
  /** Extended only: the readout source (random when absent; the default generator always reads the membrane). */
  readonly source?: 'membrane' | 'output';
  /**
   * Adds recurrent synapses, synaptic currents or both (each on at least one spiking layer) to the program the seed
   * makes otherwise; absent (the default), no layer has either and every seed gives the program it always did.
   */
  readonly recurrence?: 'recurrent' | 'synaptic' | 'both';
}

/** An output mode for `reset`: 'none' needs 'membrane'. */
export function outputForReset(output: IrOutput['kind'] | undefined, reset: IrReset['kind'] | undefined): IrOutput['kind'] | undefined {
  if (reset !== 'none') return output;
  if (output !== undefined && output !== 'membrane') throw new RangeError(`randomProgram: reset none needs output membrane, not ${output}`);
  return 'membrane';
}

/**
 * The encoder of `kind` (its input type is `outType`): u8.8 pixels for jitter and direct (jitterBits drawn only for
 * jitter, so seeds of older programs stay stable), or counts of u(1 + T mod 8).0 for dvs events in 100 us bins.
 */
export function randomEncoder(kind: IrEncoder['kind'], jitterBits: () => number, timesteps: number): IrEncoder {
  const pixels = intType(false, 8, 8);
  switch (kind) {
    case 'jitter':
      return { kind: 'jitter', prng: 'xorshift32', jitterBits: jitterBits(), outType: pixels };
    case 'direct':
      return { kind: 'direct', outType: pixels };
    case 'events':
      return { kind: 'events', binning: { source: 'dvs', binUs: 100, startUs: 0 }, outType: intType(false, 1 + (timesteps % 8), 0) };
  }
}
