/**
 * @fileoverview The xorshift32 jitter generator inside the float graph (the integer graph's is jitter-block.ts, which
 * reads jumpTable from here): exact, and data-parallel within a timestep.
 *
 * xorshift32 is linear over GF(2): next(a ^ b) = next(a) ^ next(b). So k steps from a state s are
 *   bit b of next^k(s) = (sum over j of bit j of s * bit b of next^k(2^j)) mod 2
 * With an initializer `jump[k][j] = next^k(2^j)` (k = 0..P, P = pixels per image) one MatMul of the state's 32 bits
 * with the unpacked jump bits gives next^k(s) for every k at once; no bitwise operator is needed (ONNX has them only
 * from opset 18). The k-th nonzero pixel of a timestep (k from 1, CHW order) takes draw next^k(s), s the state at the
 * timestep's start, and the next timestep starts from next^nnz(s) (row 0 is the identity): the serial order of
 * docs/ir.md, draw for draw. States are uint32 values held in int64.
 *
 * Only the bits the encoder uses are computed per pixel (the top jitterBits of each draw), and all 32 only for the next
 * state. The GF(2) products run as float MatMuls: their terms are 0 or 1 and their sums at most 32, integers that
 * float32 represents exactly in any summation order; parity is c - 2 floor(c / 2), exact on those integers; packing
 * bits into a value is exact while it stays below 2^24 (float32) or 2^53 (float64).
 */
import { xorshift32, ZERO_SEED_STATE } from '../../runtime/prng.ts';
import type { GraphBuilder } from './graph-builder.ts';

const STATE_BITS = 32;
const CAST: Record<'int64' | 'float' | 'double', number> = { float: 1, int64: 7, double: 11 };

/** jump[k][j] = xorshift32^k(2^j) for k = 0..pixels, row-major [pixels + 1, 32]. */
export function jumpTable(pixels: number): number[] {
  const table: number[] = [];
  let row = Array.from({ length: STATE_BITS }, (_, j) => 2 ** j);
  for (let k = 0; k <= pixels; k++) {
    table.push(...row);
    row = row.map(xorshift32);
  }
  return table;
}

export interface JitterInvariants {
  /** float [32, bits * (P + 1)]: row j, column i * (P + 1) + k = bit (32 - bits + i) of jump[k][j]. */
  readonly drawMatrix: string;
  /** double [N, 32, 32]: bit b of jump[nnz][j] at [n, b, j], the step to the next timestep's state. */
  readonly nextMatrix: string;
  /** int64 [N, P]: each pixel's draw rank k (unused for zero pixels). */
  readonly rank: string;
  /** int64 [N, 1]: seedState(seed). */
  readonly initialState: string;
  readonly pixels: number;
  /** How many top bits of each draw the encoder uses (jitterBits; 32 for the float model). */
  readonly bits: number;
}

/** Bits of nonnegative int64 values below 2^32, as a new last axis: floor(v / 2^b) mod 2 for b in `positions`. */
function bitsOf(g: GraphBuilder, value: string, positions: readonly number[], name: string): string {
  const powers = g.constant('int64', positions.map((b) => 2 ** b), [positions.length], `pow2_${positions[0]}_to_${positions[positions.length - 1]}`);
  const lastAxis = g.op('Unsqueeze', [value, g.constant('int64', [-1], [1], 'axes_last')], { name: `${name}_unsqueezed` });
  const shifted = g.op('Div', [lastAxis, powers], { name: `${name}_shifted`, doc: 'v / 2^b, a floor for v >= 0' });
  return g.op('Mod', [shifted, g.constant('int64', 2)], { name, doc: 'bit b: (v / 2^b) mod 2' });
}

function cast(g: GraphBuilder, value: string, to: 'int64' | 'float' | 'double', name: string): string {
  return g.op('Cast', [value], { name, attrs: { to: { int: CAST[to] } }, dtype: to });
}

/** c mod 2 for float integers c >= 0, as c - 2 floor(c / 2) (float Mod is a slow fmod call per element). */
function parity(g: GraphBuilder, counts: string, name: string): string {
  const dtype = g.dtypeOf(counts) as 'float' | 'double';
  const half = g.op('Floor', [g.op('Mul', [counts, g.constant(dtype, 0.5)], { name: `${name}_half` })], { name: `${name}_floor_half` });
  return g.op('Sub', [counts, g.op('Add', [half, half], { name: `${name}_even` })], { name, doc: 'GF(2) sum: the count mod 2' });
}

/** Packs bits laid out [..., n, M] (bit i worth 2^i, along axis -2) into values [..., M], exactly, in float. */
function pack(g: GraphBuilder, bits: string, count: number, name: string): string {
  const dtype = count <= 24 ? 'float' : 'double';
  const operand = g.dtypeOf(bits) === dtype ? bits : cast(g, bits, dtype, `${name}_bits_${dtype}`);
  const powers = g.constant(dtype, Array.from({ length: count }, (_, i) => 2 ** i), [count, 1], `pow2_0_to_${count - 1}_column`);
  const weighted = g.op('Mul', [operand, powers], { name: `${name}_weighted`, doc: 'bit i * 2^i' });
  const packed = g.op('ReduceSum', [weighted, g.constant('int64', [-2], [1], 'axes_minus2')], {
    name: `${name}_${dtype}`, attrs: { keepdims: { int: 0 } }, doc: `sum over the bits: exact, below 2^${count}`,
  });
  return cast(g, packed, 'int64', name);
}

/**
 * Loop-invariant part (main graph): the unpacked jump bits, each pixel's rank among the nonzero pixels, each image's
 * step to the next timestep, and the seeded state. `pixels64` is int64 [N, P]; `seed` is int64 [N] whose value mod 2^32
 * is the uint32 seed (as `seed >>> 0`). `bits` is how many top bits of each draw the encoder uses.
 */
export function jitterSetup(g: GraphBuilder, pixels64: string, seed: string, pixels: number, bits: number): JitterInvariants {
  return g.scope('jitter', () => {
    const table = g.initializer('jitter/jump_table', 'uint32', [pixels + 1, STATE_BITS], jumpTable(pixels),
      'jump[k][j] = xorshift32 applied k times to 2^j; xorshift32 is linear over GF(2), so next^k(s) = XOR of jump[k][j] over the set bits j of s');
    const table64 = cast(g, table, 'int64', 'jump_table_int64');
    const topBits = bitsOf(g, table64, Array.from({ length: bits }, (_, i) => STATE_BITS - bits + i), 'jump_top_bits');
    const byState = g.op('Transpose', [topBits], { name: 'jump_top_bits_jik', attrs: { perm: { ints: [1, 2, 0] } } });
    const matrix = g.op('Reshape', [byState, g.constant('int64', [STATE_BITS, -1], [2], 'shape_32_flat')], { name: 'draw_matrix_int64' });
    const drawMatrix = cast(g, matrix, 'float', 'draw_matrix');
    const nonzero = cast(g, g.op('Greater', [pixels64, g.constant('int64', 0)], { name: 'is_nonzero' }), 'int64', 'nonzero');
    const rank = g.op('CumSum', [nonzero, g.constant('int64', 1)], { name: 'draw_rank', doc: 'k for the k-th nonzero pixel in CHW order, which takes draw k of the timestep' });
    const count = g.op('ReduceSum', [nonzero, g.constant('int64', [1], [1], 'axes_1')], { name: 'nonzero_count', attrs: { keepdims: { int: 0 } }, doc: 'draws per timestep' });
    const nextJump = g.op('Gather', [table64, count], { name: 'next_jump', attrs: { axis: { int: 0 } }, doc: 'jump[nnz] per image [N, 32]' });
    const nextBits = bitsOf(g, nextJump, Array.from({ length: STATE_BITS }, (_, b) => b), 'next_jump_bits');
    const nextMatrix = cast(g, g.op('Transpose', [nextBits], { name: 'next_jump_bits_bj', attrs: { perm: { ints: [0, 2, 1] } } }), 'double', 'next_matrix');
    const seed32 = g.op('Mod', [seed, g.constant('int64', 2 ** 32)], { name: 'seed_uint32', doc: 'seed >>> 0 (Mod takes the divisor\'s sign)' });
    const isZero = g.op('Equal', [seed32, g.constant('int64', 0)], { name: 'seed_is_zero' });
    const state = g.op('Where', [isZero, g.constant('int64', ZERO_SEED_STATE), seed32], {
      name: 'seed_state', doc: `seedState: xorshift has no zero state, so seed 0 starts from 0x${ZERO_SEED_STATE.toString(16)}`,
    });
    const initialState = g.op('Unsqueeze', [state, g.constant('int64', [1], [1], 'axes_1')], { name: 'initial_state' });
    return { drawMatrix, nextMatrix, rank, initialState, pixels, bits };
  });
}

/**
 * One timestep's draws, built in the timestep body from the carried `state` [N, 1]: the top `bits` bits of each
 * pixel's draw, int64 [N, P], and the next state [N, 1].
 */
export function jitterDraws(g: GraphBuilder, inv: JitterInvariants, state: string): { top: string; next: string } {
  return g.scope('jitter', () => {
    const stateBits = bitsOf(g, state, Array.from({ length: STATE_BITS }, (_, b) => b), 'state_bits');
    const stateColumn = g.op('Transpose', [stateBits], { name: 'state_bits_column', attrs: { perm: { ints: [0, 2, 1] } }, doc: '[N, 32, 1]' });
    const flatBits = g.op('Squeeze', [stateBits, g.constant('int64', [1], [1], 'axes_1')], { name: 'state_bits_flat', doc: '[N, 32]' });
    const counts = g.op('MatMul', [cast(g, flatBits, 'float', 'state_bits_float'), inv.drawMatrix], {
      name: 'draw_bit_counts', doc: 'per (k, i): how many set state bits j have the bit set in jump[k][j]; at most 32, exact in float32',
    });
    const drawBits = parity(g, counts, 'draw_bits');
    const perRank = g.op('Reshape', [drawBits, g.constant('int64', [0, inv.bits, inv.pixels + 1], [3], `shape_N_${inv.bits}_${inv.pixels + 1}`)], { name: 'draw_bits_by_rank' });
    const values = pack(g, perRank, inv.bits, 'draw_top_by_rank');
    const top = g.op('GatherElements', [values, inv.rank], { name: 'draw_top', attrs: { axis: { int: 1 } }, doc: `each pixel's draw next^rank(state) >>> ${STATE_BITS - inv.bits}` });
    const nextCounts = g.op('MatMul', [inv.nextMatrix, cast(g, stateColumn, 'double', 'state_bits_double')], { name: 'next_bit_counts', doc: '[N, 32, 1]' });
    const next = pack(g, parity(g, nextCounts, 'next_bits'), STATE_BITS, 'next_state');
    return { top, next };
  });
}
