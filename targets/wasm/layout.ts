/**
 * @fileoverview The wasm memory map: constants (weights and tables, written by data segments), scratch (overwritten
 * before it is read in every inference) and state (zeroed by `begin`), each region 16-byte aligned, in that order.
 */
import type { DataSegment } from './wasm-data.ts';

/** Nonzero values of a vector as (byte offset of the consumer's weight row, value) pairs; the count is in bytes. */
export interface EventList {
  readonly at: number;
  readonly countAt: number;
  readonly rowBytes: number;
}

const align = (n: number): number => Math.ceil(n / 16) * 16;
/** The first bytes stay unused, so that no buffer sits at address 0. */
const FIRST = 64;

type Table = Int16Array | Int32Array | BigInt64Array;

export class Layout {
  readonly segments: DataSegment[] = [];
  private constants = 0;
  private scratches = 0;
  private states = 0;
  constructor(private readonly bases = { constant: FIRST, scratch: FIRST, state: FIRST }) {}

  constant(table: Table): number {
    const at = this.bases.constant + this.constants;
    this.segments.push({ offset: at, bytes: new Uint8Array(table.buffer, table.byteOffset, table.byteLength) });
    this.constants += align(table.byteLength);
    return at;
  }

  scratch(bytes: number): number {
    const at = this.bases.scratch + this.scratches;
    this.scratches += align(bytes);
    return at;
  }

  state(bytes: number): number {
    const at = this.bases.state + this.states;
    this.states += align(bytes);
    return at;
  }

  /** An event list of up to `length` entries (8 bytes each, and one for the consumer's padding) for rows of `rowBytes`. */
  list(length: number, rowBytes: number): EventList {
    return { at: this.scratch(8 * (length + 1)), countAt: this.state(4), rowBytes };
  }

  get stateBase(): number {
    return this.bases.state;
  }

  get stateSize(): number {
    return this.states;
  }

  get end(): number {
    return this.bases.state + this.states;
  }

  /** A fresh layout whose regions follow each other, sized by what this one allocated. */
  placed(): Layout {
    const scratch = FIRST + this.constants;
    return new Layout({ constant: FIRST, scratch, state: scratch + this.scratches });
  }
}
