/**
 * @fileoverview What both random program generators share: their options and the output mode a reset allows. It sits
 * below random-program.ts (the default generator, which dispatches) and random-extended.ts, so they import it
 * rather than each other.
 */
import type { IrEncoder } from './encoder.ts';
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
}

/** An output mode for `reset`: 'none' needs 'membrane'. */
export function outputForReset(output: IrOutput['kind'] | undefined, reset: IrReset['kind'] | undefined): IrOutput['kind'] | undefined {
  if (reset !== 'none') return output;
  if (output !== undefined && output !== 'membrane') throw new RangeError(`randomProgram: reset none needs output membrane, not ${output}`);
  return 'membrane';
}
