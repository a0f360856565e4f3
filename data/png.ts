/** @fileoverview PNG in and out: one image for `snnc run --image`, converted to the model's CHW shape, and plot output. */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { SnncError } from '../base/errors.ts';
import { MAX_IMAGE_FILE_BYTES, MAX_IMAGE_PIXELS, openRegularFile } from '../base/input-limits.ts';
import type { ImageShape } from './datasets.ts';

/** pngjs decodes every colour type (gray, palette, RGB, with or without alpha, 16-bit) to 8-bit RGBA. */
const RGBA_BYTES = 4;
/**
 * ITU-R BT.601 luma weights in thousandths: gray = (299 R + 587 G + 114 B) / 1000, rounded half up. Integer weights
 * summing to 1000 keep the result exact and at most 255, so every target computes the same byte.
 */
const LUMA_R = 299;
const LUMA_G = 587;
const LUMA_B = 114;
const LUMA_SCALE = 1000;

/** The 8-byte PNG signature, then the IHDR chunk: length 13, "IHDR", width and height as big-endian u32. */
/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR_END = 24;

/** Width and height declared in the IHDR chunk, read before any decoding so a huge declared image is never allocated. */
function declaredSize(file: string, bytes: Buffer): { width: number; height: number } {
  if (bytes.length < IHDR_END || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new SnncError('data', `${file} is not a readable PNG (no PNG signature and IHDR header)`);
  }
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Reads a user's PNG (a regular file within MAX_IMAGE_FILE_BYTES) and refuses a declared size above the bound or unlike `shape`. */
function decode(file: string, shape: ImageShape): ReturnType<typeof PNG.sync.read> {
  const bytes = openRegularFile(file, { what: 'image', maxBytes: MAX_IMAGE_FILE_BYTES, code: 'data' });
  const { width, height } = declaredSize(file, bytes);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new SnncError('data', `${file} declares ${width}x${height} pixels, above snnc's bound of ${MAX_IMAGE_PIXELS} pixels`);
  }
  if (width !== shape[2] || height !== shape[1]) {
    throw new SnncError('data', `${file} is ${width}x${height}, the model wants ${shape[2]}x${shape[1]}`);
  }
  try {
    return PNG.sync.read(bytes);
  } catch (e) {
    throw new SnncError('data', `${file} is not a readable PNG (${(e as Error).message})`);
  }
}

/**
 * Reads a PNG as one CHW uint8 image of `shape`. Gray becomes RGB by replication; colour becomes gray by BT.601 luma.
 * Alpha is dropped: the model sees the colours as stored, whatever their transparency.
 */
export function readImagePng(file: string, shape: ImageShape): Uint8Array {
  const [channels, height, width] = shape;
  if (channels !== 1 && channels !== 3) {
    throw new SnncError('data', `${file}: the model wants ${channels} channels; a PNG gives 1 (gray) or 3 (RGB)`);
  }
  const png = decode(file, shape);
  if (png.width !== width || png.height !== height) {
    throw new SnncError('data', `${file} is ${png.width}x${png.height}, the model wants ${width}x${height}`);
  }
  const pixels = width * height;
  const rgba = png.data;
  const out = new Uint8Array(channels * pixels);
  if (channels === 3) {
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < pixels; p++) out[c * pixels + p] = rgba[p * RGBA_BYTES + c]!;
    }
  } else if (!png.color) {
    for (let p = 0; p < pixels; p++) out[p] = rgba[p * RGBA_BYTES]!;
  } else {
    for (let p = 0; p < pixels; p++) {
      const i = p * RGBA_BYTES;
      const weighted = LUMA_R * rgba[i]! + LUMA_G * rgba[i + 1]! + LUMA_B * rgba[i + 2]!;
      out[p] = Math.floor((weighted + LUMA_SCALE / 2) / LUMA_SCALE);
    }
  }
  return out;
}

/** Writes `rgba` (width * height * 4 bytes, rows top to bottom) as an 8-bit RGBA PNG. */
export function writePng(file: string, width: number, height: number, rgba: Uint8Array): void {
  if (rgba.length !== width * height * RGBA_BYTES) {
    // A caller's bug, not a user's input: the plotting code sized its buffer wrong.
    throw new RangeError(`writePng: ${width}x${height} RGBA needs ${width * height * RGBA_BYTES} bytes, got ${rgba.length}`);
  }
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length);
  try {
    writeFileSync(file, PNG.sync.write(png));
  } catch (e) {
    throw new SnncError('io', `${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}
