/**
 * @fileoverview Training-time augmentation (`--augment shift:N`): every training image is moved by a whole number of
 * pixels, dy and dx drawn uniformly from [-N, N], with zeros shifted in. Seeded per batch, so a resumed run replays
 * exactly. Test images are never augmented.
 */
import { SnncError } from '../base/errors.ts';
import { SeededRandom } from './arch.ts';

export interface Augment {
  /** Largest shift in pixels, each axis; 0 turns augmentation off. */
  readonly shift: number;
}

export const NO_AUGMENT: Augment = { shift: 0 };

/** The flag's text form, as recorded in the training command and checkpoints. */
export function augmentName(a: Augment): string {
  return a.shift === 0 ? 'none' : `shift:${a.shift}`;
}

/** Parses `none` or `shift:N` (1 <= N <= 8). */
export function parseAugment(text: string): Augment {
  if (text === 'none') return NO_AUGMENT;
  const m = /^shift:(\d+)$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 1 && n <= 8)) throw new SnncError('usage', `--augment: expected none or shift:N with N in 1..8, got "${text}"`);
  return { shift: n };
}

/** Shifts `count` CHW images of `shape` in place, one (dy, dx) per image drawn from `seed`. */
export function augmentBatch(pixels: Uint8Array, count: number, shape: readonly [number, number, number], a: Augment, seed: number): void {
  if (a.shift === 0) return;
  const [channels, height, width] = shape;
  const plane = height * width;
  const rng = new SeededRandom(seed ^ 0xa0917e);
  const copy = new Uint8Array(plane);
  for (let i = 0; i < count; i++) {
    const dy = rng.below(2 * a.shift + 1) - a.shift;
    const dx = rng.below(2 * a.shift + 1) - a.shift;
    if (dy === 0 && dx === 0) continue;
    for (let c = 0; c < channels; c++) {
      const base = (i * channels + c) * plane;
      copy.set(pixels.subarray(base, base + plane));
      for (let y = 0; y < height; y++) {
        const sy = y - dy;
        for (let x = 0; x < width; x++) {
          const sx = x - dx;
          pixels[base + y * width + x] = sy >= 0 && sy < height && sx >= 0 && sx < width ? copy[sy * width + sx]! : 0;
        }
      }
    }
  }
}
