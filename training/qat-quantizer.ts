/**
 * @fileoverview The quantizer of quantization-aware training: the compiler's own (compiler/passes/quantize.ts and
 * fold-input-scale.ts), applied to the current float weights at the formats of a program lowered from them. So the
 * integers a QAT forward pass computes with are, weight for weight, the integers `snnc compile` writes.
 */
import { SnncError } from '../base/errors.ts';
import type { ConvOp } from '../ir/conv.ts';
import type { Program } from '../ir/program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import type { Model } from '../model/format.ts';
import { foldScale } from '../compiler/passes/fold-input-scale.ts';
import { quantizeRows, roundAway } from '../compiler/passes/quantize.ts';
import { INPUT_FRAC } from '../compiler/passes/formats-policy.ts';

/** A lowered program without its integer weights and biases: what a QAT step needs (and sends to workers). */
export type QatSpec = Program;

export function qatSpec(program: Program): QatSpec {
  return { ...program, layers: program.layers.map((op) => (op.kind === 'pool' ? op : { ...op, weights: [], bias: [] })) };
}

/** Model layers QAT trains; pools have no place in `snnc train`'s architectures. */
export type QatOp = ConvOp | SpikingOp;

export function qatOp(spec: QatSpec, layer: number): QatOp {
  const op = spec.layers[layer];
  if (!op || op.kind === 'pool') throw new SnncError('unsupported', `QAT: layer ${layer} is ${op ? 'a pool' : 'missing'}; QAT trains conv and spiking layers`);
  return op;
}

/**
 * The pixel scale folded into this layer's weights (compiler/passes/fold-input-scale.ts), or undefined: only the first
 * layer that is not a pool takes it, and only when it has weights.
 */
export function foldedScale(model: Model, layer: number): number | undefined {
  const first = model.layers.findIndex((l) => l.kind !== 'pool');
  const l = model.layers[first];
  if (first !== layer || !l || l.kind === 'pool' || !l.weights) return undefined;
  return model.input.scale;
}

/** d(folded weight)/d(weight): the factor the straight-through gradient carries. */
export function foldFactor(scale: number | undefined): number {
  return scale === undefined ? 1 : scale * 2 ** INPUT_FRAC;
}

export interface LayerIntegers {
  /** Integer weights [rows, cols] row-major, as in the IR (rows = units or filters). */
  readonly weights: Int32Array;
  /** The same weights as real values (integer * 2^-weightFrac[row]), held transposed [cols, rows] like the tf variable. */
  readonly realTransposed: Float32Array;
  readonly bias: Float64Array;
}

/**
 * The integers of one layer from its tf variables' values: `heldWeights` is [cols, rows] (tf-params.ts layout),
 * `bias` [rows]. Biases: spiking at the membrane's fraction bits, conv at each filter's accumulator's.
 */
export function layerIntegers(op: QatOp, heldWeights: Float32Array, bias: Float32Array, weightBits: number, scale: number | undefined): LayerIntegers {
  const rows = op.kind === 'conv' ? op.outShape[0] : op.units;
  const cols = heldWeights.length / rows;
  const rowMajor = new Float32Array(rows * cols);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) rowMajor[r * cols + c] = heldWeights[c * rows + r]!;
  const folded = scale === undefined ? rowMajor : foldScale(rowMajor, scale);
  const ints = quantizeRows(folded, rows, op.weightFrac, 2 ** (weightBits - 1) - 1);
  const realTransposed = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const lsb = 2 ** -op.weightFrac[r]!;
    for (let c = 0; c < cols; c++) realTransposed[c * rows + r] = ints[r * cols + c]! * lsb;
  }
  const biasFrac = (r: number): number => (op.kind === 'conv' ? op.weightFrac[r]! + op.inType.frac : op.membraneType.frac);
  return {
    weights: Int32Array.from(ints),
    realTransposed,
    bias: Float64Array.from(bias, (b, r) => roundAway(b * 2 ** biasFrac(r))),
  };
}

/** Identity layers keep their (fixed) bias from the model: in membrane units, as quantize.ts rounds it. */
export function identityBias(op: SpikingOp, bias: Float32Array): Float64Array {
  return Float64Array.from(bias, (b) => roundAway(b * 2 ** op.membraneType.frac));
}
