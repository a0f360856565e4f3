/**
 * @fileoverview Exact integer dot products on ONNX Runtime's fast float GEMMs.
 *
 * ONNX Runtime implements MatMul for int32 and int64, but as a plain loop several times slower than its float
 * GEMMs (measured on [64,784]x[784,100]: int64 5.2 ms, int32 1.5 ms, double 0.65 ms, float 0.2 ms). A float MatMul
 * of integers is exact when every partial sum is an integer the float type represents: each product |w x| and every
 * partial sum of any summation order (blocked, vectorised, fused multiply-add) is at most B = max over outputs of
 * sum |w| * max|x|, and float32 holds every integer up to 2^24, float64 every integer up to 2^53. So with B < 2^24 the
 * MatMul runs in float32, with B < 2^53 in float64 (check.ts refuses larger B), and either way equals the exact sum.
 * The operands convert exactly too: weights are integers, so |w| <= B, and |x| <= B unless all its weights are 0.
 * (This assumes IEEE float GEMMs, ONNX Runtime's default; its opt-in bfloat16 fast-math on arm64 would break it.)
 */
import type { GraphBuilder } from './graph-builder.ts';

export type FloatType = 'float' | 'double';
/** uint8: MatMulInteger of bytes (integerMatMulFits); float, double: exactFloatType. */
export type MatMulType = FloatType | 'uint8';

export const FLOAT32_EXACT = 2 ** 24;
export const FLOAT64_EXACT = 2 ** 53;

const CODE: Record<FloatType, number> = { float: 1, double: 11 };

/** The float type whose MatMul is exact for dot products bounded by `bound` (see the file comment). */
export function exactFloatType(bound: number): FloatType {
  if (bound < FLOAT32_EXACT) return 'float';
  if (bound < FLOAT64_EXACT) return 'double';
  throw new RangeError(`dot products up to ${bound} are beyond 2^53 (check.ts refuses these programs)`);
}

/** Integer weights as a float initializer of `dtype` (float32 storage when they fit 24 bits, widened once). */
export function integerWeightsAsFloat(g: GraphBuilder, name: string, dims: readonly number[], values: readonly number[], dtype: FloatType, doc: string): string {
  const small = values.every((v) => Math.abs(v) <= FLOAT32_EXACT);
  const stored = g.initializer(name, small ? 'float' : 'double', dims, values, `${doc}; integers stored as ${small ? 'float32' : 'float64'}`);
  if (!small || dtype === 'float') return stored;
  return g.op('Cast', [stored], { name: `${name}_float64`, attrs: { to: { int: CODE.double } }, dtype: 'double' });
}

/** A float64 tensor of integers as `dtype` for an exact MatMul (exact: |x| <= B, see the file comment). */
export function toFloat(g: GraphBuilder, x: string, dtype: FloatType, name: string): string {
  if (g.dtypeOf(x) === dtype) return x;
  return g.op('Cast', [x], { name, attrs: { to: { int: CODE[dtype] } }, dtype });
}

/**
 * Whether a dense synapse's dot products can run as ONNX MatMulInteger, uint8 x uint8 with the weights stored as
 * w + 128 and a weight zero point of 128, accumulating in int32: every input x in [0, 255] (the bounds' reached
 * interval), every weight in [-128, 127], and every int32 the kernel forms below 2^31. ONNX Runtime's u8u8 kernels
 * (SSE, AVX2, AVX-512, NEON) widen the bytes to 16 bits and accumulate exact 32-bit sums of at most `inputs` products
 * of 255 * 255, then subtract 128 * sum x; its u8s8 kernels are avoided: on AVX2 without VNNI, VPMADDUBSW saturates
 * pairs of products at 16 bits.
 */
export function integerMatMulFits(weights: readonly number[], input: { readonly min: number; readonly max: number }, inputs: number): boolean {
  return input.min >= 0 && input.max <= 255 && weights.every((w) => w >= -128 && w <= 127) && inputs * 255 * 255 < 2 ** 31;
}

/** [inputs, units] weights as uint8 w + 128 and their zero point 128, for exactMatMulInteger. */
export function weightsAsBytes(g: GraphBuilder, name: string, dims: readonly number[], values: readonly number[], doc: string): { weights: string; zeroPoint: string } {
  const weights = g.initializer(name, 'uint8', dims, values.map((w) => w + 128), `${doc}; stored as w + 128 (zero point 128)`);
  return { weights, zeroPoint: g.constant('uint8', 128, [], 'weight_zero_point') };
}

/** sum_i x_i * (b_i - 128) by MatMulInteger (exact by integerMatMulFits), as float64. */
export function exactMatMulInteger(g: GraphBuilder, x: string, b: { readonly weights: string; readonly zeroPoint: string }, name: string, doc: string): string {
  const bytes = g.op('Cast', [x], { name: `${name}_x_uint8`, attrs: { to: { int: 2 } }, dtype: 'uint8', doc: 'x in [0, 255] (proven)' });
  const product = g.op('MatMulInteger', [bytes, b.weights, '', b.zeroPoint], { name: `${name}_int32`, dtype: 'int32', doc: `${doc}; exact: uint8 x uint8 in int32, every sum below 2^31` });
  return g.op('Cast', [product], { name, attrs: { to: { int: CODE.double } }, dtype: 'double' });
}

/** Integers held in float32 (the jitter encoder's x) as float64, the type of the rest of the graph; exact. */
export function toDouble(g: GraphBuilder, x: string): string {
  return toFloat(g, x, 'double', 'x_double');
}

/** MatMul(a, b) of float operands holding integers, as float64; exact by the file comment's bound. */
export function exactMatMul(g: GraphBuilder, a: string, b: string, name: string, doc: string): string {
  const exactDoc = `${doc}; exact: every partial sum is an integer below the type's 2^24 or 2^53`;
  if (g.dtypeOf(a) === 'double') return g.op('MatMul', [a, b], { name, doc: exactDoc });
  const product = g.op('MatMul', [a, b], { name: `${name}_float`, doc: exactDoc });
  return g.op('Cast', [product], { name, attrs: { to: { int: CODE.double } }, dtype: 'double' });
}

/** The product's node names: the float cast of x is `${x}_${dtype}`, the float64 result `product`; `what` documents it. */
export type DenseProduct = (body: GraphBuilder, x: string, names: { readonly x: string; readonly product: string; readonly what: string }) => string;

/**
 * x [rows, inputs] times row-major integer weights [units, inputs] (stored transposed), as float64 [rows, units], by
 * the product `dtype` the plan proved exact: MatMulInteger on bytes, or a float MatMul.
 */
export function denseProduct(g: GraphBuilder, weightsName: string, weights: readonly number[], inputs: number, units: number, dtype: MatMulType, doc: string): DenseProduct {
  const transposed: number[] = [];
  for (let i = 0; i < inputs; i++) for (let j = 0; j < units; j++) transposed.push(weights[j * inputs + i]!);
  const dims = [inputs, units];
  if (dtype === 'uint8') {
    const bytes = weightsAsBytes(g, weightsName, dims, transposed, doc);
    return (body, x, names) => exactMatMulInteger(body, x, bytes, names.product, names.what);
  }
  const stored = integerWeightsAsFloat(g, weightsName, dims, transposed, dtype, doc);
  return (body, x, names) => exactMatMul(body, toFloat(body, x, dtype, `${names.x}_${dtype}`), stored, names.product, `${names.what} in ${dtype}`);
}
