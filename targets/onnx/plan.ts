/**
 * @fileoverview The onnx target's plan: the program's bounds (ir/bounds.ts), read once, and the choices the graph
 * builders take from them: the float type of each exact MatMul (exact-matmul.ts). It assumes a program check.ts
 * accepted and validates nothing.
 */
import { largest } from '../../base/array-extent.ts';
import { programBounds, type LayerBounds, type ProgramBounds } from '../../ir/bounds.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import { exactFloatType, type FloatType } from './exact-matmul.ts';

export interface OnnxLayerPlan {
  readonly bounds: LayerBounds;
  /** The float type of the layer's exact MatMul (conv, dense synapse); undefined for a pool or identity synapse. */
  readonly matmul: FloatType | undefined;
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

export function planOnnx(program: Program): OnnxPlan {
  const bounds = programBounds(program);
  const layers = program.layers.map((op, l) => {
    const at = bounds.layers[l]!;
    const bound = matmulBound(op, at);
    return { bounds: at, matmul: bound === undefined ? undefined : exactFloatType(bound) };
  });
  return { bounds, layers, block: blockSize(program.timesteps) };
}
