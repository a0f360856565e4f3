/**
 * @fileoverview The module-level constants (weights, biases, rounding terms) and buffers of a generated model as
 * ts-morph variable statements, each with its doc comment, grouped by layer; and `packLanes`, which the packed
 * layers' constants call.
 */
import { StructureKind, VariableDeclarationKind, type FunctionDeclarationStructure, type VariableStatementStructure } from 'ts-morph';
import { formatType } from '../../ir/int-type.ts';
import { wrapItems } from './expr.ts';
import type { LayerPlan, ModelPlan, SpikingPlan } from './plan.ts';
import { BLANK_LINE, type ModuleStatement } from './print.ts';
import { arrayKindFor, type ArrayKind } from './ranges.ts';

/**
 * A module-level constant or buffer. Its module name is SCREAMING_CASE; `run` works on a local alias under the camel
 * `name` when `local`, because V8 optimises typed arrays held in locals several times better than module bindings.
 * Why each one has the storage it has goes in its doc line.
 */
export interface Declaration {
  readonly name: string;
  readonly doc: string;
  readonly init: string;
  readonly local: boolean;
}

/** `l0W` -> `L0_W`, `pixIdx` -> `PIX_IDX`. */
export function moduleName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function literal(kind: ArrayKind, values: readonly number[]): string {
  if (values.length === 0) return `new ${kind}(0)`;
  return `new ${kind}([\n${wrapItems(values).map((line) => `  ${line}`).join('\n')}\n])`;
}

function constant(name: string, doc: string, kind: ArrayKind, values: readonly number[], local = true): Declaration {
  return { name, doc, init: literal(kind, values), local };
}

function buffer(name: string, doc: string, kind: ArrayKind, length: number, local = true): Declaration {
  return { name, doc, init: `new ${kind}(${length})`, local };
}

function uniformShift(shifts: readonly number[]): boolean {
  return shifts.every((s) => s === shifts[0]);
}

/**
 * The synapse's constants and buffers: identity factors, plain transposed weights, or lane-packed weights; a layer
 * driven `block` timesteps at a time (plan.ts, TIME_BLOCK) keeps one row of accumulators per timestep of the block.
 */
function synapseDeclarations(p: SpikingPlan, name: string, driveDoc: string, block: number): Declaration[] {
  const { op, prefix: l, packing } = p;
  const units = op.units;
  const biasDoc = p.op.synaptic?.bias ? 'per-unit bias of the synaptic current (synaptic.bias)' : 'per-unit bias';
  const bias = constant(`${l}Bias`, `${name}: ${biasDoc}, membrane units.`, p.driveKind, [...p.driveBias]);
  if (op.synapse === 'identity') {
    const unit = p.weights.every((f) => f === 1);
    return [
      ...(unit ? [] : [constant(`${l}W`, `${name}: identity synapse, 2^accShift per unit.`, p.weightKind, p.weights)]),
      bias,
      buffer(`${l}D`, driveDoc, p.driveKind, units),
    ];
  }
  const weightsDoc = `${name}: weights transposed to [input][unit], each multiplied by 2^accShift[unit].`;
  const blockAcc = (kind: ArrayKind, width: number): Declaration[] =>
    block > 1 ? [buffer(`${l}Acc`, `${name}: drive accumulators of the ${block} timesteps of a block, [timestep][${packing ? 'word' : 'unit'}].`, kind, width * block)] : [];
  if (packing === undefined) return [constant(`${l}W`, weightsDoc, p.weightKind, p.weights), bias, ...blockAcc(p.driveKind, units), buffer(`${l}D`, driveDoc, p.driveKind, units)];
  return [
    constant(`${l}W`, weightsDoc, p.weightKind, p.weights, false),
    {
      name: `${l}P`, local: true,
      doc: `${name}: the weights packed ${packing.lanes} units per double, ${packing.laneBits}-bit lanes (exact: |partial sums| < 2^${packing.laneBits - 1}).`,
      init: `packLanes(${moduleName(`${l}W`)}, ${op.inputs}, ${units}, ${packing.lanes}, ${packing.laneBits})`,
    },
    ...(block > 1 ? blockAcc('Float64Array', packing.words) : [buffer(`${l}Acc`, `${name}: packed accumulators, one double per ${packing.lanes} units.`, 'Float64Array', packing.words)]),
    constant(`${l}Bias`, `${name}: ${biasDoc}, membrane units (zero-padded to whole words).`, p.driveKind, [...p.driveBias, ...new Array<number>(packing.words * packing.lanes - units).fill(0)]),
    buffer(`${l}D`, driveDoc, p.driveKind, packing.words * packing.lanes),
  ];
}

/** The recurrent synapse's weights and sums, the synaptic current's state and the bias added after it. */
function recurrenceDeclarations(p: SpikingPlan, name: string): Declaration[] {
  const { op, prefix: l, recurrent, current } = p;
  const units = op.units;
  const list: Declaration[] = [];
  if (recurrent) {
    const sums = recurrent.kind === 'Int32Array' ? 'int32 (proven range' : 'doubles (range';
    list.push(
      constant(`${l}RecW`, `${name}: recurrent weights transposed to [from unit][to unit], each multiplied by 2^recurrent.accShift[to unit].`, recurrent.weightKind, recurrent.weights),
      buffer(`${l}Rec`, `${name}: rec << recurrent.accShift from the outputs of the previous step; ${sums} ${recurrent.range.min}..${recurrent.range.max}).`, recurrent.kind, units),
    );
  }
  if (current) list.push(buffer(`${l}C`, `${name}: synaptic current state c, ${formatType(op.synaptic!.type)}.`, current.kind, units));
  if (current && op.bias.some((b) => b !== 0)) {
    list.push(
      constant(`${l}MemBias`, `${name}: per-unit bias, membrane units, added after the synaptic current.`, arrayKindFor({ min: Math.min(...op.bias), max: Math.max(...op.bias) }), [...op.bias]),
    );
  }
  return list;
}

function layerDeclarations(p: LayerPlan, block: number): Declaration[] {
  const l = p.prefix;
  const name = p.op.name.replace(/\*\//g, '* /');
  if (p.kind === 'conv') {
    const op = p.op;
    const size = p.out.length;
    const shifts = uniformShift(op.outShift) ? [] : [
      constant(`${l}Half`, `${name}: per-filter rounding term 2^(outShift-1), 0 for shift 0.`, 'Float64Array', op.outShift.map((s) => (s > 0 ? 2 ** (s - 1) : 0))),
      constant(`${l}Shift`, `${name}: per-filter outShift.`, 'Int32Array', [...op.outShift]),
    ];
    return [
      constant(`${l}W`, `${name}: weights as [channel][ky][kx][filter].`, p.weightKind, p.weights),
      constant(`${l}Bias`, `${name}: per-filter bias, accumulator units.`, p.accKind, [...op.bias]),
      ...shifts,
      buffer(`${l}Acc`, `${name}: accumulators, ${p.accKind === 'Int32Array' ? 'int32 (proven range' : 'doubles (range'} ${p.acc.min}..${p.acc.max}).`, p.accKind, size),
      buffer(`${l}Y`, `${name}: output, dense CHW.`, p.out.valKind, size),
      buffer(`${l}Idx`, `${name}: nonzero output indices.`, 'Int32Array', size),
      buffer(`${l}Val`, `${name}: nonzero output values.`, p.out.valKind, size),
    ];
  }
  if (p.kind === 'pool') {
    const size = p.out.length;
    return [
      buffer(`${l}Acc`, `${name}: window sums, ${p.accKind === 'Float64Array' ? 'doubles (range' : `${p.accKind} (proven range`} ${p.acc.min}..${p.acc.max}).`, p.accKind, size),
      buffer(`${l}Y`, `${name}: output, dense CHW.`, p.out.valKind, size),
      buffer(`${l}Idx`, `${name}: nonzero output indices.`, 'Int32Array', size),
      buffer(`${l}Val`, `${name}: nonzero output values.`, p.out.valKind, size),
    ];
  }
  const op = p.op;
  const units = op.units;
  const pair = (suffix: string, doc: string, kind: ArrayKind): Declaration[] =>
    op.delay === 1
      ? [buffer(`${l}${suffix}A`, doc, kind, units, false), buffer(`${l}${suffix}B`, `${doc} (second of the delay pair)`, kind, units, false)]
      : [buffer(`${l}${suffix}`, doc, kind, units)];
  const fed = !p.current ? '(acc << accShift) + bias' : op.synaptic?.bias ? '(acc << accShift) + synaptic.bias' : 'acc << accShift';
  const what = `${fed}${p.recurrent ? ', range with rec added' : ''}`;
  const driveDoc = `${name}: drive = ${what}; ${p.driveKind === 'Int32Array' ? 'int32 (proven range' : 'doubles (range'} ${p.drive.min}..${p.drive.max}).`;
  const synapse = synapseDeclarations(p, name, driveDoc, block);
  return [
    ...synapse,
    ...recurrenceDeclarations(p, name),
    buffer(`${l}V`, `${name}: membrane state v after reset.`, p.stateKind, units),
    ...pair('U', `${name}: membrane u before reset.`, p.membraneKind),
    ...pair('Idx', `${name}: indices of units with nonzero output.`, 'Int32Array'),
    ...(p.out.binary ? [] : pair('Val', `${name}: their outputs.`, p.out.valKind)),
  ];
}

/** Every module-level constant and buffer of a planned model, in declaration order. */
export function declarations(plan: ModelPlan): Declaration[] {
  const { encoder } = plan;
  const pixels = encoder.pixels;
  const list: Declaration[] = encoder.kind === 'events' ? [] : [
    buffer('pixIdx', 'Indices of the nonzero pixels (the only ones that draw random numbers or contribute).', 'Int32Array', pixels),
    buffer('pixVal', 'Their values.', 'Int32Array', pixels),
  ];
  if (encoder.kind === 'events') {
    list.push(buffer('xIdx', 'The current frame\'s nonzero event counts: indices (CHW).', 'Int32Array', pixels));
    list.push(buffer('xVal', 'Their counts.', 'Int32Array', pixels));
  } else if (plan.block > 1) {
    list.push(buffer('xBlock', `Encoded inputs of ${plan.block} timesteps: [timestep][n], nonzero pixel n's value (0 when its draw gives 0).`, 'Int32Array', plan.block * pixels));
  } else if (encoder.kind === 'jitter') {
    list.push(buffer('xIdx', 'Encoded input events of the current timestep: indices.', 'Int32Array', pixels));
    list.push(buffer('xVal', 'Encoded input events: values (nonzero).', 'Int32Array', pixels));
  }
  plan.layers.forEach((p, l) => list.push(...layerDeclarations(p, l === 0 ? plan.block : 1)));
  list.push(buffer('scores', 'Class scores, summed in doubles (exact: below 2^53).', 'Float64Array', plan.program.classes));
  return list;
}

/** Declarations of one layer (`l0...`), or the shared ones under the key ''. */
function layerKey(name: string): string {
  return /^l\d+/.exec(name)?.[0] ?? '';
}

/** The declarations as statements: one group per layer (the shared buffers first), each led by a blank line. */
export function declarationStatements(decls: readonly Declaration[]): ModuleStatement[] {
  const groups = new Map<string, VariableStatementStructure[]>();
  for (const d of decls) {
    const statement: VariableStatementStructure = {
      kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const, docs: [d.doc],
      declarations: [{ name: moduleName(d.name), initializer: d.init }],
    };
    groups.set(layerKey(d.name), [...(groups.get(layerKey(d.name)) ?? []), statement]);
  }
  return [...groups.values()].flatMap((group) => [BLANK_LINE, ...group]);
}

/** The locals `run` declares for the declarations it uses: `name = NAME` pairs, one list per layer. */
export function localAliases(decls: readonly Declaration[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const d of decls.filter((x) => x.local)) {
    groups.set(layerKey(d.name), [...(groups.get(layerKey(d.name)) ?? []), `${d.name} = ${moduleName(d.name)}`]);
  }
  return [...groups.values()];
}

/** Packs weights [input][unit] into doubles of `lanes` units each (called by the packed layers' constants). */
export const PACK_LANES: FunctionDeclarationStructure = {
  kind: StructureKind.Function, name: 'packLanes',
  docs: ['Packs weights [input][unit] into doubles of `lanes` units each, unit k*lanes+m scaled by 2^(bits*m) (exact: < 2^53).'],
  parameters: [
    { name: 'w', type: 'ArrayLike<number>' }, { name: 'inputs', type: 'number' }, { name: 'units', type: 'number' },
    { name: 'lanes', type: 'number' }, { name: 'bits', type: 'number' },
  ],
  returnType: 'Float64Array',
  statements: [`const words = Math.ceil(units / lanes);
const packed = new Float64Array(inputs * words);
for (let i = 0; i < inputs; i++) {
  for (let j = 0; j < units; j++) {
    const k = i * words + Math.floor(j / lanes);
    packed[k] = packed[k]! + w[i * units + j]! * 2 ** (bits * (j % lanes));
  }
}
return packed;`],
};
