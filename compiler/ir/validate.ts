/**
 * @fileoverview The IR's one validator: structure, limits (docs/ir.md), and the proven widths. `validateProgram`
 * checks a typed program; `parseProgram` reads untrusted JSON into one.
 */
import { SnncError } from '../errors.ts';
import { array, finite, integer, object, oneOf, string } from '../model/json-check.ts';
import { maxOf, minOf, type IntType } from './int-type.ts';
import type { ConvOp } from './conv.ts';
import type { PoolOp } from './pool.ts';
import type { IrLayer, Program } from './program.ts';
import { unreachable } from './registry.ts';
import type { SpikingOp } from './spiking.ts';
import { largest } from '../array-extent.ts';

/** Limits from docs/ir.md: they keep every exact intermediate below 2^53. */
export const LIMITS = {
  weightBits: [2, 16],
  membraneBits: [2, 32],
  wideBits: 48,
  factorMul: 2 ** 20,
  factorShift: 20,
  activationBits: [1, 16],
  shift: 31,
  jitterBits: [1, 16],
  timesteps: 4096,
  kernel: 64,
  stride: 64,
} as const;

/** Output size of a square window (conv or pool) along one axis: floor((size + 2*padding - kernel)/stride) + 1. */
export function windowOutSize(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

class Checker {
  readonly problems: string[] = [];
  check(ok: boolean, path: string, what: string): void {
    if (!ok) this.problems.push(`${path}: ${what}`);
  }
  type(t: IntType, path: string, bits: readonly [number, number]): void {
    this.check(Number.isInteger(t.bits) && t.bits >= bits[0] && t.bits <= bits[1], path, `${t.bits} bits is outside [${bits[0]}, ${bits[1]}]`);
    this.check(Number.isInteger(t.frac) && Math.abs(t.frac) <= 64, path, `frac ${t.frac} is not a small integer`);
  }
  ints(values: readonly number[], count: number, t: IntType, path: string): void {
    this.check(values.length === count, path, `has ${values.length} values, expected ${count}`);
    const lo = minOf(t);
    const hi = maxOf(t);
    const bad = values.findIndex((v) => !Number.isInteger(v) || v < lo || v > hi);
    this.check(bad < 0, path, `[${bad}] = ${values[bad]} is not an integer of ${t.signed ? 's' : 'u'}${t.bits}`);
  }
  shifts(values: readonly number[], count: number, path: string): void {
    this.check(values.length === count, path, `has ${values.length} values, expected ${count}`);
    this.check(values.every((s) => Number.isInteger(s) && s >= 0 && s <= LIMITS.shift), path, `shifts must be integers in [0, ${LIMITS.shift}]`);
  }
  factor(f: { mul: number; shift: number }, path: string): void {
    this.check(Number.isInteger(f.mul) && f.mul >= 0 && f.mul <= LIMITS.factorMul, path, `mul ${f.mul} is outside [0, 2^20]`);
    this.check(Number.isInteger(f.shift) && f.shift >= 0 && f.shift <= LIMITS.factorShift, path, `shift ${f.shift} is outside [0, 20]`);
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
  c.check(Number.isInteger(kernel) && kernel >= 1 && kernel <= LIMITS.kernel, `${path}.kernel`, `${kernel} is outside [1, ${LIMITS.kernel}]`);
  c.check(Number.isInteger(stride) && stride >= 1 && stride <= LIMITS.stride, `${path}.stride`, `${stride} is outside [1, ${LIMITS.stride}]`);
  c.check(Number.isInteger(padding) && padding >= 0 && padding < kernel, `${path}.padding`, `${padding} must be an integer in [0, kernel - 1]`);
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
  c.shifts(op.outShift, filters, `${path}.outShift`);
  c.check(op.weightFrac.length === filters, `${path}.weightFrac`, `expected ${filters} values`);
  const k2 = channels * op.kernel * op.kernel;
  c.check(accBound(op.weights, filters, k2, op.inType, (f) => op.bias[f] ?? 0) <= maxOf(op.accType), `${path}.accType`, 'does not hold the largest possible accumulator');
}

function checkPool(c: Checker, op: PoolOp, path: string): void {
  c.check(op.mode === 'sum' || op.mode === 'avg', `${path}.mode`, `"${String(op.mode)}" is not sum or avg`);
  checkWindow(c, op, path, op.inShape[0]);
  c.type(op.outType, `${path}.outType`, LIMITS.activationBits);
  const { mul, shift } = op.scale;
  c.check(Number.isInteger(mul) && mul >= 0 && mul <= LIMITS.factorMul, `${path}.scale`, `mul ${mul} is outside [0, 2^20]`);
  c.check(Number.isInteger(shift) && shift >= 0 && shift <= LIMITS.shift, `${path}.scale`, `shift ${shift} is outside [0, ${LIMITS.shift}]`);
  // The window sum times mul is the widest intermediate: keep it within the 48-bit accumulator limit.
  const windowMax = op.kernel * op.kernel * maxAbs(op.inType);
  c.check(windowMax * mul <= 2 ** LIMITS.wideBits, `${path}.scale`, `window sum * mul can reach ${windowMax * mul}, beyond 2^${LIMITS.wideBits}`);
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
      c.check(false, `${path}.synapse`, `"${String(op.synapse)}" is not dense or identity`);
  }
  c.ints(op.bias, op.units, op.membraneType, `${path}.bias`);
  c.shifts(op.accShift, op.units, `${path}.accShift`);
  c.check(op.weightFrac.length === op.units, `${path}.weightFrac`, `expected ${op.units} values`);
  c.check(largest(op.accShift, 0) + op.accType.bits <= LIMITS.wideBits, `${path}.accShift`, 'shifted accumulator exceeds 48 bits');
  c.factor(op.decay, `${path}.decay`);
  c.check(Number.isInteger(op.threshold) && op.threshold >= 0 && op.threshold <= maxOf(op.membraneType), `${path}.threshold`, `${op.threshold} must be an integer in [0, max membrane]`);
  c.check(op.delay === 0 || op.delay === 1, `${path}.delay`, 'must be 0 or 1');
  const out = op.output;
  switch (out.kind) {
    case 'excess':
      c.type(out.type, `${path}.output.type`, LIMITS.activationBits);
      c.check(!out.type.signed, `${path}.output.type`, 'excess outputs are unsigned');
      c.check(Number.isInteger(out.shift) && out.shift >= 0 && out.shift <= LIMITS.shift, `${path}.output.shift`, 'must be in [0, 31]');
      break;
    case 'binary':
      c.check(!out.type.signed && out.type.bits === 1 && out.type.frac === 0, `${path}.output.type`, 'binary outputs are u1.0');
      break;
    case 'membrane':
      c.type(out.type, `${path}.output.type`, LIMITS.activationBits);
      c.check(Number.isInteger(out.shift) && out.shift >= 0 && out.shift <= LIMITS.shift, `${path}.output.shift`, 'must be in [0, 31]');
      c.check(op.threshold === 0, `${path}.threshold`, `must be 0 with output membrane (the layer never fires), got ${op.threshold}`);
      break;
    default:
      unreachable(out, 'output mode');
  }
  const reset = op.reset;
  switch (reset.kind) {
    case 'refractory':
      c.factor(reset, `${path}.reset`);
      break;
    case 'subtract':
    case 'zero':
      break;
    case 'value':
      c.check(Number.isInteger(reset.value) && reset.value >= minOf(op.membraneType) && reset.value <= maxOf(op.membraneType), `${path}.reset.value`, `${reset.value} is not an integer of the membrane type`);
      break;
    case 'none':
      c.check(out.kind === 'membrane', `${path}.reset`, `reset none needs output membrane (a firing layer must reset), got output ${out.kind}`);
      break;
    default:
      unreachable(reset, 'reset mode');
  }
}

/** Throws SnncError('ir') listing the first problems, or returns the program. */
export function validateProgram(p: Program): Program {
  const c = new Checker();
  c.check(p.format === 'snnc-ir' && p.version === 1, 'format', `expected snnc-ir version 1, got ${p.format} ${p.version}`);
  c.check(Number.isInteger(p.timesteps) && p.timesteps >= 1 && p.timesteps <= LIMITS.timesteps, 'timesteps', `${p.timesteps} is outside [1, 4096]`);
  c.check(p.readout.begin >= 0 && p.readout.begin < p.timesteps, 'readout.begin', `${p.readout.begin} leaves no timestep to read`);
  c.check(!p.input.type.signed && p.input.type.bits <= 16, 'input.type', 'must be unsigned, at most 16 bits');
  if (p.encoder.kind === 'jitter') {
    const jb = p.encoder.jitterBits;
    c.check(Number.isInteger(jb) && jb >= LIMITS.jitterBits[0] && jb <= LIMITS.jitterBits[1], 'encoder.jitterBits', `${jb} is outside [1, 16]`);
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
    c.check(p.readout.source === 'membrane' || p.readout.source === 'output', 'readout.source', `"${String(p.readout.source)}" is not membrane or output`);
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

/** Reads ir.json text: JSON syntax, field types, then `validateProgram`. */
export function parseProgram(text: string, source: string): Program {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SnncError('ir', `${source}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  try {
    checkJsonShape(raw);
  } catch (e) {
    if (e instanceof SnncError) throw new SnncError('ir', `${source}: ${e.message}`);
    throw e;
  }
  return validateProgram(withDefaults(raw as JsonProgram));
}

type JsonProgram = { readonly layers: readonly Record<string, unknown>[]; readonly readout: Record<string, unknown> };

/**
 * ir.json written before conv stride/padding, the identity synapse and the readout source existed lacks those
 * fields; they take the values that older programs meant (stride 1, padding 0, dense, membrane).
 */
function withDefaults(p: JsonProgram): Program {
  const layers = p.layers.map((l) => {
    if (l.kind === 'conv') return { ...l, stride: l.stride ?? 1, padding: l.padding ?? 0 };
    if (l.kind === 'spiking') return { ...l, synapse: l.synapse ?? 'dense' };
    return l;
  });
  return { ...p, layers, readout: { ...p.readout, source: p.readout.source ?? 'membrane' } } as unknown as Program;
}

/** Field-by-field types of untrusted JSON, so validateProgram can rely on them. */
function checkJsonShape(raw: unknown): void {
  const p = object(raw, 'ir');
  oneOf(p.format, 'format', ['snnc-ir']);
  integer(p.version, 'version', 1, 1);
  string(p.name, 'name');
  string(p.sourceSha256, 'sourceSha256');
  integer(p.timesteps, 'timesteps', 1, LIMITS.timesteps);
  integer(p.classes, 'classes', 1, 1 << 16);
  const input = object(p.input, 'input');
  array(input.shape, 'input.shape').forEach((d, i) => integer(d, `input.shape[${i}]`, 1, 4096));
  intTypeShape(input.type, 'input.type');
  finite(input.realPerLsb, 'input.realPerLsb');
  const enc = object(p.encoder, 'encoder');
  if (oneOf(enc.kind, 'encoder.kind', ['jitter', 'direct']) === 'jitter') {
    oneOf(enc.prng, 'encoder.prng', ['xorshift32']);
    integer(enc.jitterBits, 'encoder.jitterBits', 1, 16);
  }
  intTypeShape(enc.outType, 'encoder.outType');
  array(p.layers, 'layers').forEach((l, i) => layerShape(l, `layers[${i}]`));
  const r = object(p.readout, 'readout');
  oneOf(r.kind, 'readout.kind', ['sum', 'mean']);
  if (r.source !== undefined) oneOf(r.source, 'readout.source', ['membrane', 'output']);
  integer(r.begin, 'readout.begin', 0, LIMITS.timesteps);
  intTypeShape(r.scoreType, 'readout.scoreType');
  finite(r.realPerLsb, 'readout.realPerLsb');
  object(p.quantization, 'quantization');
}

function intTypeShape(v: unknown, path: string): void {
  const t = object(v, path);
  if (typeof t.signed !== 'boolean') throw new SnncError('ir', `${path}.signed: expected a boolean`);
  integer(t.bits, `${path}.bits`, 1, 64);
  integer(t.frac, `${path}.frac`, -64, 64);
}

function numbers(v: unknown, path: string): void {
  array(v, path).forEach((x, i) => finite(x, `${path}[${i}]`));
}

function shape3(v: unknown, path: string): void {
  const dims = array(v, path);
  if (dims.length !== 3) throw new SnncError('ir', `${path}: expected [channels, height, width], got ${dims.length} dimensions`);
  dims.forEach((d, i) => integer(d, `${path}[${i}]`, 1, 4096));
}

function windowShape(l: Record<string, unknown>, path: string): void {
  shape3(l.inShape, `${path}.inShape`);
  shape3(l.outShape, `${path}.outShape`);
  integer(l.kernel, `${path}.kernel`, 1, LIMITS.kernel);
  if (l.stride !== undefined) integer(l.stride, `${path}.stride`, 1, LIMITS.stride);
  if (l.padding !== undefined) integer(l.padding, `${path}.padding`, 0, LIMITS.kernel);
  intTypeShape(l.inType, `${path}.inType`);
  intTypeShape(l.outType, `${path}.outType`);
}

function layerShape(v: unknown, path: string): void {
  const l = object(v, path);
  const kind = oneOf(l.kind, `${path}.kind`, ['conv', 'spiking', 'pool']);
  string(l.name, `${path}.name`);
  if (kind === 'pool') {
    oneOf(l.mode, `${path}.mode`, ['sum', 'avg']);
    windowShape(l, path);
    integer(l.stride, `${path}.stride`, 1, LIMITS.stride);
    integer(l.padding, `${path}.padding`, 0, LIMITS.kernel);
    const scale = object(l.scale, `${path}.scale`);
    finite(scale.mul, `${path}.scale.mul`);
    finite(scale.shift, `${path}.scale.shift`);
    return;
  }
  for (const t of ['inType', 'weightType', 'accType']) intTypeShape(l[t], `${path}.${t}`);
  for (const n of ['weights', 'weightFrac', 'bias']) numbers(l[n], `${path}.${n}`);
  if (kind === 'conv') {
    windowShape(l, path);
    numbers(l.outShift, `${path}.outShift`);
    return;
  }
  integer(l.inputs, `${path}.inputs`, 1, 1 << 24);
  integer(l.units, `${path}.units`, 1, 1 << 24);
  if (l.synapse !== undefined) oneOf(l.synapse, `${path}.synapse`, ['dense', 'identity']);
  numbers(l.accShift, `${path}.accShift`);
  intTypeShape(l.membraneType, `${path}.membraneType`);
  const decay = object(l.decay, `${path}.decay`);
  finite(decay.mul, `${path}.decay.mul`);
  finite(decay.shift, `${path}.decay.shift`);
  finite(l.threshold, `${path}.threshold`);
  const out = object(l.output, `${path}.output`);
  if (oneOf(out.kind, `${path}.output.kind`, ['excess', 'binary', 'membrane']) !== 'binary') finite(out.shift, `${path}.output.shift`);
  intTypeShape(out.type, `${path}.output.type`);
  const reset = object(l.reset, `${path}.reset`);
  const resetKind = oneOf(reset.kind, `${path}.reset.kind`, ['refractory', 'subtract', 'zero', 'value', 'none']);
  if (resetKind === 'refractory') {
    finite(reset.mul, `${path}.reset.mul`);
    finite(reset.shift, `${path}.reset.shift`);
  }
  if (resetKind === 'value') finite(reset.value, `${path}.reset.value`);
  oneOf(l.delay, `${path}.delay`, [0, 1]);
}
