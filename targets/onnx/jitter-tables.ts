/**
 * @fileoverview The jitter encoder of the integer graph, for a block of B timesteps at once, by table look-ups.
 *
 * xorshift32 is linear over GF(2) (jitter-graph.ts), so for a state s with bytes s_0..s_3 (s = sum_b s_b 2^(8b))
 *   next^k(s) = next^k(s_0) ^ next^k(s_1 << 8) ^ next^k(s_2 << 16) ^ next^k(s_3 << 24)
 * and the top `bits` bits of a XOR are the XOR of the top bits. The tables hold, for every rank k = 0..P and byte value
 * v, chunk c (8 bits) of top(next^k(v << 8b)): A[c][b][k][v]. A draw is then 4 look-ups per chunk and the XOR of the 4
 * bytes, itself two look-ups in a 256 x 256 XOR table X (a ^ b = X[256 a + b]) and a third for the two results.
 *
 * Within a timestep the k-th nonzero pixel (CHW order) takes next^k(s), s the state at the timestep's start; the next
 * timestep starts at next^nnz(s) (a GF(2) matrix product, as in jitter-graph.ts, in float64 where every count is an
 * exact integer). So the B states of a block are stepped first (small [N, 32] products), then the draws of every rank
 * up to the batch's largest nnz M are looked up for all B timesteps at once, [B, N, M + 1], and each pixel takes the
 * draw of its rank (GatherElements). x = floor(p * r / 2^bits) in float32: p * r < 2^24 and the scaling is a power
 * of two, so it is exact; zero pixels get x = 0 whatever their (unused) draw.
 */
import { ZERO_SEED_STATE } from '../../runtime/prng.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { jumpTable } from './jitter-graph.ts';

const STATE_BITS = 32;
const BYTES = 4;
const CAST = { float: 1, int32: 6, int64: 7, double: 11 } as const;

export interface JitterTables {
  /** int64 [N, P]: each pixel's draw rank k, expanded to [B, N, P] (unused for zero pixels). */
  readonly rankByStep: string;
  /** float [N, P]: p / 2^bits. */
  readonly pixelScale: string;
  /** int32 [chunks * 4, 1, 1, M + 1]: flat index of A[c][b][k][0] for the ranks k <= M of this batch. */
  readonly rankBase: string;
  /** int32 table A (bytes b = 0, 2 pre-multiplied by 256, so a pair's sum is an index of X). */
  readonly draws: string;
  /** int32 [2 * 65536]: X * 256, then X. */
  readonly xorPairs: string;
  /** float [chunks * 65536]: X[i] * 256^c, the chunk's weight in the draw. */
  readonly xorChunks: string;
  /** double [N, 32, 32]: bit b of next^nnz(2^j) at [n, j, b]. */
  readonly nextMatrix: string;
  /** double [N]: seedState(seed). */
  readonly initialState: string;
  readonly chunks: number;
}

/** top(next^k(v << 8b)) split in bytes: flat [chunks][4][P + 1][256], uint8. */
export function drawTable(pixels: number, bits: number): number[] {
  const jump = jumpTable(pixels);
  const chunks = Math.ceil(bits / 8);
  const out = new Array<number>(chunks * BYTES * (pixels + 1) * 256).fill(0);
  const top = new Uint32Array(256);
  for (let b = 0; b < BYTES; b++) {
    for (let k = 0; k <= pixels; k++) {
      top[0] = 0;
      for (let v = 1; v < 256; v++) {
        const low = 31 - Math.clz32(v & -v);
        top[v] = (top[v & (v - 1)]! ^ jump[k * STATE_BITS + 8 * b + low]!) >>> 0;
      }
      for (let v = 0; v < 256; v++) {
        const draw = top[v]! >>> (STATE_BITS - bits);
        for (let c = 0; c < chunks; c++) out[(((c * BYTES + b) * (pixels + 1) + k) << 8) + v] = (draw >>> (8 * c)) & 255;
      }
    }
  }
  return out;
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

/** Invariants of a run (main graph): tables, ranks, the state step matrix, the seeded state. */
export function jitterTablesSetup(g: GraphBuilder, pixels64: string, seed: string, pixels: number, bits: number, block: number): JitterTables {
  const chunks = Math.ceil(bits / 8);
  return g.scope('jitter', () => {
    const stored = g.initializer('jitter/draw_bytes', 'uint8', [chunks * BYTES, (pixels + 1) * 256], drawTable(pixels, bits),
      `A[c][b][k][v] = byte c of next^k(v << 8b) >>> ${STATE_BITS - bits}, rows (c, b), columns (k, v); xorshift32 is linear over GF(2)`);
    const pairWeight = g.constant('int32', Array.from({ length: chunks * BYTES }, (_, i) => (i % 2 === 0 ? 256 : 1)), [chunks * BYTES, 1], `pair_weights_${chunks}`);
    const weighted = g.op('Mul', [cast(g, stored, 'int32', 'draw_bytes_int32'), pairWeight], { name: 'draw_bytes_paired', doc: 'bytes 0 and 2 times 256: a pair sums to an X index' });
    const draws = g.op('Reshape', [weighted, g.constant('int64', [-1], [1], 'shape_flat')], { name: 'draw_table' });
    const xorBytes = g.initializer('jitter/xor', 'uint8', [256 * 256], Array.from({ length: 65536 }, (_, i) => (i >> 8) ^ (i & 255)), 'X[256 a + b] = a ^ b');
    const xor32 = cast(g, xorBytes, 'int32', 'xor_int32');
    const xorPairs = g.op('Concat', [g.op('Mul', [xor32, g.constant('int32', 256)], { name: 'xor_times_256' }), xor32], { name: 'xor_pairs', attrs: { axis: { int: 0 } } });
    const chunkWeight = g.constant('float', Array.from({ length: chunks }, (_, c) => 256 ** c), [chunks, 1], `chunk_weights_${chunks}`);
    const xorChunks = g.op('Reshape', [g.op('Mul', [cast(g, xorBytes, 'float', 'xor_float'), chunkWeight], { name: 'xor_by_chunk' }), g.constant('int64', [-1], [1], 'shape_flat')], { name: 'xor_chunks' });
    const base = Array.from({ length: chunks * BYTES * (pixels + 1) }, (_, i) => i * 256);
    const allBases = g.initializer('jitter/rank_base', 'int32', [chunks * BYTES, 1, 1, pixels + 1], base, 'flat index of A[c][b][k][0], [(c, b), 1, 1, k]');
    const nonzero = cast(g, g.op('Greater', [pixels64, g.constant('int64', 0)], { name: 'is_nonzero' }), 'int64', 'nonzero');
    const rank = g.op('CumSum', [nonzero, g.constant('int64', 1)], { name: 'draw_rank', doc: 'k for the k-th nonzero pixel in CHW order, which takes draw k of the timestep' });
    const count = g.op('ReduceSum', [nonzero, g.constant('int64', [1], [1], 'axes_1')], { name: 'nonzero_count', attrs: { keepdims: { int: 0 } }, doc: 'draws per timestep' });
    const ranks = g.op('Add', [g.op('ReduceMax', [count], { name: 'largest_count', attrs: { keepdims: { int: 1 } } }), g.constant('int64', [1], [1], 'one_1')], { name: 'ranks', doc: 'M + 1: the ranks 0..M any image of the batch uses' });
    const rankBase = g.op('Slice', [allBases, g.constant('int64', [0], [1], 'begin_0'), ranks, g.constant('int64', [3], [1], 'axes_3')], { name: 'rank_base_used' });
    const stepShape = g.op('Concat', [g.constant('int64', [block], [1], `block_${block}`), g.op('Shape', [rank], { name: 'rank_shape' })], { name: 'rank_by_step_shape', attrs: { axis: { int: 0 } } });
    const rankByStep = g.op('Expand', [rank, stepShape], { name: 'rank_by_step', doc: `[${block}, N, P]` });
    const pixelScale = g.op('Mul', [cast(g, pixels64, 'float', 'pixels_float'), g.constant('float', 2 ** -bits)], { name: 'pixel_scale', doc: `p / 2^${bits}, exact` });
    const table = g.initializer('jitter/jump_table', 'uint32', [pixels + 1, STATE_BITS], jumpTable(pixels), 'jump[k][j] = xorshift32 applied k times to 2^j');
    const nextJump = g.op('Gather', [cast(g, table, 'double', 'jump_table_double'), count], { name: 'next_jump', attrs: { axis: { int: 0 } }, doc: 'jump[nnz] per image [N, 32]' });
    const nextMatrix = bitsOf(g, nextJump, 'next_matrix');  // [N, j, b]
    const seed32 = g.op('Mod', [seed, g.constant('int64', 2 ** 32)], { name: 'seed_uint32', doc: 'seed >>> 0 (Mod takes the divisor\'s sign)' });
    const isZero = g.op('Equal', [seed32, g.constant('int64', 0)], { name: 'seed_is_zero' });
    const state = g.op('Where', [isZero, g.constant('int64', ZERO_SEED_STATE), seed32], { name: 'seed_state', doc: `seedState: seed 0 starts from 0x${ZERO_SEED_STATE.toString(16)}` });
    return { rankByStep, pixelScale, rankBase, draws, xorPairs, xorChunks, nextMatrix, initialState: cast(g, state, 'double', 'initial_state'), chunks };
  });
}

/** next^nnz(s) for states s [N] (double): the GF(2) product with the image's step matrix, parity, packed. */
function advance(g: GraphBuilder, inv: JitterTables, state: string, name: string): string {
  return g.scope(name, () => {
    const bits = g.op('Unsqueeze', [bitsOf(g, state, 'state'), g.constant('int64', [-1], [1], 'axes_last')], { name: 'state_bits_column', doc: '[N, 32, 1]' });
    const terms = g.op('Mul', [bits, inv.nextMatrix], { name: 'terms', doc: 'bit j of s times bit b of next^nnz(2^j), [N, 32, 32]' });
    const counts = g.op('ReduceSum', [terms, g.constant('int64', [1], [1], 'axes_1')], { name: 'counts', attrs: { keepdims: { int: 0 } }, doc: 'per bit b: at most 32' });
    const half = g.op('Floor', [g.op('Mul', [counts, g.constant('double', 0.5)], { name: 'half' })], { name: 'floor_half' });
    const parity = g.op('Sub', [counts, g.op('Add', [half, half], { name: 'even' })], { name: 'parity', doc: 'GF(2) sum: the count mod 2' });
    const weighted = g.op('Mul', [parity, g.constant('double', Array.from({ length: STATE_BITS }, (_, b) => 2 ** b), [STATE_BITS], 'pow2_0_to_31')], { name: 'weighted' });
    return g.op('ReduceSum', [weighted, g.constant('int64', [1], [1], 'axes_1')], { name: 'next', attrs: { keepdims: { int: 0 } }, doc: 'sum of bit b * 2^b: exact below 2^32, [N]' });
  });
}

/** A 1-D table look-up: table[index] for every entry of `index` (any shape), flattened. */
function lookUp(g: GraphBuilder, table: string, index: string, name: string): string {
  const flat = g.op('Reshape', [index, g.constant('int64', [-1], [1], 'shape_flat')], { name: `${name}_index_flat` });
  return g.op('GatherElements', [table, flat], { name, attrs: { axis: { int: 0 } } });
}

/**
 * The encoded inputs of `block` timesteps from the state at the block's start: x float [block * N, P] (timestep-major),
 * and the state after the block.
 */
export function jitterBlock(g: GraphBuilder, inv: JitterTables, state: string, block: number, pixels: number): { x: string; next: string } {
  return g.scope('jitter', () => {
    const states = [state];
    for (let i = 1; i <= block; i++) states.push(advance(g, inv, states[i - 1]!, `state_${i}`));
    const axes0 = g.constant('int64', [0], [1], 'axes_0');
    const rows = states.slice(0, block).map((s, i) => g.op('Unsqueeze', [s, axes0], { name: `state_row_${i}` }));
    const stacked = rows.length === 1 ? rows[0]! : g.op('Concat', rows, { name: 'states', attrs: { axis: { int: 0 } }, doc: `[${block}, N]: each timestep's starting state` });
    const quotients = g.op('Floor', [g.op('Mul', [g.op('Unsqueeze', [stacked, axes0], { name: 'states_1bn' }),
      g.constant('double', [1, 2 ** -8, 2 ** -16, 2 ** -24, 2 ** -32], [5, 1, 1], 'pow2_minus_bytes')], { name: 'state_scaled' })], { name: 'state_quotients', doc: 'floor(s / 2^(8b)), [5, B, N]' });
    const slice0 = (x: string, from: number, to: number, name: string): string =>
      g.op('Slice', [x, g.constant('int64', [from], [1], `from_${from}`), g.constant('int64', [to], [1], `to_${to}`), axes0], { name });
    const bytes = g.op('Sub', [slice0(quotients, 0, BYTES, 'q_b'), g.op('Mul', [slice0(quotients, 1, BYTES + 1, 'q_b_plus_1'), g.constant('double', 256)], { name: 'q_b_plus_1_times_256' })], { name: 'state_bytes', doc: `byte b of each state, [4, ${block}, N]` });
    const bytes32 = cast(g, g.op('Unsqueeze', [bytes, g.constant('int64', [-1], [1], 'axes_last')], { name: 'state_bytes_column' }), 'int32', 'state_bytes_int32');
    const perChunk = inv.chunks === 1 ? bytes32 : g.op('Concat', new Array<string>(inv.chunks).fill(bytes32), { name: 'state_bytes_by_chunk', attrs: { axis: { int: 0 } } });
    const index = g.op('Add', [inv.rankBase, perChunk], { name: 'draw_index', doc: `[chunks * 4, ${block}, N, M + 1]: A index of every (chunk, byte, rank)` });
    const rankShape = g.op('Shape', [index], { name: 'by_rank_shape', attrs: { start: { int: 1 } } });
    const parts = lookUp(g, inv.draws, index, 'draw_parts');
    const pairs = g.op('ReduceSum', [g.op('Reshape', [parts, g.constant('int64', [inv.chunks, 2, 2, -1], [4], `shape_pairs_${inv.chunks}`)], { name: 'draw_parts_by_pair' }),
      g.constant('int64', [2], [1], 'axes_2')], { name: 'pair_index', attrs: { keepdims: { int: 0 } }, doc: '256 A_0 + A_1 and 256 A_2 + A_3, [chunks, 2, L]' });
    const pairIndex = g.op('Add', [pairs, g.constant('int32', [0, 65536], [1, 2, 1], 'xor_pair_offsets')], { name: 'xor_pair_index' });
    const pairXor = g.op('Reshape', [lookUp(g, inv.xorPairs, pairIndex, 'pair_xor'), g.constant('int64', [inv.chunks, 2, -1], [3], `shape_chunk_pairs_${inv.chunks}`)], { name: 'pair_xor_by_chunk', doc: '256 (A_0 ^ A_1), A_2 ^ A_3' });
    let chunkIndex = g.op('ReduceSum', [pairXor, g.constant('int64', [1], [1], 'axes_1')], { name: 'chunk_index', attrs: { keepdims: { int: 0 } }, doc: '[chunks, L]' });
    if (inv.chunks > 1) chunkIndex = g.op('Add', [chunkIndex, g.constant('int32', Array.from({ length: inv.chunks }, (_, c) => c * 65536), [inv.chunks, 1], `chunk_offsets_${inv.chunks}`)], { name: 'chunk_index_offset' });
    const chunkDraws = lookUp(g, inv.xorChunks, chunkIndex, 'chunk_draws');
    const summed = inv.chunks === 1 ? chunkDraws
      : g.op('ReduceSum', [g.op('Reshape', [chunkDraws, g.constant('int64', [inv.chunks, -1], [2], `shape_chunks_${inv.chunks}`)], { name: 'chunk_draws_by_chunk' }), axes0], { name: 'draw_sum', attrs: { keepdims: { int: 0 } } });
    const byRank = g.op('Reshape', [summed, rankShape], { name: 'draw_by_rank', doc: `[${block}, N, M + 1]: the top bits of next^k(state), k = 0..M` });
    const r = g.op('GatherElements', [byRank, inv.rankByStep], { name: 'draw', attrs: { axis: { int: 2 } }, doc: 'each pixel\'s draw next^rank(state) >>> (32 - bits)' });
    const x = g.op('Floor', [g.op('Mul', [r, inv.pixelScale], { name: 'p_r_scaled' })], { name: 'x_by_step', doc: 'floor(p * r / 2^bits), exact in float32' });
    const flat = g.op('Reshape', [x, g.constant('int64', [-1, pixels], [2], `shape_rows_${pixels}`)], { name: 'x', doc: `[${block} * N, ${pixels}]` });
    return { x: flat, next: states[block]! };
  });
}
