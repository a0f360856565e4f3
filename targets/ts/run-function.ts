/**
 * @fileoverview The `run` function of a generated model as a ts-morph function structure: one inference, the buffers
 * aliased to locals, the encoder, and the timestep loop whose body each layer writes (layer-code.ts,
 * layer-spiking.ts) through the writer function that is the structure's body.
 */
import { StructureKind, type CodeBlockWriter, type FunctionDeclarationStructure } from 'ts-morph';
import { maxOf } from '../../ir/int-type.ts';
import { unreachable } from '../../ir/registry.ts';
import { localAliases, moduleName, type Declaration } from './declarations.ts';
import { convCode, poolCode, type LayerCode } from './layer-code.ts';
import { spikingCode } from './layer-spiking.ts';
import { sampleName, type LayerPlan, type ModelPlan } from './plan.ts';

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
    if (p.kind === 'spiking' && p.current) w.writeLine(`${l}C.fill(0);`);
  }
}

/** x = floor(p * r / 2^bits) of nonzero pixel n, r the top `bits` bits of the generator's new state `s`. */
function jitterValue(bits: number): string {
  // p < 2^8 and r < 2^bits: the product fits an unsigned 32-bit shift when bits <= 24.
  return bits <= 24 ? `(pixVal[n]! * (s >>> ${32 - bits})) >>> ${bits}` : `Math.floor((pixVal[n]! * (s >>> ${32 - bits})) / ${2 ** bits})`;
}

/** x_t = frame t: its nonzero counts, each checked against max(input.type) as the golden runtime checks a sample. */
function eventFrame(w: CodeBlockWriter, plan: ModelPlan): void {
  const top = maxOf(plan.program.input.type);
  w.writeLine('// Events encoder: x_t = frame t of the sample; only its nonzero counts go on (event-driven from here).');
  w.writeLine('xN = 0;');
  w.write('for (let i = 0, at = t * PIXELS; i < PIXELS; i++, at++)').block(() => {
    w.writeLine('const x = frames[at]!;');
    w.write('if (x !== 0)').block(() => {
      if (top < 255) w.writeLine(`if (x > ${top}) throw new RangeError(\`event count \${x} at frame \${t} exceeds the input type's ${top} (bin with saturation)\`);`);
      w.writeLine('xIdx[xN] = i; xVal[xN] = x; xN++;');
    });
  });
  w.writeLine('if (rec) rec.inputs.push(dense(PIXELS, xIdx, xVal, xN));');
}

function encoderStep(w: CodeBlockWriter, plan: ModelPlan): void {
  const { encoder } = plan;
  if (encoder.kind === 'events') return eventFrame(w, plan);
  if (encoder.kind === 'direct') {
    w.writeLine('if (rec) rec.inputs.push(dense(PIXELS, pixIdx, pixVal, pixN));');
    return;
  }
  if (plan.block > 1) {
    w.writeLine('if (rec) rec.inputs.push(dense(PIXELS, pixIdx, xBlock.subarray((t - t0) * PIXELS), pixN));');
    return;
  }
  const bits = encoder.jitterBits;
  w.writeLine(`// Jitter encoder: one xorshift32 step per nonzero pixel, x = floor(p * r / 2^${bits}) with r the top ${bits} bits.`);
  w.writeLine('xN = 0;');
  w.write('for (let n = 0; n < pixN; n++)').block(() => {
    w.writeLine('s ^= s << 13;').writeLine('s ^= s >>> 17;').writeLine('s ^= s << 5;');
    w.writeLine(`const x = ${jitterValue(bits)};`);
    w.writeLine('if (x !== 0) { xIdx[xN] = pixIdx[n]!; xVal[xN] = x; xN++; }');
  });
  w.writeLine('if (rec) rec.inputs.push(dense(PIXELS, xIdx, xVal, xN));');
}

/** The jitter encoder for the timesteps t0 .. t0 + steps - 1, in the generator's order; rows past `steps` read 0. */
function encoderBlock(w: CodeBlockWriter, plan: ModelPlan, steps: string): void {
  const bits = plan.encoder.jitterBits;
  w.writeLine(`// Jitter encoder, ${plan.block} timesteps ahead: one xorshift32 step per nonzero pixel, x = floor(p * r / 2^${bits}) with r the`);
  w.writeLine(`// top ${bits} bits; xBlock[b * PIXELS + n] is pixel n's value at timestep t0 + b (0 included).`);
  w.write(`for (let b = 0; b < ${steps}; b++)`).block(() => {
    w.write('for (let n = 0; n < pixN; n++)').block(() => {
      w.writeLine('s ^= s << 13;').writeLine('s ^= s >>> 17;').writeLine('s ^= s << 5;');
      w.writeLine(`xBlock[b * PIXELS + n] = ${jitterValue(bits)};`);
    });
  });
  if (steps !== String(plan.block)) w.writeLine(`if (steps < ${plan.block}) xBlock.fill(0, steps * PIXELS); // the last block is short`);
}

/** The timestep loop: one loop over t, or (plan.block > 1) blocks of timesteps, each encoded and driven ahead. */
function timestepLoop(w: CodeBlockWriter, plan: ModelPlan, codes: readonly LayerCode[], step: () => void): void {
  const { timesteps } = plan.program;
  const block = plan.block;
  if (block === 1) {
    w.write(`for (let t = 0; t < ${timesteps}; t++)`).block(step);
    return;
  }
  w.write(`for (let t0 = 0; t0 < ${timesteps}; t0 += ${block})`).block(() => {
    const whole = timesteps % block === 0;
    if (!whole) w.writeLine(`const steps = t0 + ${block} <= ${timesteps} ? ${block} : ${timesteps} - t0;`);
    const steps = whole ? String(block) : 'steps';
    encoderBlock(w, plan, steps);
    for (const code of codes) code.block?.(w);
    w.write(`for (let t = t0; t < t0 + ${steps}; t++)`).block(step);
  });
}

/** An image's nonzero pixels, once per inference, and the jitter generator's seeded state. */
function imageEvents(w: CodeBlockWriter, plan: ModelPlan): void {
  w.writeLine('let pixN = 0;');
  w.write('for (let i = 0; i < PIXELS; i++)').block(() => {
    w.writeLine('const p = image[i]!;');
    w.writeLine('if (p !== 0) { pixIdx[pixN] = i; pixVal[pixN] = p; pixN++; }');
  });
  if (plan.encoder.kind === 'jitter') {
    w.writeLine('// xorshift32 state as int32 bits; seed 0 maps to 0x6d2b79f5 (xorshift has no zero state).');
    w.writeLine('let s = (seed >>> 0) === 0 ? 0x6d2b79f5 | 0 : seed | 0;');
    if (plan.block === 1) w.writeLine('let xN = 0;');
  } else {
    w.writeLine('void seed; // a direct encoder draws no random numbers');
  }
}

function runBody(plan: ModelPlan, decls: readonly Declaration[], codes: readonly LayerCode[]): (w: CodeBlockWriter) => void {
  const { program, last } = plan;
  const events = plan.encoder.kind === 'events';
  return (w) => {
    if (events) {
      const t = program.timesteps;
      w.writeLine(`if (frames.length !== ${t} * PIXELS) throw new RangeError(\`sample has \${frames.length} values, the program wants ${t} frames of \${PIXELS} counts\`);`);
    } else {
      w.writeLine('if (image.length !== PIXELS) throw new RangeError(`image has ${image.length} pixels, the model wants ${PIXELS}`);');
    }
    for (const names of localAliases(decls)) w.writeLine(`const ${names.join(', ')};`);
    if (events) {
      w.writeLine('void seed; // events draw no random numbers');
      w.writeLine('let xN = 0;');
    } else {
      imageEvents(w, plan);
    }
    runLocals(w, plan);
    w.writeLine('scores.fill(0);');
    for (const code of codes) if (code.once) code.once(w);
    timestepLoop(w, plan, codes, () => {
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

function layerCode(p: LayerPlan, block: number): LayerCode {
  switch (p.kind) {
    case 'conv':
      return convCode(p);
    case 'pool':
      return poolCode(p);
    case 'spiking':
      return spikingCode(p, block);
    default:
      return unreachable(p, 'layer kind');
  }
}

/** `run(image, seed, rec)`: its body is written by the layers' code, loops included. */
export function runFunction(plan: ModelPlan, decls: readonly Declaration[]): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function, name: 'run',
    docs: ['One inference: leaves the scores in `scores` and, when `rec` is given, records every visible value.'],
    parameters: [{ name: sampleName(plan.encoder), type: 'Uint8Array' }, { name: 'seed', type: 'number' }, { name: 'rec', type: 'Recorder | undefined' }],
    returnType: 'void', statements: runBody(plan, decls, plan.layers.map((p, l) => layerCode(p, l === 0 ? plan.block : 1))),
  };
}
