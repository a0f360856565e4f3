/**
 * @fileoverview The jitter encoder of the integer graph, for a block of B timesteps at once.
 *
 * xorshift32 is linear over GF(2) (jitter-graph.ts): bit i of next^k(s) is the parity of sum_j s_j * J[j][i][k] with
 * J[j][i][k] = bit i of next^k(2^j). Within a timestep the k-th nonzero pixel (CHW order) takes next^k(s), s the state
 * at the timestep's start, and the next timestep starts at next^nnz(s). So a block's B timesteps take the draws
 * next^g(s) of ranks g = t nnz + k <= B nnz of the state s at the block's start, and per block:
 * - the top `bits` bits of every draw of ranks g = 0..B M (M: the batch's largest nnz) are one MatMulInteger of the
 *   state bits [N, 32] with the jump bits, uint8 x uint8 in int32, exact on every kernel: bits i and i + G
 *   (G = ceil(bits / 2)) share a column as J_i + 64 J_(i+G), so it sums to c_i + 64 c_(i+G) with counts of at most
 *   32 < 64 that cannot carry into each other (drawBitTable);
 * - bit i of a draw is c_i's parity; a look-up of each pair's parity bits (parityTable, 0 or 1 plus 0 or 2^G) and a
 *   [1, G] MatMul by 2^p give the draw r, exact in float32 (every partial sum is an integer below 2^16); each pixel
 *   takes the draw of its rank t nnz + k from its image's row (GatherElements; the rows are image-major, [N, B, P]);
 * - x = floor(p * r / 2^bits) in float32: p * r < 2^24 and the scaling is a power of two, so it is exact; zero pixels
 *   get x = 0 whatever their (unused) draw;
 * - the next block starts at next^(B nnz)(s): one [N, 32] x [32, 32] GF(2) product per image, in float64 (every count
 *   is an integer at most 32), with the bits of next^(B nnz)(2^j) looked up once per run (jumpBitTable).
 * One row of draws per image, instead of one per timestep, steps the state once per block instead of B times.
 */
import { ZERO_SEED_STATE } from '../../runtime/prng.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { jumpTable } from './jitter-graph.ts';

const STATE_BITS = 32;
const CAST = { float: 1, uint8: 2, int32: 6, int64: 7, double: 11 } as const;
/** A count of set bits among 32 is 0..32 < 64: two counts share a column as c_lo + 64 c_hi, below SPAN. */
const HIGH = 64;
const SPAN = HIGH * (STATE_BITS + 1);

/** Output bits are computed in pairs (i, i + G), G = ceil(bits / 2): one column of counts per pair. */
export function bitPairs(bits: number): number {
  return Math.ceil(bits / 2);
}

export interface JitterBlockInvariants {
  /** int32 [N, B * P]: pixel p of image n at step t of a block takes draw t nnz_n + rank_p of its row (unused for zero pixels). */
  readonly drawIndex: string;
  /** float [N, 1, P]: p / 2^bits. */
  readonly pixelScale: string;
  /** uint8 [32, pairs * X]: J[j][i][k] for the ranks k < X = B M + 1 of this batch (M: its largest nnz). */
  readonly drawBits: string;
  /** int64 [3]: [-1, pairs, X], the shape of the counts by image, bit pair and rank. */
  readonly countsShape: string;
  /**
   * double [N, 32, 32]: bit b of next^(B nnz)(2^j) at [n, j, b], the step to the next block's state; undefined when
   * the run is one block (T = B), whose final state nothing reads.
   */
  readonly nextMatrix: string | undefined;
  /** double [N]: seedState(seed). */
  readonly initialState: string;
  readonly bits: number;
}

/**
 * The jump bits as one uint8 matrix, flat [32][G][P + 1]: row j, pair p, rank k holds J(j, p, k) + 64 J(j, p + G, k),
 * J(j, i, k) = bit (32 - bits + i) of next^k(2^j) (0 past the top bit), so the product with the state bits is
 * c_p + 64 c_(p+G) for the counts c of set state bits: the index of the pair's parity bits in parityTable.
 */
export function drawBitTable(pixels: number, bits: number): number[] {
  const jump = jumpTable(pixels);
  const pairs = bitPairs(bits);
  const bit = (j: number, i: number, k: number): number => (i < bits ? (jump[k * STATE_BITS + j]! >>> (STATE_BITS - bits + i)) & 1 : 0);
  const out: number[] = [];
  for (let j = 0; j < STATE_BITS; j++)
    for (let p = 0; p < pairs; p++) for (let k = 0; k <= pixels; k++) out.push(bit(j, p, k) + HIGH * bit(j, p + pairs, k));
  return out;
}

/**
 * Entry c_lo + 64 c_hi: parity(c_lo) + 2^G parity(c_hi), a pair's bits of the draw (c_hi is 0 for a pair past the top
 * bit, whose J is 0); pair p's entry, times 2^p, is its bits' share of the draw.
 */
export function parityTable(bits: number): number[] {
  const pairs = bitPairs(bits);
  return Array.from({ length: SPAN }, (_, c) => ((c % HIGH) % 2) + (Math.floor(c / HIGH) % 2) * 2 ** pairs);
}

function cast(g: GraphBuilder, value: string, to: keyof typeof CAST, name: string): string {
  return g.op('Cast', [value], { name, attrs: { to: { int: CAST[to] } }, dtype: to });
}

/** Bits 0..31 of nonnegative doubles below 2^32 as a new last axis: floor(v / 2^j) - 2 floor(v / 2^(j+1)). */
function bitsOf(g: GraphBuilder, value: string, name: string): string {
  return g.scope(name, () => {
    const quotients = g.op('Floor', [g.op('Mul', [g.op('Unsqueeze', [value, g.constant('int64', [-1], [1], 'axes_last')], { name: 'column' }),
      g.constant('double', Array.from({ length: STATE_BITS + 1 }, (_, j) => 2 ** -j), [STATE_BITS + 1], 'pow2_minus_0_to_32')], { name: 'scaled' })], { name: 'quotients', doc: 'floor(v / 2^j), j = 0..32' });
    const lower = sliceLast(g, quotients, 0, STATE_BITS, 'q_j');
    const upper = sliceLast(g, quotients, 1, STATE_BITS + 1, 'q_j_plus_1');
    return g.op('Sub', [lower, g.op('Add', [upper, upper], { name: 'twice_q_j_plus_1' })], { name: 'bits', doc: 'bit j = q_j - 2 q_(j+1)' });
  });
}

function sliceLast(g: GraphBuilder, x: string, from: number, to: number, name: string): string {
  return g.op('Slice', [x, g.constant('int64', [from], [1], `from_${from}`), g.constant('int64', [to], [1], `to_${to}`), g.constant('int64', [-1], [1], 'axes_last')], { name });
}

/** Bits b of jump[k][j] at [k, j, b]: the step matrices of bitsOf, precomputed (uint8 [k, 32, 32]). */
function jumpBitTable(jumps: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of jumps) for (let b = 0; b < STATE_BITS; b++) out.push((v >>> b) & 1);
  return out;
}

/**
 * Invariants of a run (main graph) from the pixels, uint8 [N, P]: the draw bits of the ranks in use, each pixel's draw
 * index, the block's state step, the seeded state. The counts and indices are int32: every one is at most B P + 1.
 */
export function jitterBlockSetup(g: GraphBuilder, bytes: string, seed: string, pixels: number, bits: number, block: number, timesteps: number): JitterBlockInvariants {
  return g.scope('jitter', () => {
    const rows = STATE_BITS;
    const table = g.initializer('jitter/draw_bits', 'uint8', [rows, bitPairs(bits), block * pixels + 1], drawBitTable(block * pixels, bits),
      `J(j, p, k) + 64 J(j, p + ${bitPairs(bits)}, k), J(j, i, k) = bit ${STATE_BITS - bits} + i of next^k(2^j) (xorshift32 is linear over GF(2)), k = 0..${block} * ${pixels}`);
    const nonzero = g.op('Min', [cast(g, bytes, 'int32', 'pixels_int32'), g.constant('int32', 1)], { name: 'nonzero', doc: '1 for a nonzero pixel, else 0' });
    const rank = g.op('CumSum', [nonzero, g.constant('int64', 1)], { name: 'draw_rank', doc: 'k for the k-th nonzero pixel in CHW order, which takes draw k of the timestep' });
    const count = g.op('ReduceSum', [nonzero, g.constant('int64', [1], [1], 'axes_1')], { name: 'nonzero_count', attrs: { keepdims: { int: 0 } }, doc: 'draws per timestep, nnz' });
    const used = g.op('Add', [g.op('Mul', [g.op('ReduceMax', [count], { name: 'largest_count', attrs: { keepdims: { int: 1 } } }), g.constant('int32', [block], [1], `block_${block}_1`)], { name: 'block_draws' }), g.constant('int32', [1], [1], 'one_1')],
      { name: 'ranks', doc: `X = ${block} M + 1: the block's ranks 0..${block} M, M the batch's largest nnz` });
    const usedBits = g.op('Slice', [table, g.constant('int32', [0], [1], 'begin_0'), used, g.constant('int32', [2], [1], 'axes_2')], { name: 'draw_bits_used' });
    const drawBits = g.op('Reshape', [usedBits, g.constant('int64', [rows, -1], [2], `shape_${rows}_flat`)], { name: 'draw_bit_matrix', doc: `[${rows}, pairs * X]` });
    const pixelScale = g.op('Mul', [cast(g, bytes, 'float', 'pixels_float'), g.constant('float', 2 ** -bits)], { name: 'pixel_scale', doc: `p / 2^${bits}, exact` });
    const steps = g.constant('int32', Array.from({ length: block }, (_, t) => t), [block, 1], `steps_0_to_${block - 1}`);
    const stepStart = g.op('Mul', [g.op('Unsqueeze', [count, g.constant('int64', [1, 2], [2], 'axes_1_2')], { name: 'count_n_1_1' }), steps], { name: 'step_start', doc: `t nnz, [N, ${block}, 1]` });
    const drawIndex = g.op('Add', [stepStart, g.op('Unsqueeze', [rank, g.constant('int64', [1], [1], 'axes_1')], { name: 'rank_n_1_p' })], { name: 'draw_index', doc: `t nnz + k: at most ${block} M, [N, ${block}, P]` });
    const flatIndex = g.op('Reshape', [drawIndex, g.constant('int64', [0, -1], [2], 'shape_N_flat')], { name: 'draw_index_by_image', doc: `[N, ${block} P]` });
    const nextMatrix = timesteps === block ? undefined : blockStep(g, count, pixels, block);
    const seed32 = g.op('Mod', [seed, g.constant('int64', 2 ** 32)], { name: 'seed_uint32', doc: 'seed >>> 0 (Mod takes the divisor\'s sign)' });
    const isZero = g.op('Equal', [seed32, g.constant('int64', 0)], { name: 'seed_is_zero' });
    const state = g.op('Where', [isZero, g.constant('int64', ZERO_SEED_STATE), seed32], { name: 'seed_state', doc: `seedState: seed 0 starts from 0x${ZERO_SEED_STATE.toString(16)}` });
    const countsShape = g.op('Concat', [g.constant('int64', [-1, bitPairs(bits)], [2], `shape_N_${bitPairs(bits)}`), cast(g, used, 'int64', 'ranks_int64')], { name: 'counts_shape', attrs: { axis: { int: 0 } } });
    const scaleByImage = g.op('Unsqueeze', [pixelScale, g.constant('int64', [1], [1], 'axes_1')], { name: 'pixel_scale_n_1_p' });
    return { drawIndex: flatIndex, pixelScale: scaleByImage, drawBits, countsShape, nextMatrix, initialState: cast(g, state, 'double', 'initial_state'), bits };
  });
}

/** The bits of next^(B nnz)(2^j) for each image's count nnz, [N, 32, 32] double, from a table of every count's. */
function blockStep(g: GraphBuilder, count: string, pixels: number, block: number): string {
  const jumps = jumpTable(block * pixels).filter((_, i) => Math.floor(i / STATE_BITS) % block === 0);
  const jumpBits = g.initializer('jitter/block_jump_bits', 'uint8', [pixels + 1, STATE_BITS, STATE_BITS], jumpBitTable(jumps), `bit b of next^(${block} k)(2^j) at [k, j, b]`);
  return cast(g, g.op('Gather', [jumpBits, count], { name: 'next_matrix_bits', attrs: { axis: { int: 0 } } }), 'double', 'next_matrix');
}

/** next^(B nnz)(s) for states s [N] (double): the GF(2) product with the image's step matrix, parity, packed. */
function advance(g: GraphBuilder, nextMatrix: string, state: string, name: string): string {
  return g.scope(name, () => {
    const bits = g.op('Unsqueeze', [bitsOf(g, state, 'state'), g.constant('int64', [-1], [1], 'axes_last')], { name: 'state_bits_column', doc: '[N, 32, 1]' });
    const terms = g.op('Mul', [bits, nextMatrix], { name: 'terms', doc: 'bit j of s times bit b of next^nnz(2^j), [N, 32, 32]' });
    const counts = g.op('ReduceSum', [terms, g.constant('int64', [1], [1], 'axes_1')], { name: 'counts', attrs: { keepdims: { int: 0 } }, doc: 'per bit b: at most 32' });
    const half = g.op('Floor', [g.op('Mul', [counts, g.constant('double', 0.5)], { name: 'half' })], { name: 'floor_half' });
    const parity = g.op('Sub', [counts, g.op('Add', [half, half], { name: 'even' })], { name: 'parity', doc: 'GF(2) sum: the count mod 2' });
    const weighted = g.op('Mul', [parity, g.constant('double', Array.from({ length: STATE_BITS }, (_, b) => 2 ** b), [STATE_BITS], 'pow2_0_to_31')], { name: 'weighted' });
    return g.op('ReduceSum', [weighted, g.constant('int64', [1], [1], 'axes_1')], { name: 'next', attrs: { keepdims: { int: 0 } }, doc: 'sum of bit b * 2^b: exact below 2^32, [N]' });
  });
}

/**
 * The encoded inputs of `block` timesteps from the state s at the block's start: x float [N * block, P]
 * (image-major: row n * block + t), and the state after the block. Timestep t starts at next^(t nnz)(s), so its k-th draw is
 * next^(t nnz + k)(s): every draw of the block is one rank 0..block M of s, one row of counts per image.
 */
export function jitterBlock(g: GraphBuilder, inv: JitterBlockInvariants, state: string, block: number, pixels: number): { x: string; next: string } {
  return g.scope('jitter', () => {
    const stateBits = cast(g, bitsOf(g, state, 'state_bits'), 'uint8', 'state_bits_uint8');
    const counts = g.op('MatMulInteger', [stateBits, inv.drawBits], { name: 'draw_bit_counts', dtype: 'int32', doc: 'per (p, k): c_p + 64 c_(p+G), c_i the set state bits j whose jump k has bit i (at most 32); exact in int32' });
    const index = g.op('Reshape', [counts, inv.countsShape], { name: 'parity_index', doc: '[N, pairs, X]' });
    const parityValues = g.constant('float', parityTable(inv.bits), [SPAN], `parity_bits_${inv.bits}`);
    const flatIndex = g.op('Reshape', [index, g.constant('int64', [-1], [1], 'shape_flat')], { name: 'parity_index_flat' });
    const pairBits = g.op('GatherElements', [parityValues, flatIndex], { name: 'draw_pair_bits', attrs: { axis: { int: 0 } }, doc: 'parity(c_p) + 2^G parity(c_(p+G))' });
    const pow2 = g.constant('float', Array.from({ length: bitPairs(inv.bits) }, (_, p) => 2 ** p), [1, bitPairs(inv.bits)], `pow2_pairs_${bitPairs(inv.bits)}`);
    const weighted = g.op('MatMul', [pow2, g.op('Reshape', [pairBits, g.op('Shape', [index], { name: 'index_shape' })], { name: 'draw_pair_bits_by_pair' })], {
      name: 'draw_by_rank_row', doc: 'sum over pairs p of 2^p times its bits: next^k(state) >>> (32 - bits), exact below 2^16; [N, 1, X]',
    });
    const byRank = g.op('Reshape', [weighted, g.constant('int64', [0, -1], [2], 'shape_N_flat')], { name: 'draw_by_rank', doc: '[N, X]' });
    const drawn = g.op('GatherElements', [byRank, inv.drawIndex], { name: 'draw', attrs: { axis: { int: 1 } }, doc: 'each pixel\'s draw next^(t nnz + rank)(state) >>> (32 - bits)' });
    const r = g.op('Reshape', [drawn, g.constant('int64', [-1, block, pixels], [3], `shape_N_${block}_${pixels}`)], { name: 'draw_by_step' });
    const x = g.op('Floor', [g.op('Mul', [r, inv.pixelScale], { name: 'p_r_scaled' })], { name: 'x_by_step', doc: 'floor(p * r / 2^bits), exact in float32' });
    const flat = g.op('Reshape', [x, g.constant('int64', [-1, pixels], [2], `shape_rows_${pixels}`)], { name: 'x', doc: `[N * ${block}, ${pixels}], image-major` });
    return { x: flat, next: inv.nextMatrix === undefined ? state : advance(g, inv.nextMatrix, state, 'block_state') };
  });
}
