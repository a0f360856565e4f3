/**
 * @fileoverview The jitter generator shared by every target: xorshift32 (Marsaglia 2003, shifts 13/17/5).
 *
 * Seeding: state = seed (uint32), or 0x6D2B79F5 when seed is 0 (xorshift has no zero state).
 * Order: one step per *nonzero* input pixel, pixels in CHW order within a timestep, timesteps in order;
 * zero pixels draw nothing, so event-driven hardware can skip them.
 * Fixed point uses the top `jitterBits` bits of the new state; the float reference uses state / 2^32.
 */

export const ZERO_SEED_STATE = 0x6d2b79f5;

export function seedState(seed: number): number {
  const s = seed >>> 0;
  return s === 0 ? ZERO_SEED_STATE : s;
}

/** One xorshift32 step; returns the new state as a uint32. */
export function xorshift32(state: number): number {
  let x = state >>> 0;
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** A stateful stream over xorshift32, for interpreters written for clarity. */
export class Xorshift32 {
  private state: number;
  constructor(seed: number) {
    this.state = seedState(seed);
  }
  /** The next uint32. */
  next(): number {
    this.state = xorshift32(this.state);
    return this.state;
  }
}
