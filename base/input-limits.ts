/**
 * @fileoverview The bounds snnc puts on every file a user hands it (model, weights, NIR, PNG) and on the work a model
 * may ask for, in one place with their reasons, and the one reader that opens a user file safely (regular files only).
 * docs/model-format.md and docs/nir.md list the same figures.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { SnncError, type SnncErrorCode } from './errors.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** model.json holds no weights (they are in the blob), so even a large model's JSON is a few kilobytes. */
export const MAX_MODEL_JSON_BYTES = 16 * MiB;
/** Largest tensor the model reader accepts, so a hostile shape cannot make the runtimes allocate gigabytes. */
export const MAX_TENSOR_ELEMENTS = 1 << 26;
/** The weights blob: 2^28 float32 values, four of the largest tensor the reader accepts. */
export const MAX_WEIGHTS_BYTES = GiB;
/** A PNG for `snnc run --image`: an input is at most 64x4096x4096, so an honest PNG of it is far below this. */
export const MAX_IMAGE_FILE_BYTES = 64 * MiB;
/** Pixels a PNG may declare in its header (4096 x 4096, the largest input the model reader accepts): 64 MiB as RGBA. */
export const MAX_IMAGE_PIXELS = 4096 * 4096;
/** A NIR (HDF5) file on disk: float64 parameters of a model within the reader's bounds fit easily. */
export const MAX_NIR_FILE_BYTES = GiB;
/** Values in one NIR dataset, as the largest model tensor (2^26); checked from the declared shape before reading. */
export const MAX_NIR_DATASET_ELEMENTS = 1 << 26;
/**
 * Values in all NIR datasets together, counting a dataset again for every link to it (a file can hard-link one
 * dataset thousands of times, or compress a gigabyte of zeros into a few kilobytes): 512 MiB as float64.
 */
export const MAX_NIR_TOTAL_ELEMENTS = 1 << 26;
/** Groups and datasets a NIR file may hold (a real network has a few dozen nodes of a few datasets each). */
export const MAX_NIR_ENTRIES = 100_000;
/** Neurons (values) one layer may output per timestep; the runtimes hold several float64 arrays of this size. */
export const MAX_LAYER_OUTPUTS = 1 << 24;
/**
 * Synaptic operations (multiply-adds, window sums, identity adds) per image, all timesteps: about a minute of the float
 * reference at ~170 M operations/s (measured: cifar10-snn-conv5 at T=64 on 2 shared cores), so one `snnc run` stays
 * short. The CIFAR-10 conv examples need 0.7 M per timestep, 2.8 G at T=4096.
 */
export const MAX_SYNOPS_PER_IMAGE = 1e10;
/**
 * Synaptic operations of the whole calibration (per image x calibration images): about five minutes of the float
 * reference. cifar10-snn-conv5 with 512 calibration images fits up to T=128; fewer images fit longer runs.
 */
export const MAX_CALIBRATION_SYNOPS = 5e10;

/** How a size is printed in a refusal: exact bytes, with MiB/GiB beside when large. */
export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${bytes} bytes (${(bytes / GiB).toFixed(1)} GiB)`;
  if (bytes >= MiB) return `${bytes} bytes (${(bytes / MiB).toFixed(1)} MiB)`;
  return `${bytes} bytes`;
}

/** What a non-regular file is, for the refusal. */
function fileKind(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'a special file';
}

export interface RegularFileCheck {
  /** Names the file in errors, e.g. "weights file". */
  readonly what: string;
  readonly maxBytes: number;
  /** Error code of a refusal (default 'model'). */
  readonly code?: SnncErrorCode;
  /** When given, the size the file must have (checked by its stat size, before reading). */
  readonly expectedBytes?: number;
  /** Describes a wrong size, e.g. "model.json says 1024". */
  readonly expectedNote?: string;
}

/**
 * Opens `path` without blocking (a FIFO would otherwise hang the open until a writer comes), refuses anything but a
 * regular file (device, FIFO, socket, directory) and any file above `maxBytes` by its stat size, and only then
 * reads it. Returns the bytes, or only checks when `read` is false.
 */
export function openRegularFile(path: string, check: RegularFileCheck, read = true): Buffer {
  const code = check.code ?? 'model';
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === 'ENOENT') throw new SnncError('io', `${path}: no such file (ENOENT)`);
    throw new SnncError('io', `${path}: cannot open the ${check.what} (${errno ?? String(e)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new SnncError(code, `${path}: the ${check.what} is not a regular file (${fileKind(stat)})`);
    if (check.expectedBytes !== undefined && stat.size !== check.expectedBytes) {
      throw new SnncError(code, `${path}: ${formatBytes(stat.size)}, ${check.expectedNote ?? `expected ${check.expectedBytes}`} (truncated or wrong file)`);
    }
    if (stat.size > check.maxBytes) {
      throw new SnncError(code, `${path}: the ${check.what} is ${formatBytes(stat.size)}, above snnc's bound of ${formatBytes(check.maxBytes)}`);
    }
    if (!read) return Buffer.alloc(0);
    const bytes = Buffer.alloc(stat.size);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) break;
      done += n;
    }
    if (done !== bytes.length) throw new SnncError(code, `${path}: the ${check.what} shrank while it was read (${done} of ${stat.size} bytes)`);
    return bytes;
  } finally {
    closeSync(fd);
  }
}
