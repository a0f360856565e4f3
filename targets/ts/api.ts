/**
 * @fileoverview The exported API of a generated model (modelInfo, infer, trace, firstDifference) and its small
 * helpers. The trace has exactly the shape of `traceGolden` in runtime/golden.ts, so the two compare with deepEqual.
 */
import type { StatementStructures } from 'ts-morph';
import { formatType } from '../../ir/int-type.ts';
import { quote } from './expr.ts';
import type { ModelPlan } from './plan.ts';

function infoInitializer(plan: ModelPlan, programSha256: string): string {
  const p = plan.program;
  const layers = p.layers.map((op) => `    { name: ${quote(op.name)}, kind: '${op.kind}' },`);
  const summed = p.readout.source === 'output'
    ? `visible output (${plan.last.op.output.kind === 'binary' ? 'spike counts' : formatType(plan.last.op.output.type)})`
    : `membrane (${formatType(plan.last.op.membraneType)})`;
  return [
    '{',
    `  name: ${quote(p.name)},`,
    `  irVersion: ${p.version},`,
    `  sourceSha256: ${quote(p.sourceSha256)},`,
    `  /** sha256 of the program this file was generated from (canonical JSON); the ts target checks it before running. */`,
    `  programSha256: '${programSha256}',`,
    `  /** Channels, height, width; images are CHW. */`,
    `  inputShape: [${p.input.shape.join(', ')}],`,
    `  timesteps: ${p.timesteps},`,
    `  classes: ${p.classes},`,
    `  encoder: '${p.encoder.kind}',`,
    `  /** Scores sum the last layer's ${summed} over timesteps ${p.readout.begin}..${p.timesteps - 1}; one score unit is this real value. */`,
    `  scoreRealPerLsb: ${p.readout.realPerLsb},`,
    '  layers: [',
    ...layers,
    '  ],',
    '}',
  ].join('\n');
}

const TYPES = (source: string): string => `/** Class scores (integers, the sum of the last layer's visible ${source}) and the winning class. */
export interface InferResult {
  readonly scores: number[];
  /** The smallest class index with the largest score. */
  readonly label: number;
}`;

const LAYER_TRACE = `/** One layer's visible values at every timestep (the shape of the snnc golden runtime's trace). */
export interface LayerTrace {
  readonly name: string;
  readonly kind: 'conv' | 'spiking' | 'pool';
  /** membrane[t][j]: visible membrane u of unit j at timestep t (spiking layers; empty for conv and pool). */
  readonly membrane: number[][];
  /** output[t][j]: visible output o (spiking) or y (conv and pool, CHW). */
  readonly output: number[][];
}`;

const MODEL_TRACE = `/** Every value of one inference, to locate a mismatch by layer, timestep and neuron. */
export interface ModelTrace extends InferResult {
  /** inputs[t][i]: the encoded input x_t (CHW). */
  readonly inputs: number[][];
  readonly layers: LayerTrace[];
}`;

const TRACE_LIKE = `/** What firstDifference reads: a ModelTrace, or a read-only dump of the design under test in the same shape. */
export interface TraceLike {
  readonly scores: readonly number[];
  readonly label: number;
  readonly inputs: readonly (readonly number[])[];
  readonly layers: readonly {
    readonly name: string;
    readonly kind: string;
    readonly membrane: readonly (readonly number[])[];
    readonly output: readonly (readonly number[])[];
  }[];
}`;

const RECORDER = `interface Recorder {
  readonly inputs: number[][];
  readonly layers: LayerTrace[];
}`;

const DENSE = `/** A dense copy of an event list (binary lists have no values: each listed entry is 1). */
function dense(length: number, idx: Int32Array, val: ArrayLike<number> | undefined, n: number): number[] {
  const out = new Array<number>(length).fill(0);
  for (let k = 0; k < n; k++) out[idx[k]!] = val === undefined ? 1 : val[k]!;
  return out;
}`;

const ARGMAX = `function argmax(values: Float64Array): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}`;

const INFER = `/**
 * Runs one inference. \`image\`: the pixels (0..255) in CHW order; \`seed\`: the uint32 that seeds the jitter
 * generator (ignored by a direct encoder). Synchronous and allocation-free apart from the returned object.
 */
export function infer(image: Uint8Array, seed: number): InferResult {
  run(image, seed, undefined);
  return { scores: Array.from(SCORES), label: argmax(SCORES) };
}`;

function traceFunction(plan: ModelPlan): string {
  const layers = plan.program.layers.map((op) => `    { name: ${quote(op.name)}, kind: '${op.kind}', membrane: [], output: [] },`);
  return `/** Runs one inference and records the encoded input and every layer's visible values at every timestep. */
export function trace(image: Uint8Array, seed: number): ModelTrace {
  const inputs: number[][] = [];
  const layers: LayerTrace[] = [
${layers.join('\n')}
  ];
  run(image, seed, { inputs, layers });
  return { scores: Array.from(SCORES), label: argmax(SCORES), inputs, layers };
}`;
}

const FIRST_DIFFERENCE = `/**
 * The first place where two traces differ, in time order (timestep, then input, then layer by layer), e.g.
 * \`t=3 layer0 membrane[17]: expected 5, got 6\`; undefined when they are equal.
 */
export function firstDifference(expected: TraceLike, actual: TraceLike): string | undefined {
  const row = (where: string, a: readonly number[] | undefined, b: readonly number[] | undefined): string | undefined => {
    if (a === undefined || b === undefined) return a === b ? undefined : \`\${where}: missing in \${a === undefined ? 'expected' : 'actual'}\`;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) return \`\${where}[\${i}]: expected \${a[i]}, got \${b[i]}\`;
    }
    return undefined;
  };
  const steps = Math.max(expected.inputs.length, actual.inputs.length);
  for (let t = 0; t < steps; t++) {
    const input = row(\`t=\${t} input\`, expected.inputs[t], actual.inputs[t]);
    if (input !== undefined) return input;
    for (let l = 0; l < expected.layers.length; l++) {
      const e = expected.layers[l]!;
      const a = actual.layers[l];
      if (a === undefined) return \`layer \${e.name}: missing in actual\`;
      const diff = (e.kind === 'spiking' ? row(\`t=\${t} \${e.name} membrane\`, e.membrane[t], a.membrane[t]) : undefined)
        ?? row(\`t=\${t} \${e.name} output\`, e.output[t], a.output[t]);
      if (diff !== undefined) return diff;
    }
  }
  return row('scores', expected.scores, actual.scores) ?? (expected.label === actual.label ? undefined : \`label: expected \${expected.label}, got \${actual.label}\`);
}`;

export function apiStatements(plan: ModelPlan, programSha256: string): (string | StatementStructures)[] {
  return [
    `\n/** What this module computes. */\nexport const modelInfo = ${infoInitializer(plan, programSha256)} as const;`,
    TYPES(plan.program.readout.source === 'output' ? 'output' : 'membrane'), LAYER_TRACE, MODEL_TRACE, TRACE_LIKE, INFER, traceFunction(plan), FIRST_DIFFERENCE, RECORDER, DENSE, ARGMAX,
  ];
}
