/**
 * @fileoverview The onnx target's plan: the program's bounds (ir/bounds.ts), read once, and the choices the graph
 * builders take from them: the float type of each exact MatMul (exact-matmul.ts). It assumes a program check.ts
 * accepted and validates nothing.
 */
import { largest } from '../../base/array-extent.ts';
import { programBounds, type LayerBounds, type ProgramBounds, type SpikingBounds } from '../../ir/bounds.ts';
import { typeInterval, withZero } from '../../ir/interval.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { EXACT_LIMIT } from './int-math.ts';
import { exactFloatType, integerMatMulFits, type MatMulType } from './exact-matmul.ts';

export interface OnnxLayerPlan {
  readonly bounds: LayerBounds;
  /**
   * How the layer's exact dot products run (conv, dense synapse): MatMulInteger on bytes when its operands and int32
   * sums are proven to fit, else a float MatMul; undefined for a pool or identity synapse.
   */
  readonly matmul: MatMulType | undefined;
  /** A spiking layer whose decay's rounding and drive are one Floor (spiking-graph.ts): every numerator below 2^53. */
  readonly fusedDecay: boolean;
  /** How a recurrent synapse's products W_rec r run (the dense synapse's rule); undefined without one. */
  readonly recurrentMatmul: MatMulType | undefined;
}

export interface OnnxPlan {
  readonly bounds: ProgramBounds;
  readonly layers: readonly OnnxLayerPlan[];
  /** Timesteps computed per Loop iteration (a divisor of T): the encoder and the first synapse run on all at once. */
  readonly block: number;
}

/** The largest block: its encoder values and first-layer products, [block * N, ...], are held at once. */
export const MAX_BLOCK = 16;

/** The largest divisor of `timesteps` that is at most MAX_BLOCK. */
export function blockSize(timesteps: number): number {
  for (let b = Math.min(MAX_BLOCK, timesteps); b > 1; b--) if (timesteps % b === 0) return b;
  return 1;
}

/**
 * B of exact-matmul.ts for a layer: every |product| and partial sum is at most max over rows of sum_i |w_i| * max|x|
 * (the bounds' declared product magnitudes), and the weights must convert exactly too, so B is at least max |w|.
 */
function matmulBound(op: IrLayer, bounds: LayerBounds): number | undefined {
  if (op.kind === 'conv' && bounds.kind === 'conv') return Math.max(largest(bounds.productMagnitude, 0), largest(op.weights.map(Math.abs), 0));
  if (op.kind === 'spiking' && bounds.kind === 'spiking' && op.synapse === 'dense') return Math.max(largest(bounds.accMagnitude, 0), largest(op.weights.map(Math.abs), 0));
  return undefined;
}

/** The recurrent product's B (as matmulBound's): every |rec_j| and partial sum, and every |w|. */
function recurrentMatmul(op: SpikingOp, bounds: SpikingBounds): MatMulType | undefined {
  if (!op.recurrent) return undefined;
  // r is any output the layer can emit (the output type's values), whatever its membrane reached.
  if (integerMatMulFits(op.recurrent.weights, withZero(typeInterval(op.output.type)), op.units)) return 'uint8';
  return exactFloatType(Math.max(largest(bounds.recurrentMagnitude, 0), largest(op.recurrent.weights.map(Math.abs), 0)));
}

/**
 * floor((v * mul + 2^(s-1) + drive * 2^s) / 2^s) is exact in float64 when that numerator stays below 2^53, with |v| at
 * most the state's magnitude plus |threshold| (as check.ts bounds v) and |drive| at most the declared drive magnitude.
 */
function decayFuses(op: IrLayer, bounds: LayerBounds): boolean {
  if (op.kind !== 'spiking' || bounds.kind !== 'spiking') return false;
  const { mul, shift } = op.decay;
  if (mul === 0 || mul === 2 ** shift) return false;
  const v = Math.max(-bounds.state.min, bounds.state.max) + Math.abs(op.threshold);
  return v * mul + 2 ** (shift - 1) + largest(bounds.driveMagnitude, 0) * 2 ** shift < EXACT_LIMIT;
}

export function planOnnx(program: Program): OnnxPlan {
  const bounds = programBounds(program);
  const layers = program.layers.map((op, l) => {
    const at = bounds.layers[l]!;
    const bound = matmulBound(op, at);
    const fusedDecay = decayFuses(op, at);
    const recurrent = op.kind === 'spiking' && at.kind === 'spiking' ? recurrentMatmul(op, at) : undefined;
    if (bound === undefined) return { bounds: at, matmul: undefined, fusedDecay, recurrentMatmul: recurrent };
    const bytes = op.kind === 'spiking' && integerMatMulFits(op.weights, at.input, op.inputs);
    return { bounds: at, matmul: bytes ? 'uint8' as const : exactFloatType(bound), fusedDecay, recurrentMatmul: recurrent };
  });
  return { bounds, layers, block: blockSize(program.timesteps) };
}

const MATMUL_NAMES: Record<MatMulType, string> = { uint8: 'MatMulInteger u8 x u8 -> int32', float: 'float32 MatMul', double: 'float64 MatMul' };

/** The operator choice in one line, e.g. for a benchmark row: each layer's dot products, the encoder, the block. */
export function describePlan(program: Program, plan: OnnxPlan): string {
  const layers = program.layers.map((op, l) => {
    const { matmul, recurrentMatmul: recurrent } = plan.layers[l]!;
    const own = matmul === undefined ? op.kind === 'pool' ? 'float64 window sums' : 'no product (identity)' : MATMUL_NAMES[matmul];
    return `${op.name}: ${own}${recurrent ? ` (W_rec r: ${MATMUL_NAMES[recurrent]})` : ''}`;
  });
  const encoder = program.encoder.kind === 'jitter' ? 'jitter draws by a GF(2) MatMulInteger' : 'direct input, first synapse once';
  return `${layers.join(', ')}; ${encoder}; blocks of ${plan.block} timesteps; float64 membranes`;
}
