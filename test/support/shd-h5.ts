/**
 * @fileoverview Writes an SHD-layout HDF5 file byte by byte (h5wasm cannot write variable-length numeric datasets, and
 * h5py is not here): `spikes/times` (vlen float32, seconds), `spikes/units` (vlen uint16), `labels` (uint16).
 * HDF5 format 0 structures, as h5py writes with default settings: superblock v0, v1 object headers, groups as symbol
 * tables (v1 B-tree + symbol table node + local heap), contiguous datasets, vlen data in one global heap collection.
 */

const UNDEF = 0xffffffffffffffffn;
const LEAF_K = 4;
const INTERNAL_K = 16;
const BTREE_BYTES = 24 + (2 * INTERNAL_K + 1) * 8 + 2 * INTERNAL_K * 8;
const SNOD_BYTES = 8 + 2 * LEAF_K * 40;
const OH_PREFIX = 16;

export interface ShdSampleData {
  readonly times: readonly number[];
  readonly units: readonly number[];
}

const pad8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Little-endian writer over one growing file image; `alloc` hands out addresses in file order. */
class Image {
  buf = Buffer.alloc(1 << 16);
  end = 0;
  alloc(size: number): number {
    const at = this.end;
    this.end += pad8(size);
    while (this.buf.length < this.end) this.buf = Buffer.concat([this.buf, Buffer.alloc(this.buf.length)]);
    return at;
  }
  u8(at: number, v: number): void {
    this.buf.writeUInt8(v, at);
  }
  u16(at: number, v: number): void {
    this.buf.writeUInt16LE(v, at);
  }
  u32(at: number, v: number): void {
    this.buf.writeUInt32LE(v, at);
  }
  u64(at: number, v: number | bigint): void {
    this.buf.writeBigUInt64LE(BigInt(v), at);
  }
  bytes(at: number, b: Uint8Array): void {
    this.buf.set(b, at);
  }
}

/** Object header v1 holding `messages` ([type, body]); bodies are padded to 8 bytes. */
function objectHeader(img: Image, messages: readonly (readonly [number, Uint8Array])[]): number {
  const size = messages.reduce((s, [, body]) => s + 8 + pad8(body.length), 0);
  const at = img.alloc(OH_PREFIX + size);
  img.u8(at, 1);
  img.u16(at + 2, messages.length);
  img.u32(at + 4, 1);
  img.u32(at + 8, size);
  let p = at + OH_PREFIX;
  for (const [type, body] of messages) {
    img.u16(p, type);
    img.u16(p + 2, pad8(body.length));
    img.bytes(p + 8, body);
    p += 8 + pad8(body.length);
  }
  return at;
}

function body(size: number, fill: (b: Buffer) => void): Uint8Array {
  const b = Buffer.alloc(size);
  fill(b);
  return b;
}

const dataspace = (n: number): Uint8Array => body(16, (b) => (b.writeUInt8(1, 0), b.writeUInt8(1, 1), b.writeBigUInt64LE(BigInt(n), 8)));
const layout = (address: number, size: number): Uint8Array => body(18, (b) => (b.writeUInt8(3, 0), b.writeUInt8(1, 1), b.writeBigUInt64LE(BigInt(address), 2), b.writeBigUInt64LE(BigInt(size), 10)));
/** Fixed-point datatype message (class 0), unsigned, little-endian. */
const uint = (bytes: number): Uint8Array => body(12, (b) => (b.writeUInt8(0x10, 0), b.writeUInt32LE(bytes, 4), b.writeUInt16LE(bytes * 8, 10)));
/**
 * IEEE float datatype message (class 1), little-endian, implied mantissa MSB: float32 has sign bit 31, exponent bits
 * 23..30 (bias 127), mantissa 0..22; float16 sign bit 15, exponent 10..14 (bias 15), mantissa 0..9.
 */
function ieeeFloat(bytes: 2 | 4): Uint8Array {
  const [exponentBits, mantissaBits] = bytes === 4 ? [8, 23] : [5, 10];
  return body(20, (b) => {
    b.set([0x11, 0x20, 8 * bytes - 1, 0], 0);
    b.writeUInt32LE(bytes, 4);
    b.writeUInt16LE(8 * bytes, 10);
    b.set([mantissaBits, exponentBits, 0, mantissaBits], 12);
    b.writeUInt32LE(2 ** (exponentBits - 1) - 1, 16);
  });
}
/** Half-precision bits of v (test values only: 0 or a power of two from 2^-14 to 2^15). */
function halfBits(v: number): number {
  if (v === 0) return 0;
  const e = Math.log2(v);
  if (!Number.isInteger(e) || e < -14 || e > 15) throw new Error(`test writer: ${v} is not a power of two float16 holds exactly`);
  return (e + 15) << 10;
}
/** Variable-length sequence (class 9, type 0) of `base`. */
const vlen = (base: Uint8Array): Uint8Array => body(8 + base.length, (b) => (b.writeUInt8(0x19, 0), b.writeUInt32LE(16, 4), b.set(base, 8)));

/** A group: object header with a symbol table message, its B-tree, one symbol table node and a local heap. */
function group(img: Image, children: readonly (readonly [string, number])[]): { header: number; btree: number; heap: number } {
  const sorted = [...children].sort(([a], [b]) => (a < b ? -1 : 1));
  const names: number[] = [];
  let heapData = 8; // offset 0 is the empty name
  for (const [name] of sorted) {
    names.push(heapData);
    heapData += pad8(name.length + 1);
  }
  const btree = img.alloc(BTREE_BYTES);
  const snod = img.alloc(SNOD_BYTES);
  const heap = img.alloc(32);
  const data = img.alloc(heapData);
  img.bytes(heap, Buffer.from('HEAP'));
  img.u64(heap + 8, heapData);
  img.u64(heap + 16, 1); // no free block (the library's end-of-free-list value)
  img.u64(heap + 24, data);
  sorted.forEach(([name], k) => img.bytes(data + names[k]!, Buffer.from(`${name}\0`)));
  img.bytes(snod, Buffer.from('SNOD'));
  img.u8(snod + 4, 1);
  img.u16(snod + 6, sorted.length);
  sorted.forEach(([, header], k) => {
    img.u64(snod + 8 + 40 * k, names[k]!);
    img.u64(snod + 16 + 40 * k, header);
  });
  img.bytes(btree, Buffer.from('TREE'));
  img.u16(btree + 6, 1);
  img.u64(btree + 8, UNDEF);
  img.u64(btree + 16, UNDEF);
  img.u64(btree + 24, 0);
  img.u64(btree + 32, snod);
  img.u64(btree + 40, names[names.length - 1]!);
  const stab = body(16, (b) => (b.writeBigUInt64LE(BigInt(btree), 0), b.writeBigUInt64LE(BigInt(heap), 8)));
  return { header: objectHeader(img, [[0x11, stab]]), btree, heap };
}

/** The bytes of an SHD file holding `samples` with `labels`. */
export function shdFileBytes(samples: readonly ShdSampleData[], labels: readonly number[], times: 'float32' | 'float16' = 'float32'): Buffer {
  const img = new Image();
  const superblock = img.alloc(96);
  const n = samples.length;
  // Global heap: one object per nonempty sequence; each vlen element is [length u32][collection u64][index u32].
  const timeBytes = (t: readonly number[]): Buffer => Buffer.from((times === 'float32' ? Float32Array.from(t) : Uint16Array.from(t, halfBits)).buffer);
  const objects = samples.flatMap((s) => [timeBytes(s.times), Buffer.from(Uint16Array.from(s.units).buffer)]);
  const used = 16 + objects.reduce((sum, o) => sum + 16 + pad8(o.length), 0);
  const heapSize = Math.max(4096, used + 16);
  const gcol = img.alloc(heapSize);
  img.bytes(gcol, Buffer.from('GCOL'));
  img.u8(gcol + 4, 1);
  img.u64(gcol + 8, heapSize);
  const ids: { index: number; length: number }[] = [];
  let p = gcol + 16;
  objects.forEach((o, k) => {
    img.u16(p, k + 1);
    img.u16(p + 2, 1);
    img.u64(p + 8, o.length);
    img.bytes(p + 16, o);
    p += 16 + pad8(o.length);
    ids.push({ index: k + 1, length: k % 2 === 0 && times === 'float32' ? o.length / 4 : o.length / 2 });
  });
  img.u64(p + 8, gcol + heapSize - p); // object 0: the free space left, header included
  const vlenData = (which: 0 | 1): number => {
    const at = img.alloc(16 * n);
    for (let i = 0; i < n; i++) {
      const id = ids[2 * i + which]!;
      img.u32(at + 16 * i, id.length);
      if (id.length > 0) {
        img.u64(at + 16 * i + 4, gcol);
        img.u32(at + 16 * i + 12, id.index);
      }
    }
    return at;
  };
  const timesData = vlenData(0);
  const unitsData = vlenData(1);
  const labelsData = img.alloc(2 * n);
  labels.forEach((l, i) => img.u16(labelsData + 2 * i, l));
  const dataset = (type: Uint8Array, address: number, size: number): number => objectHeader(img, [[0x01, dataspace(n)], [0x03, type], [0x08, layout(address, size)]]);
  const timesHeader = dataset(vlen(ieeeFloat(times === 'float32' ? 4 : 2)), timesData, 16 * n);
  const units = dataset(vlen(uint(2)), unitsData, 16 * n);
  const labelsHeader = dataset(uint(2), labelsData, 2 * n);
  const spikes = group(img, [['times', timesHeader], ['units', units]]);
  const root = group(img, [['spikes', spikes.header], ['labels', labelsHeader]]);
  img.bytes(superblock, Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 8, 8, 0]));
  img.u16(superblock + 16, LEAF_K);
  img.u16(superblock + 18, INTERNAL_K);
  img.u64(superblock + 24, 0);
  img.u64(superblock + 32, UNDEF);
  img.u64(superblock + 40, img.end);
  img.u64(superblock + 48, UNDEF);
  img.u64(superblock + 64, root.header);
  img.u32(superblock + 72, 1);
  img.u64(superblock + 80, root.btree);
  img.u64(superblock + 88, root.heap);
  return img.buf.subarray(0, img.end);
}
