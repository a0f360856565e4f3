/**
 * @fileoverview The IR's one validator: first the schema (ir/schema.ts: fields, types, enums, constant
 * ranges), then what the schema cannot say: shapes that chain, ranges set by other fields, the proven widths.
 * `validateProgram` checks a typed program; `parseProgram` reads untrusted JSON into one.
 */
import { SnncError } from '../base/errors.ts';
import { IR_SCHEMA } from './schema.ts';
import { checkSchema, withDefaults } from './schema-check.ts';
import { maxOf, minOf, type IntType } from './int-type.ts';
import type { ConvOp } from './conv.ts';
import type { PoolOp } from './pool.ts';
import type { IrLayer, Program } from './program.ts';
import { unreachable } from './registry.ts';
import type { RecurrentSynapse, SpikingOp, SynapticCurrent } from './spiking.ts';
import { largest } from '../base/array-extent.ts';
import { windowOutSize } from './window.ts';

/** Limits from docs/ir.md that depend on a field's role; the schema holds the rest. They keep intermediates below 2^53. */
export const LIMITS = {
  weightBits: [2, 16],
  membraneBits: [2, 32],
  wideBits: 48,
  activationBits: [1, 16],
} as const;

class Checker {
  readonly problems: string[] = [];
  check(ok: boolean, path: string, what: string): void {
    if (!ok) this.problems.push(`${path}: ${what}`);
  }
  type(t: IntType, path: string, bits: readonly [number, number]): void {
    this.check(Number.isInteger(t.bits) && t.bits >= bits[0] && t.bits <= bits[1], path, `${t.bits} bits is outside [${bits[0]}, ${bits[1]}]`);
  }
  ints(values: readonly number[], count: number, t: IntType, path: string): void {
    this.check(values.length === count, path, `has ${values.length} values, expected ${count}`);
    const lo = minOf(t);
    const hi = maxOf(t);
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < lo || v > hi);
    this.check(bad < 0, path, `[${bad}] = ${values[bad]} is not an integer of ${t.signed ? 's' : 'u'}${t.bits}`);
  }
  count(values: readonly number[], count: number, path: string): void {
    this.check(values.length === count, path, `has ${values.length} values, expected ${count}`);
  }
}

function maxAbs(t: IntType): number {
  return Math.max(maxOf(t), -minOf(t));
}

/** Largest |acc| of any unit: sum_i |w_i| * max|x|, the bound accType must hold. */
function accBound(weights: readonly number[], rows: number, cols: number, inType: IntType, bias: (r: number) => number): number {
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    let sum = Math.abs(bias(r));
    for (let c = 0; c < cols; c++) sum += Math.abs(weights[r * cols + c]!) * maxAbs(inType);
    worst = Math.max(worst, sum);
  }
  return worst;
}

/** Kernel, stride and padding of a square window, and the output shape they imply. */
function checkWindow(c: Checker, op: ConvOp | PoolOp, path: string, outChannels: number): void {
  const { kernel, stride, padding } = op;
  c.check(padding < kernel, `${path}.padding`, `${padding} must be an integer in [0, kernel - 1]`);
  const [, height, width] = op.inShape;
  c.check(height + 2 * padding >= kernel && width + 2 * padding >= kernel, `${path}.kernel`, `a ${kernel}x${kernel} window does not fit the padded ${height}x${width} input`);
  const expected = [outChannels, windowOutSize(height, kernel, stride, padding), windowOutSize(width, kernel, stride, padding)];
  c.check(op.outShape.every((d, k) => d === expected[k]), `${path}.outShape`, `[${op.outShape.join(', ')}] is not the ${kernel}x${kernel} stride ${stride} padding ${padding} output of [${op.inShape.join(', ')}] (expected [${expected.join(', ')}])`);
}

function checkConv(c: Checker, op: ConvOp, path: string): void {
  const [channels] = op.inShape;
  const [filters] = op.outShape;
  checkWindow(c, op, path, filters);
  c.type(op.weightType, `${path}.weightType`, LIMITS.weightBits);
  c.type(op.outType, `${path}.outType`, LIMITS.activationBits);
  c.type(op.accType, `${path}.accType`, [2, LIMITS.wideBits]);
  c.ints(op.weights, filters * channels * op.kernel * op.kernel, op.weightType, `${path}.weights`);
  c.ints(op.bias, filters, op.accType, `${path}.bias`);
  c.count(op.outShift, filters, `${path}.outShift`);
  c.check(op.weightFrac.length === filters, `${path}.weightFrac`, `expected ${filters} values`);
  const k2 = channels * op.kernel * op.kernel;
  c.check(accBound(op.weights, filters, k2, op.inType, (f) => op.bias[f] ?? 0) <= maxOf(op.accType), `${path}.accType`, 'does not hold the largest possible accumulator');
}

function checkPool(c: Checker, op: PoolOp, path: string): void {
  checkWindow(c, op, path, op.inShape[0]);
  c.type(op.outType, `${path}.outType`, LIMITS.activationBits);
  const { mul } = op.scale;
  // The window sum times mul is the widest intermediate: keep it within the 48-bit accumulator limit.
  const windowMax = op.kernel * op.kernel * maxAbs(op.inType);
  c.check(windowMax * mul <= 2 ** LIMITS.wideBits, `${path}.scale`, `window sum * mul can reach ${windowMax * mul}, beyond 2^${LIMITS.wideBits}`);
}

/** The recurrent synapse: [units, units] weights of the layer's own output, aligned onto the membrane's frac. */
function checkRecurrent(c: Checker, op: SpikingOp, rec: RecurrentSynapse, path: string): void {
  c.type(rec.weightType, `${path}.weightType`, LIMITS.weightBits);
  c.type(rec.accType, `${path}.accType`, [2, LIMITS.wideBits]);
  c.ints(rec.weights, op.units * op.units, rec.weightType, `${path}.weights`);
  c.count(rec.weightFrac, op.units, `${path}.weightFrac`);
  c.count(rec.accShift, op.units, `${path}.accShift`);
  const outFrac = op.output.type.frac;
  const misaligned = rec.weightFrac.findIndex((f, j) => f + outFrac + (rec.accShift[j] ?? 0) !== op.membraneType.frac);
  c.check(misaligned < 0, `${path}.accShift[${misaligned}]`, `weightFrac ${rec.weightFrac[misaligned]} + output frac ${outFrac} + accShift ${rec.accShift[misaligned]} must equal the membrane frac ${op.membraneType.frac}`);
  if (rec.weights.length === op.units * op.units) {
    c.check(accBound(rec.weights, op.units, op.units, op.output.type, () => 0) <= maxOf(rec.accType), `${path}.accType`, 'does not hold the largest possible recurrent sum');
  }
  c.check(largest(rec.accShift, 0) + rec.accType.bits <= LIMITS.wideBits, `${path}.accShift`, 'shifted recurrent sum exceeds 48 bits');
}

/** The synaptic current: a second clamped state on the membrane's grid. */
function checkSynaptic(c: Checker, op: SpikingOp, syn: SynapticCurrent, path: string): void {
  c.type(syn.type, `${path}.type`, LIMITS.membraneBits);
  c.check(syn.type.signed, `${path}.type`, 'must be signed');
  c.check(syn.type.frac === op.membraneType.frac, `${path}.type`, `frac ${syn.type.frac} must be the membrane's ${op.membraneType.frac}`);
  if (syn.bias) c.ints(syn.bias, op.units, syn.type, `${path}.bias`);
}

function checkSpiking(c: Checker, op: SpikingOp, path: string): void {
  c.type(op.weightType, `${path}.weightType`, LIMITS.weightBits);
  c.type(op.membraneType, `${path}.membraneType`, LIMITS.membraneBits);
  c.type(op.accType, `${path}.accType`, [2, LIMITS.wideBits]);
  c.check(op.membraneType.signed, `${path}.membraneType`, 'must be signed');
  switch (op.synapse) {
    case 'dense':
      c.ints(op.weights, op.units * op.inputs, op.weightType, `${path}.weights`);
      c.check(accBound(op.weights, op.units, op.inputs, op.inType, () => 0) <= maxOf(op.accType), `${path}.accType`, 'does not hold the largest possible accumulator');
      break;
    case 'identity':
      c.check(op.inputs === op.units, `${path}.units`, `an identity synapse needs units == inputs, got ${op.units} and ${op.inputs}`);
      c.check(op.weights.length === 0, `${path}.weights`, `an identity synapse has no weights, got ${op.weights.length}`);
      c.check(maxAbs(op.inType) <= maxOf(op.accType), `${path}.accType`, 'does not hold the largest possible input');
      break;
    default:
      unreachable(op.synapse, 'synapse');
  }
  c.ints(op.bias, op.units, op.membraneType, `${path}.bias`);
  c.count(op.accShift, op.units, `${path}.accShift`);
  c.check(op.weightFrac.length === op.units, `${path}.weightFrac`, `expected ${op.units} values`);
  c.check(largest(op.accShift, 0) + op.accType.bits <= LIMITS.wideBits, `${path}.accShift`, 'shifted accumulator exceeds 48 bits');
  c.check(op.threshold <= maxOf(op.membraneType), `${path}.threshold`, `${op.threshold} must be an integer in [0, max membrane]`);
  const out = op.output;
  switch (out.kind) {
    case 'excess':
      c.type(out.type, `${path}.output.type`, LIMITS.activationBits);
      c.check(!out.type.signed, `${path}.output.type`, 'excess outputs are unsigned');
      break;
    case 'binary':
      c.check(!out.type.signed && out.type.bits === 1 && out.type.frac === 0, `${path}.output.type`, 'binary outputs are u1.0');
      break;
    case 'membrane':
      c.type(out.type, `${path}.output.type`, LIMITS.activationBits);
      c.check(op.threshold === 0, `${path}.threshold`, `must be 0 with output membrane (the layer never fires), got ${op.threshold}`);
      break;
    default:
      unreachable(out, 'output mode');
  }
  if (op.recurrent) checkRecurrent(c, op, op.recurrent, `${path}.recurrent`);
  if (op.synaptic) checkSynaptic(c, op, op.synaptic, `${path}.synaptic`);
  const reset = op.reset;
  switch (reset.kind) {
    case 'refractory':
    case 'subtract':
    case 'zero':
      break;
    case 'value':
      c.check(reset.value >= minOf(op.membraneType) && reset.value <= maxOf(op.membraneType), `${path}.reset.value`, `${reset.value} is not an integer of the membrane type`);
      break;
    case 'none':
      c.check(out.kind === 'membrane', `${path}.reset`, `reset none needs output membrane (a firing layer must reset), got output ${out.kind}`);
      break;
    default:
      unreachable(reset, 'reset mode');
  }
}

/** Throws SnncError('ir') naming the first problem (schema, then semantics), or returns the program. */
export function validateProgram(p: Program): Program {
  try {
    checkSchema(IR_SCHEMA, p, 'program', 'ir');
  } catch (e) {
    if (e instanceof SnncError) throw new SnncError('ir', `invalid IR: ${e.message}`);
    throw e;
  }
  return checkSemantics(p);
}

/** What the schema cannot say; `p` has passed the schema. */
function checkSemantics(p: Program): Program {
  const c = new Checker();
  c.check(p.readout.begin < p.timesteps, 'readout.begin', `${p.readout.begin} leaves no timestep to read`);
  c.check(!p.input.type.signed && p.input.type.bits <= 16, 'input.type', 'must be unsigned, at most 16 bits');
  c.check(sameType(p.encoder.outType, p.input.type), 'encoder.outType', 'must be the input type');
  if (p.encoder.kind === 'events') {
    const [channels, height, width] = p.input.shape;
    c.check(p.input.type.bits <= 8, 'input.type', 'event counts are at most 8 bits (frames are bytes)');
    if (p.encoder.binning.source === 'dvs') c.check(channels <= 2, 'input.shape', `a dvs event input has 1 or 2 (polarity) channels, not ${channels}`);
    else if (p.encoder.binning.source === 'channels') c.check(height === 1 && width === 1, 'input.shape', `a channels event input is [N, 1, 1], not [${p.input.shape.join(', ')}]`);
  }
  // The value flowing between layers: a CHW image (input, conv, pool, identity spiking) or a flat vector (dense spiking).
  let shape: readonly number[] | undefined = p.input.shape;
  let xType: IntType = p.encoder.outType;
  let width = p.input.shape.reduce((a, b) => a * b, 1);
  const windowed = (op: ConvOp | PoolOp, path: string): void => {
    if (!shape) c.check(false, path, `a ${op.kind} op cannot follow a dense spiking op (its output has no image shape)`);
    else c.check(op.inShape.length === 3 && op.inShape.every((d, k) => d === shape![k]), `${path}.inShape`, `[${op.inShape.join(', ')}] does not match [${shape.join(', ')}]`);
    shape = op.outShape;
    width = shape.reduce((a, b) => a * b, 1);
    xType = op.outType;
  };
  p.layers.forEach((op: IrLayer, i) => {
    const path = `layers[${i}] (${op.name})`;
    c.check(sameType(op.inType, xType), `${path}.inType`, "does not match the previous layer's output type");
    switch (op.kind) {
      case 'conv':
        checkConv(c, op, path);
        windowed(op, path);
        break;
      case 'pool':
        checkPool(c, op, path);
        windowed(op, path);
        break;
      case 'spiking':
        c.check(op.inputs === width, `${path}.inputs`, `${op.inputs} does not match the ${width} values that reach it`);
        checkSpiking(c, op, path);
        if (op.synapse === 'dense') shape = undefined;
        width = op.units;
        xType = op.output.type;
        break;
      default:
        unreachable(op, 'layer kind');
    }
  });
  const last = p.layers[p.layers.length - 1];
  if (!last || last.kind !== 'spiking') {
    c.check(false, 'layers', 'the last layer must be a spiking layer for the readout to read');
  } else {
    c.check(last.units === p.classes, 'classes', `${p.classes} classes but the last spiking layer has ${last.units} units`);
    const read = p.readout.source === 'output' ? last.output.type : last.membraneType;
    const bound = (p.timesteps - p.readout.begin) * maxAbs(read);
    c.check(p.readout.scoreType.bits <= LIMITS.wideBits && bound <= maxOf(p.readout.scoreType), 'readout.scoreType', 'does not hold the largest possible score');
  }
  if (c.problems.length > 0) {
    const more = c.problems.length > 1 ? ` (and ${c.problems.length - 1} more)` : '';
    throw new SnncError('ir', `invalid IR: ${c.problems[0]}${more}`);
  }
  return p;
}

function sameType(a: IntType, b: IntType): boolean {
  return a.signed === b.signed && a.bits === b.bits && a.frac === b.frac;
}

/** Reads ir.json text: JSON syntax, the schema (ir/schema.ts) and its defaults, then the semantic checks. */
export function parseProgram(text: string, source: string): Program {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SnncError('ir', `${source}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  try {
    checkSchema(IR_SCHEMA, raw, 'program', 'ir');
    // Files written before conv stride/padding, the identity synapse and the readout source existed lack those
    // fields; the schema's defaults give them what such files meant (stride 1, padding 0, dense, membrane).
    return checkSemantics(withDefaults(IR_SCHEMA, IR_SCHEMA, raw) as Program);
  } catch (e) {
    if (e instanceof SnncError) throw new SnncError('ir', `${source}: ${e.message}`);
    throw e;
  }
}
