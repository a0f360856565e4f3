/** @fileoverview Training-image augmentation: exact pixel moves, zeros shifted in, seeded, and its flag's errors. */
import test from 'ava';
import { augmentBatch, augmentName, parseAugment } from '../training/augment.ts';
import { SnncError } from '../base/errors.ts';

test('shift moves each image by whole pixels with zeros shifted in, the same for the same seed', (t) => {
  // two 1x3x4 images with distinct nonzero pixels
  const original = Uint8Array.from({ length: 24 }, (_, i) => i + 1);
  const a = original.slice();
  augmentBatch(a, 2, [1, 3, 4], { shift: 1 }, 42);
  const b = original.slice();
  augmentBatch(b, 2, [1, 3, 4], { shift: 1 }, 42);
  t.deepEqual(a, b);
  // every image is its original moved by one (dy, dx) in [-1, 1]^2: find it and check every pixel
  for (let i = 0; i < 2; i++) {
    const moved = a.subarray(i * 12, (i + 1) * 12);
    const src = original.subarray(i * 12, (i + 1) * 12);
    const found = [-1, 0, 1].flatMap((dy) => [-1, 0, 1].map((dx) => [dy, dx] as const)).filter(([dy, dx]) =>
      moved.every((v, k) => {
        const [y, x] = [Math.floor(k / 4) - dy, (k % 4) - dx];
        return v === (y >= 0 && y < 3 && x >= 0 && x < 4 ? src[y * 4 + x] : 0);
      }),
    );
    t.is(found.length, 1, `image ${i}`);
  }
  // over many images every move of [-1, 1]^2 occurs, and none beyond
  const many = new Uint8Array(200 * 9).fill(0);
  for (let i = 0; i < 200; i++) many[i * 9 + 4] = 255; // a centre pixel per 3x3 image
  augmentBatch(many, 200, [1, 3, 3], { shift: 1 }, 7);
  const positions = new Set<number>();
  for (let i = 0; i < 200; i++) positions.add(many.subarray(i * 9, (i + 1) * 9).indexOf(255));
  t.deepEqual([...positions].sort(), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test('--augment parses none and shift:N and refuses anything else in one line', (t) => {
  t.is(parseAugment('none').shift, 0);
  t.is(augmentName(parseAugment('shift:2')), 'shift:2');
  for (const bad of ['shift', 'shift:0', 'shift:9', 'flip', 'shift:1.5']) {
    const e = t.throws(() => parseAugment(bad), { instanceOf: SnncError });
    t.regex(e!.message, /^--augment: expected none or shift:N with N in 1\.\.8/);
  }
});
