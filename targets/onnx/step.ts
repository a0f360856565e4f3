/**
 * @fileoverview What a layer contributes to the timestep graph: loop-carried states, and one step's nodes. The same
 * step builders serve the ONNX Loop body and the unrolled graph.
 */
import type { GraphBuilder } from './graph-builder.ts';
import { tensorProto, type DType, type Dim } from './proto.ts';

/** The symbolic batch dimension of every input and output. */
export const BATCH = 'N';

/** A value carried from one timestep to the next. */
export interface CarriedState {
  /** Unique key; also the base of its tensor names (`layer0/v`). */
  readonly key: string;
  readonly dtype: DType;
  readonly dims: readonly Dim[];
  /** Its value before timestep 0, a main-graph tensor. */
  readonly initial: string;
  readonly doc: string;
}

export interface LayerStepResult {
  /** The layer's visible output, the next layer's input: [N, features]. */
  readonly x: string;
  /** Values of this layer's carried states for the next timestep, by key. */
  readonly next: Readonly<Record<string, string>>;
  /** Spiking layers: the visible membrane [N, units]. */
  readonly membrane?: string;
}

export interface StepLayer {
  readonly name: string;
  readonly kind: 'conv' | 'spiking' | 'pool';
  /** Features of the visible output (and membrane) per image. */
  readonly units: number;
  readonly states: readonly CarriedState[];
  step(g: GraphBuilder, x: string, current: (key: string) => string): LayerStepResult;
}

/** A spiking layer, whose synapse can also run apart from its membrane: on a block of timesteps at once. */
export interface SpikingStepLayer extends StepLayer {
  /** The membrane's input [rows, units] from x [rows, inputs], for any number of rows (images, or timesteps times images). */
  drive(g: GraphBuilder, x: string): string;
  /** One timestep of the membrane from its drive [N, units]. */
  fromDrive(g: GraphBuilder, drive: string, current: (key: string) => string): LayerStepResult;
}

/** A [N, ...dims] tensor of zeros of `dtype`; `batch` is the int64 [1] tensor holding N. */
export function zeros(g: GraphBuilder, batch: string, dims: readonly number[], dtype: DType, name: string): string {
  const shape = g.op('Concat', [batch, g.constant('int64', dims, [dims.length], `dims_${dims.join('x')}`)], { name: `${name}_shape`, attrs: { axis: { int: 0 } } });
  return g.op('ConstantOfShape', [shape], { name, dtype, attrs: { value: { tensor: tensorProto('zero', dtype, [1], [0]) } } });
}
