/** @fileoverview IDX files (the MNIST container): header parsing and checks, whole or ranged reads, header encoding. */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { SnncError } from '../base/errors.ts';

/** The IDX type byte for unsigned 8-bit data, the only element type our datasets use. */
const UBYTE_TYPE = 0x08;
/** Magic (4 bytes) then one big-endian uint32 per dimension. */
const MAGIC_BYTES = 4;
const DIM_BYTES = 4;
/** Enough for any header we accept, so one read gets it whole. */
const MAX_DIMS = 8;

export interface IdxHeader {
  readonly dims: readonly number[];
  readonly headerBytes: number;
  /** Bytes in one item, the product of all dims after the first. */
  readonly itemBytes: number;
  /** Header plus data: the exact size a sound file has. */
  readonly totalBytes: number;
}

/** An IDX array, or a run of items from one: `data` holds `count` items starting at item `first`. */
export interface IdxItems {
  readonly header: IdxHeader;
  readonly first: number;
  readonly count: number;
  readonly data: Uint8Array;
}

function corrupt(file: string, why: string): SnncError {
  return new SnncError('data', `${file}: ${why}`);
}

/** Parses and checks the header at the start of `bytes`; `file` names the file in errors. */
export function parseIdxHeader(bytes: Uint8Array, file: string): IdxHeader {
  if (bytes.length < MAGIC_BYTES) throw corrupt(file, `truncated IDX file (${bytes.length} bytes, no header)`);
  const [zero0, zero1, type, ndims] = bytes;
  if (zero0 !== 0 || zero1 !== 0) throw corrupt(file, 'not an IDX file (bad magic number)');
  if (type !== UBYTE_TYPE) throw corrupt(file, `IDX element type 0x${(type ?? 0).toString(16)} is not unsigned byte`);
  if (ndims === undefined || ndims < 1 || ndims > MAX_DIMS) throw corrupt(file, `IDX file with ${ndims} dimensions`);
  const headerBytes = MAGIC_BYTES + DIM_BYTES * ndims;
  if (bytes.length < headerBytes) throw corrupt(file, `truncated IDX file (${bytes.length} bytes, header needs ${headerBytes})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(MAGIC_BYTES + DIM_BYTES * d, false));
  if (dims.some((n) => n === 0)) throw corrupt(file, `IDX file with an empty dimension [${dims.join(', ')}]`);
  const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
  const totalBytes = headerBytes + (dims[0] ?? 0) * itemBytes;
  return { dims, headerBytes, itemBytes, totalBytes };
}

function checkSize(header: IdxHeader, sizeBytes: number, file: string): void {
  if (sizeBytes < header.totalBytes) {
    throw corrupt(file, `truncated IDX file (${sizeBytes} bytes, dims [${header.dims.join(', ')}] need ${header.totalBytes})`);
  }
  if (sizeBytes > header.totalBytes) {
    throw corrupt(file, `IDX file has ${sizeBytes - header.totalBytes} bytes past its data`);
  }
}

/** Parses a whole IDX file held in memory; `data` is a view into `bytes`. */
export function parseIdx(bytes: Uint8Array, file: string): IdxItems {
  const header = parseIdxHeader(bytes, file);
  checkSize(header, bytes.length, file);
  const count = header.dims[0] ?? 0;
  return { header, first: 0, count, data: bytes.subarray(header.headerBytes) };
}

function readFully(fd: number, into: Uint8Array, positionBytes: number): number {
  let done = 0;
  // A single read may return less than asked (very large reads are capped by the kernel), so loop.
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, positionBytes + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

/**
 * Reads items [first, first + count) of an IDX file straight into one buffer, after checking the header and that the
 * file size matches it exactly. `count` is clamped to the items that exist.
 */
export function readIdxItems(file: string, first = 0, count = Infinity): IdxItems {
  let fd: number;
  try {
    // Non-blocking, so a FIFO in a cache folder the user pointed us at cannot hang the open.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new SnncError('data', `${file}: cannot open (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw corrupt(file, 'not a regular file');
    const sizeBytes = stat.size;
    const head = new Uint8Array(Math.min(sizeBytes, MAGIC_BYTES + DIM_BYTES * MAX_DIMS));
    readFully(fd, head, 0);
    const header = parseIdxHeader(head, file);
    checkSize(header, sizeBytes, file);
    const total = header.dims[0] ?? 0;
    const start = Math.min(first, total);
    const n = Math.min(count, total - start);
    const data = new Uint8Array(n * header.itemBytes);
    const got = readFully(fd, data, header.headerBytes + start * header.itemBytes);
    if (got !== data.length) throw corrupt(file, `truncated while reading (${got} of ${data.length} bytes)`);
    return { header, first: start, count: n, data };
  } finally {
    closeSync(fd);
  }
}

/** The header bytes of a uint8 IDX array with the given dims; the data follows it directly. */
export function encodeIdxHeader(dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(MAGIC_BYTES + DIM_BYTES * dims.length);
  out[2] = UBYTE_TYPE;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  dims.forEach((n, d) => view.setUint32(MAGIC_BYTES + DIM_BYTES * d, n, false));
  return out;
}
