/**
 * @fileoverview Assembles the generated `model.ts` with ts-morph: header, model facts, embedded constants, buffers
 * allocated once, the `run` loop over timesteps, and the exported API (api-source.ts).
 */
import { IndentationText, Project, QuoteKind, StructureKind, VariableDeclarationKind, type CodeBlockWriter, type StatementStructures } from 'ts-morph';
import { apiStatements } from './api.ts';
import { unreachable } from '../../ir/registry.ts';
import { convCode, poolCode, spikingCode, type LayerCode } from './layer-code.ts';
import { headerComment } from './describe.ts';
import { wrapItems } from './expr.ts';
import type { LayerPlan, ModelPlan, SpikingPlan } from './plan.ts';
import type { ArrayKind } from './ranges.ts';

/**
 * A module-level constant or buffer. Its module name is SCREAMING_CASE; `run` works on a local alias under the camel
 * `name` when `local`, because V8 optimises typed arrays held in locals several times better than module bindings.
 * Why each one has the storage it has goes in its doc line.
 */
interface Declaration {
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

/**
 * Declarations are printed as text so that long literals keep their own line breaks; one text per layer (or for the
 * shared buffers), led by a blank line.
 */
function declarationGroups(decls: readonly Declaration[]): string[] {
  const groups = new Map<string, string[]>();
  for (const d of decls) {
    const key = /^l\d+/.exec(d.name)?.[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), `/** ${d.doc} */\nconst ${moduleName(d.name)} = ${d.init};`]);
  }
  return [...groups.values()].map((texts) => `\n${texts.join('\n')}`);
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

/** The synapse's constants and buffers: identity factors, plain transposed weights, or lane-packed weights. */
function synapseDeclarations(p: SpikingPlan, name: string, driveDoc: string): Declaration[] {
  const { op, prefix: l, packing } = p;
  const units = op.units;
  const bias = constant(`${l}Bias`, `${name}: per-unit bias, membrane units.`, p.driveKind, [...op.bias]);
  if (op.synapse === 'identity') {
    const unit = p.weights.every((f) => f === 1);
    return [
      ...(unit ? [] : [constant(`${l}W`, `${name}: identity synapse, 2^accShift per unit.`, p.weightKind, p.weights)]),
      bias,
      buffer(`${l}D`, driveDoc, p.driveKind, units),
    ];
  }
  const weightsDoc = `${name}: weights transposed to [input][unit], each multiplied by 2^accShift[unit].`;
  if (packing === undefined) return [constant(`${l}W`, weightsDoc, p.weightKind, p.weights), bias, buffer(`${l}D`, driveDoc, p.driveKind, units)];
  return [
    constant(`${l}W`, weightsDoc, p.weightKind, p.weights, false),
    {
      name: `${l}P`, local: true,
      doc: `${name}: the weights packed ${packing.lanes} units per double, ${packing.laneBits}-bit lanes (exact: |partial sums| < 2^${packing.laneBits - 1}).`,
      init: `packLanes(${moduleName(`${l}W`)}, ${op.inputs}, ${units}, ${packing.lanes}, ${packing.laneBits})`,
    },
    buffer(`${l}Acc`, `${name}: packed accumulators, one double per ${packing.lanes} units.`, 'Float64Array', packing.words),
    constant(`${l}Bias`, `${name}: per-unit bias, membrane units (zero-padded to whole words).`, p.driveKind, [...op.bias, ...new Array<number>(packing.words * packing.lanes - units).fill(0)]),
    buffer(`${l}D`, driveDoc, p.driveKind, packing.words * packing.lanes),
  ];
}

function layerDeclarations(p: LayerPlan): Declaration[] {
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
  const driveDoc = `${name}: drive = (acc << accShift) + bias; ${p.driveKind === 'Int32Array' ? 'int32 (proven range' : 'doubles (range'} ${p.drive.min}..${p.drive.max}).`;
  const synapse = synapseDeclarations(p, name, driveDoc);
  return [
    ...synapse,
    buffer(`${l}V`, `${name}: membrane state v after reset.`, p.stateKind, units),
    ...pair('U', `${name}: membrane u before reset.`, p.membraneKind),
    ...pair('Idx', `${name}: indices of units with nonzero output.`, 'Int32Array'),
    ...(p.out.binary ? [] : pair('Val', `${name}: their outputs.`, p.out.valKind)),
  ];
}

function declarations(plan: ModelPlan): Declaration[] {
  const { encoder } = plan;
  const pixels = encoder.pixels;
  const list: Declaration[] = [
    buffer('pixIdx', 'Indices of the nonzero pixels (the only ones that draw random numbers or contribute).', 'Int32Array', pixels),
    buffer('pixVal', 'Their values.', 'Int32Array', pixels),
  ];
  if (encoder.kind === 'jitter') {
    list.push(buffer('xIdx', 'Encoded input events of the current timestep: indices.', 'Int32Array', pixels));
    list.push(buffer('xVal', 'Encoded input events: values (nonzero).', 'Int32Array', pixels));
  }
  for (const p of plan.layers) list.push(...layerDeclarations(p));
  list.push(buffer('scores', 'Class scores, summed in doubles (exact: below 2^53).', 'Float64Array', plan.program.classes));
  return list;
}

/** Locals of `run`: event counts, and the swappable buffers of delay-1 layers. */
function runLocals(w: CodeBlockWriter, plan: ModelPlan): void {
  for (const p of plan.layers) {
    const l = p.prefix;
    if (p.kind === 'spiking' && p.op.delay === 1) {
      const m = (name: string): string => moduleName(`${l}${name}`);
      w.writeLine(`let ${l}U = ${m('UA')}, ${l}UVis = ${m('UB')};`);
      w.writeLine(`let ${l}Idx = ${m('IdxA')}, ${l}VisIdx = ${m('IdxB')};`);
      if (!p.out.binary) w.writeLine(`let ${l}Val = ${m('ValA')}, ${l}VisVal = ${m('ValB')};`);
      w.writeLine(`let ${l}N = 0, ${l}VisN = 0;`);
      w.writeLine(`${m('UA')}.fill(0); // the first swap makes it visible: zeros at t = 0`);
    } else {
      w.writeLine(`let ${l}N = 0;`);
    }
    if (p.kind === 'spiking') w.writeLine(`${l}V.fill(0);`);
  }
}

function encoderStep(w: CodeBlockWriter, plan: ModelPlan): void {
  const { encoder } = plan;
  if (encoder.kind === 'direct') {
    w.writeLine('if (rec) rec.inputs.push(dense(PIXELS, pixIdx, pixVal, pixN));');
    return;
  }
  const bits = encoder.jitterBits;
  // p < 2^8 and r < 2^bits: the product fits an unsigned 32-bit shift when bits <= 24.
  const x = bits <= 24 ? `(pixVal[n]! * (s >>> ${32 - bits})) >>> ${bits}` : `Math.floor((pixVal[n]! * (s >>> ${32 - bits})) / ${2 ** bits})`;
  w.writeLine(`// Jitter encoder: one xorshift32 step per nonzero pixel, x = floor(p * r / 2^${bits}) with r the top ${bits} bits.`);
  w.writeLine('xN = 0;');
  w.write('for (let n = 0; n < pixN; n++)').block(() => {
    w.writeLine('s ^= s << 13;').writeLine('s ^= s >>> 17;').writeLine('s ^= s << 5;');
    w.writeLine(`const x = ${x};`);
    w.writeLine('if (x !== 0) { xIdx[xN] = pixIdx[n]!; xVal[xN] = x; xN++; }');
  });
  w.writeLine('if (rec) rec.inputs.push(dense(PIXELS, xIdx, xVal, xN));');
}

/** `const a = A, b = B;` for the declarations `run` uses, a line per layer. */
function aliases(w: CodeBlockWriter, decls: readonly Declaration[]): void {
  const groups = new Map<string, string[]>();
  for (const d of decls.filter((x) => x.local)) {
    const key = /^l\d+/.exec(d.name)?.[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), `${d.name} = ${moduleName(d.name)}`]);
  }
  for (const names of groups.values()) w.writeLine(`const ${names.join(', ')};`);
}

function runBody(plan: ModelPlan, decls: readonly Declaration[], codes: readonly LayerCode[]): (w: CodeBlockWriter) => void {
  const { program, last } = plan;
  return (w) => {
    w.writeLine('if (image.length !== PIXELS) throw new RangeError(`image has ${image.length} pixels, the model wants ${PIXELS}`);');
    aliases(w, decls);
    w.writeLine('let pixN = 0;');
    w.write('for (let i = 0; i < PIXELS; i++)').block(() => {
      w.writeLine('const p = image[i]!;');
      w.writeLine('if (p !== 0) { pixIdx[pixN] = i; pixVal[pixN] = p; pixN++; }');
    });
    if (plan.encoder.kind === 'jitter') {
      w.writeLine('// xorshift32 state as int32 bits; seed 0 maps to 0x6d2b79f5 (xorshift has no zero state).');
      w.writeLine('let s = (seed >>> 0) === 0 ? 0x6d2b79f5 | 0 : seed | 0;');
      w.writeLine('let xN = 0;');
    } else {
      w.writeLine('void seed; // a direct encoder draws no random numbers');
    }
    runLocals(w, plan);
    w.writeLine('scores.fill(0);');
    for (const code of codes) if (code.once) code.once(w);
    w.write(`for (let t = 0; t < ${program.timesteps}; t++)`).block(() => {
      encoderStep(w, plan);
      for (const code of codes) {
        w.blankLineIfLastNot();
        code.step(w);
      }
      w.blankLineIfLastNot();
      const vis = last.out;
      const add = program.readout.source === 'output'
        ? `for (let n = 0; n < ${vis.n}; n++) scores[${vis.idx}[n]!] = scores[${vis.idx}[n]!]! + ${vis.val === undefined ? '1' : `${vis.val}[n]!`};`
        : `for (let k = 0; k < ${program.classes}; k++) scores[k] = scores[k]! + ${last.visibleU}[k]!;`;
      w.writeLine(`// Readout: sum the last layer's visible ${program.readout.source === 'output' ? 'outputs (its nonzero events)' : 'membrane'} from t = ${program.readout.begin}.`);
      w.writeLine(program.readout.begin > 0 ? `if (t >= ${program.readout.begin}) ${add}` : add);
    });
  };
}

const PACK_LANES = `/** Packs weights [input][unit] into doubles of \`lanes\` units each, unit k*lanes+m scaled by 2^(bits*m) (exact: < 2^53). */
function packLanes(w: ArrayLike<number>, inputs: number, units: number, lanes: number, bits: number): Float64Array {
  const words = Math.ceil(units / lanes);
  const packed = new Float64Array(inputs * words);
  for (let i = 0; i < inputs; i++) {
    for (let j = 0; j < units; j++) {
      const k = i * words + Math.floor(j / lanes);
      packed[k] = packed[k]! + w[i * units + j]! * 2 ** (bits * (j % lanes));
    }
  }
  return packed;
}`;

function layerCode(p: LayerPlan): LayerCode {
  switch (p.kind) {
    case 'conv':
      return convCode(p);
    case 'pool':
      return poolCode(p);
    case 'spiking':
      return spikingCode(p);
    default:
      return unreachable(p, 'layer kind');
  }
}

/** The text of `model.ts` for a planned program. */
export function emitModelSource(plan: ModelPlan, programSha256: string): string {
  const codes = plan.layers.map(layerCode);
  const decls = declarations(plan);
  const packs = plan.layers.some((p) => p.kind === 'spiking' && p.packing !== undefined);
  const statements: (string | StatementStructures)[] = [
    headerComment(plan),
    ...apiStatements(plan, programSha256),
    { kind: StructureKind.VariableStatement, declarationKind: VariableDeclarationKind.Const, docs: ['Pixels per image (CHW).'], declarations: [{ name: 'PIXELS', initializer: String(plan.encoder.pixels) }] },
    ...(packs ? [`\n${PACK_LANES}`] : []),
    ...declarationGroups(decls),
    {
      kind: StructureKind.Function, name: 'run',
      docs: ['One inference: leaves the scores in `scores` and, when `rec` is given, records every visible value.'],
      parameters: [{ name: 'image', type: 'Uint8Array' }, { name: 'seed', type: 'number' }, { name: 'rec', type: 'Recorder | undefined' }],
      returnType: 'void', statements: runBody(plan, decls, codes),
    },
  ];
  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
  });
  return project.createSourceFile('model.ts', { statements }).getFullText();
}
