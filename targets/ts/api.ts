/**
 * @fileoverview The exported API of a generated model (modelInfo, the trace types, infer, trace, firstDifference) and
 * its small helpers, as ts-morph structures. The trace types are runtime/trace.ts's own interfaces, read from that
 * file, so the model's trace and the golden runtime's are one type and compare with deepEqual.
 */
import { readFileSync } from 'node:fs';
import { Project, StructureKind, VariableDeclarationKind, type FunctionDeclarationStructure, type InterfaceDeclarationStructure } from 'ts-morph';
import { formatType, maxOf } from '../../ir/int-type.ts';
import { eventStatements } from './events-api.ts';
import { quote } from './expr.ts';
import { sampleName, type ModelPlan } from './plan.ts';
import { BLANK_LINE, type ModuleStatement } from './print.ts';

const TRACE_FILE = new URL('../../runtime/trace.ts', import.meta.url);
const TRACE_TYPES = ['InferResult', 'LayerTrace', 'ModelTrace', 'TraceLike'] as const;

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
    ...binningLines(p),
    `  /** Scores sum the last layer's ${summed} over timesteps ${p.readout.begin}..${p.timesteps - 1}; one score unit is this real value. */`,
    `  scoreRealPerLsb: ${p.readout.realPerLsb},`,
    '  layers: [',
    ...layers,
    '  ],',
    '}',
  ].join('\n');
}

/** An events program's binning in modelInfo (docs/ir.md "Event input"). */
function binningLines(p: ModelPlan['program']): string[] {
  if (p.encoder.kind !== 'events') return [];
  const { source, binUs, startUs } = p.encoder.binning;
  return [
    `  /** How events become the T frames of counts infer takes (${source === 'frames' ? 'none: the sample is frames already' : 'binEvents'}); counts saturate at maxCount. */`,
    `  binning: { source: '${source}', binUs: ${binUs}, startUs: ${startUs}, maxCount: ${maxOf(p.input.type)} },`,
  ];
}

let cachedTraceTypes: readonly InterfaceDeclarationStructure[] | undefined;

/** runtime/trace.ts's interfaces as structures, read once per process. */
function traceInterfaces(): readonly InterfaceDeclarationStructure[] {
  if (cachedTraceTypes !== undefined) return cachedTraceTypes;
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile('trace.ts', readFileSync(TRACE_FILE, 'utf8'));
  cachedTraceTypes = TRACE_TYPES.map((name) => {
    const node = file.getInterfaceOrThrow(name);
    const structure = node.getStructure();
    return {
      ...structure,
      // The file's @fileoverview sits right before the first interface, and ts-morph counts it as one of its docs.
      docs: structure.docs?.slice(-1),
      // getStructure() strips the indentation of a multi-line type; the printer wants it as written.
      properties: structure.properties?.map((p) => (typeof p.type === 'string' && p.type.includes('\n')
        ? { ...p, type: node.getPropertyOrThrow(p.name).getTypeNodeOrThrow().getText() } : p)),
    };
  });
  return cachedTraceTypes;
}

/** The trace types, InferResult's doc naming what the scores sum (runtime/trace.ts says membrane, the default). */
function traceStatements(plan: ModelPlan): InterfaceDeclarationStructure[] {
  const source = plan.program.readout.source === 'output' ? 'output' : 'membrane';
  return traceInterfaces().map((structure) => {
    if (structure.name !== 'InferResult') return structure;
    const doc = structure.docs?.[0];
    const text = typeof doc === 'object' && typeof doc.description === 'string' ? doc.description : '';
    if (!text.includes('visible membrane')) throw new Error('runtime/trace.ts: InferResult\'s doc no longer names the visible membrane');
    return { ...structure, docs: [text.replace('visible membrane', `visible ${source}`)] };
  });
}

/** An exported function of the model's API, taking a sample (an image, or an events program's frames) and a seed. */
function apiFunction(plan: ModelPlan, name: string, doc: string, returnType: string, body: string): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function, isExported: true, name, docs: [doc],
    parameters: [{ name: sampleName(plan.encoder), type: 'Uint8Array' }, { name: 'seed', type: 'number' }], returnType, statements: [body],
  };
}

function inferFunction(plan: ModelPlan): FunctionDeclarationStructure {
  const sample = sampleName(plan.encoder);
  const what = plan.encoder.kind === 'events'
    ? `Runs one inference. \`frames\`: ${plan.program.timesteps} frames of ${plan.encoder.pixels} event counts (each CHW, at most ${maxOf(plan.program.input.type)}), frame-major;
\`seed\`: unused (events draw no random numbers). Synchronous and allocation-free apart from the returned object.`
    : `Runs one inference. \`image\`: the pixels (0..255) in CHW order; \`seed\`: the uint32 that seeds the jitter
generator (ignored by a direct encoder). Synchronous and allocation-free apart from the returned object.`;
  return apiFunction(plan, 'infer', what, 'InferResult', `run(${sample}, seed, undefined);
return { scores: Array.from(SCORES), label: argmax(SCORES) };`);
}

function traceFunction(plan: ModelPlan): FunctionDeclarationStructure {
  const layers = plan.program.layers.map((op) => `  { name: ${quote(op.name)}, kind: '${op.kind}', membrane: [], output: [] },`);
  return apiFunction(plan, 'trace', 'Runs one inference and records the encoded input and every layer\'s visible values at every timestep.', 'ModelTrace', `const inputs: number[][] = [];
const layers: LayerTrace[] = [
${layers.join('\n')}
];
run(${sampleName(plan.encoder)}, seed, { inputs, layers });
return { scores: Array.from(SCORES), label: argmax(SCORES), inputs, layers };`);
}

const FIRST_DIFFERENCE: FunctionDeclarationStructure = {
  kind: StructureKind.Function, isExported: true, name: 'firstDifference',
  docs: [`The first place where two traces differ, in time order (timestep, then input, then layer by layer), e.g.
\`t=3 layer0 membrane[17]: expected 5, got 6\`; undefined when they are equal.`],
  parameters: [{ name: 'expected', type: 'TraceLike' }, { name: 'actual', type: 'TraceLike' }],
  returnType: 'string | undefined',
  statements: [`const row = (where: string, a: readonly number[] | undefined, b: readonly number[] | undefined): string | undefined => {
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
return row('scores', expected.scores, actual.scores) ?? (expected.label === actual.label ? undefined : \`label: expected \${expected.label}, got \${actual.label}\`);`],
};

const RECORDER: InterfaceDeclarationStructure = {
  kind: StructureKind.Interface, name: 'Recorder',
  properties: [{ name: 'inputs', type: 'number[][]', isReadonly: true }, { name: 'layers', type: 'LayerTrace[]', isReadonly: true }],
};

const DENSE: FunctionDeclarationStructure = {
  kind: StructureKind.Function, name: 'dense',
  docs: ['A dense copy of an event list (binary lists have no values: each listed entry is 1).'],
  parameters: [{ name: 'length', type: 'number' }, { name: 'idx', type: 'Int32Array' }, { name: 'val', type: 'ArrayLike<number> | undefined' }, { name: 'n', type: 'number' }],
  returnType: 'number[]',
  statements: [`const out = new Array<number>(length).fill(0);
for (let k = 0; k < n; k++) out[idx[k]!] = val === undefined ? 1 : val[k]!;
return out;`],
};

const ARGMAX: FunctionDeclarationStructure = {
  kind: StructureKind.Function, name: 'argmax',
  parameters: [{ name: 'values', type: 'Float64Array' }],
  returnType: 'number',
  statements: [`let best = 0;
for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
return best;`],
};

/** modelInfo, the trace types, the API functions and their helpers, blank lines between all but the first two. */
export function apiStatements(plan: ModelPlan, programSha256: string): ModuleStatement[] {
  const [inferResult, ...traceTypes] = traceStatements(plan);
  return [
    {
      kind: StructureKind.VariableStatement, isExported: true, declarationKind: VariableDeclarationKind.Const,
      docs: ['What this module computes.'], declarations: [{ name: 'modelInfo', initializer: `${infoInitializer(plan, programSha256)} as const` }],
    },
    inferResult!,
    ...[...traceTypes, inferFunction(plan), traceFunction(plan)].flatMap((s) => [BLANK_LINE, s]),
    ...eventStatements(plan.program),
    ...[FIRST_DIFFERENCE, RECORDER, DENSE, ARGMAX].flatMap((s) => [BLANK_LINE, s]),
  ];
}
