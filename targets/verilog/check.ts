/**
 * @fileoverview What the hardware can implement exactly. Widths are sized from the program's actual values, so no
 * value range is refused; what is refused is structure the architecture does not have (a conv or pool layer after a
 * dense spiking layer, whose output has no image shape for the coordinates their events carry), and fields outside the
 * IR's stated ranges, each with a one-line SnncError('unsupported', ...).
 */
import { SnncError } from '../../base/errors.ts';
import type { ConvOp } from '../../ir/conv.ts';
import { maxOf, minOf, type IntType } from '../../ir/int-type.ts';
import type { PoolOp } from '../../ir/pool.ts';
import type { Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import { windowOutSize } from '../../ir/window.ts';
import type { OptionsToCheck, TargetLimits } from '../target.ts';

/**
 * The verilog target's limits as data, read by its checks and by the CLI's `--lanes` flag. Lanes: MAC lanes per layer
 * (a layer with fewer units or filters uses that many); timesteps: the range its step counter is built for.
 */
export const LIMITS = {
  lanes: { min: 1, max: 1024 },
  timesteps: { min: 1, max: 4096 },
} as const satisfies TargetLimits;

/**
 * Lanes when the caller gives none: 50 MAC lanes put the 784-100-10 example under both of its goals (5,000 cycles,
 * 5,000 7-series LUTs); `--lanes` trades area for speed (results/hardware.md has the table).
 */
export const DEFAULT_LANES = 50;

/** The lanes of `options` (DEFAULT_LANES when none), refused outside LIMITS.lanes. */
export function lanesOption(options: OptionsToCheck): number {
  const lanes = options.lanes ?? DEFAULT_LANES;
  checkOptions({ lanes });
  return lanes;
}

/** Refuses `--lanes` outside LIMITS.lanes, before any lowering. */
export function checkOptions(options: OptionsToCheck): void {
  const lanes = options.lanes;
  const { min, max } = LIMITS.lanes;
  if (lanes !== undefined && (!Number.isSafeInteger(lanes) || lanes < min || lanes > max)) throw new SnncError('usage', `--lanes ${lanes}: expected an integer ${min}..${max}`);
}

function refuse(message: string): never {
  throw new SnncError('unsupported', `verilog: ${message}`);
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 1;
}

function checkType(t: IntType, what: string): void {
  if (!Number.isSafeInteger(t.bits) || t.bits < 1 || t.bits > 64) refuse(`${what} has ${t.bits} bits (1..64 supported)`);
}

function checkIntegers(values: readonly number[], what: string): void {
  const bad = values.findIndex((v) => !Number.isSafeInteger(v));
  if (bad >= 0) refuse(`${what}[${bad}] = ${values[bad]} is not an integer`);
}

function checkShifts(values: readonly number[], what: string, max: number): void {
  checkIntegers(values, what);
  const bad = values.findIndex((v) => v < 0 || v > max);
  if (bad >= 0) refuse(`${what}[${bad}] = ${values[bad]} is outside 0..${max}`);
}

function checkFactor(f: { readonly mul: number; readonly shift: number }, what: string): void {
  if (!Number.isSafeInteger(f.mul) || f.mul < 0 || f.mul > 2 ** 20) refuse(`${what}.mul = ${f.mul} is outside 0..2^20`);
  if (!Number.isSafeInteger(f.shift) || f.shift < 0 || f.shift > 20) refuse(`${what}.shift = ${f.shift} is outside 0..20`);
}

export function checkProgram(program: Program): void {
  const steps = LIMITS.timesteps;
  if (!isCount(program.timesteps) || program.timesteps < steps.min || program.timesteps > steps.max) refuse(`timesteps = ${program.timesteps} (${steps.min}..${steps.max} supported)`);
  const [channels, height, width] = program.input.shape;
  if (![channels, height, width].every(isCount)) refuse(`input shape ${program.input.shape.join('x')} is not three positive counts`);
  const input = program.input.type;
  if (input.signed || input.bits < 1 || input.bits > 16) refuse(`input pixels of type ${input.signed ? 's' : 'u'}${input.bits} (unsigned, 1..16 bits supported)`);
  const encoder = program.encoder;
  switch (encoder.kind) {
    case 'jitter':
      if (encoder.prng !== 'xorshift32') refuse(`jitter generator ${String(encoder.prng)} (only xorshift32 is built)`);
      if (!Number.isSafeInteger(encoder.jitterBits) || encoder.jitterBits < 1 || encoder.jitterBits > 16) refuse(`jitterBits = ${encoder.jitterBits} (1..16)`);
      break;
    case 'direct':
    case 'events':
      break;
    default:
      unreachable(encoder, 'encoder');
  }
  if (program.layers.length === 0) refuse('the program has no layers');
  // The image flowing between layers, or undefined after a dense spiking layer (a flat vector).
  let shape: readonly number[] | undefined = program.input.shape;
  let size = channels * height * width;
  const window = (op: ConvOp | PoolOp): void => {
    if (!shape) refuse(`${op.kind} layer ${op.name} follows a dense spiking layer; its events need the image coordinates a dense layer's outputs lack`);
    const [c, h, w] = op.inShape;
    if (c !== shape[0] || h !== shape[1] || w !== shape[2]) refuse(`${op.kind} layer ${op.name} expects ${op.inShape.join('x')}, gets ${shape.join('x')}`);
    const { kernel: k, stride: s, padding: p } = op;
    if (!isCount(k) || !isCount(s) || s > 64 || !Number.isSafeInteger(p) || p < 0 || p >= k) refuse(`${op.kind} layer ${op.name}: kernel ${k}, stride ${s}, padding ${p} (kernel >= 1, stride 1..64, 0 <= padding < kernel)`);
    const out = (n: number): number => windowOutSize(n, k, s, p);
    const [f, oh, ow] = op.outShape;
    if (h + 2 * p < k || w + 2 * p < k || oh !== out(h) || ow !== out(w) || !isCount(f)) {
      refuse(`${op.kind} layer ${op.name}: shape ${op.outShape.join('x')} is not the kernel ${k}, stride ${s}, padding ${p} window of ${op.inShape.join('x')}`);
    }
    shape = op.outShape;
    size = f * oh * ow;
  };
  for (const op of program.layers) {
    switch (op.kind) {
      case 'conv': {
        window(op);
        const [c] = op.inShape;
        const [f] = op.outShape;
        const k = op.kernel;
        if (op.weights.length !== f * c * k * k || op.bias.length !== f || op.outShift.length !== f) refuse(`conv layer ${op.name}: tensor lengths do not match its shape`);
        checkIntegers(op.weights, `${op.name}.weights`);
        checkIntegers(op.bias, `${op.name}.bias`);
        checkShifts(op.outShift, `${op.name}.outShift`, 31);
        checkType(op.outType, `${op.name}.outType`);
        break;
      }
      case 'pool': {
        if (op.mode !== 'sum' && op.mode !== 'avg') refuse(`pool layer ${op.name}: mode ${String(op.mode)} (sum or avg)`);
        if (op.outShape[0] !== op.inShape[0]) refuse(`pool layer ${op.name}: ${op.outShape[0]} output channels for ${op.inShape[0]} input channels`);
        window(op);
        if (!Number.isSafeInteger(op.scale.mul) || op.scale.mul < 0 || op.scale.mul > 2 ** 20) refuse(`${op.name}.scale.mul = ${op.scale.mul} is outside 0..2^20`);
        checkShifts([op.scale.shift], `${op.name}.scale.shift`, 31);
        checkType(op.outType, `${op.name}.outType`);
        break;
      }
      case 'spiking': {
        if (op.inputs !== size) refuse(`spiking layer ${op.name} takes ${op.inputs} inputs, gets ${size}`);
        const identity = op.synapse === 'identity';
        if (op.synapse !== 'dense' && !identity) refuse(`spiking layer ${op.name}: synapse ${String(op.synapse)} (dense or identity)`);
        if (identity && (op.units !== op.inputs || op.weights.length !== 0)) refuse(`spiking layer ${op.name}: an identity synapse needs units == inputs and no weights`);
        if (!isCount(op.units) || (!identity && op.weights.length !== op.units * op.inputs) || op.bias.length !== op.units || op.accShift.length !== op.units) {
          refuse(`spiking layer ${op.name}: tensor lengths do not match ${op.units} units x ${op.inputs} inputs`);
        }
        checkIntegers(op.weights, `${op.name}.weights`);
        checkIntegers(op.bias, `${op.name}.bias`);
        checkShifts(op.accShift, `${op.name}.accShift`, 31);
        checkType(op.membraneType, `${op.name}.membraneType`);
        checkType(op.output.type, `${op.name}.output.type`);
        checkFactor(op.decay, `${op.name}.decay`);
        if (!Number.isSafeInteger(op.threshold) || op.threshold < 0) refuse(`${op.name}.threshold = ${op.threshold} (a non-negative integer is required)`);
        const output = op.output;
        switch (output.kind) {
          case 'excess':
          case 'membrane':
            checkShifts([output.shift], `${op.name}.output.shift`, 31);
            break;
          case 'binary':
            break;
          default:
            unreachable(output, 'output mode');
        }
        const reset = op.reset;
        switch (reset.kind) {
          case 'refractory':
            checkFactor(reset, `${op.name}.reset`);
            break;
          case 'subtract':
          case 'zero':
            break;
          case 'value':
            if (!Number.isSafeInteger(reset.value) || reset.value < minOf(op.membraneType) || reset.value > maxOf(op.membraneType)) {
              refuse(`${op.name}.reset.value = ${reset.value} is outside the membrane type`);
            }
            break;
          case 'none':
            if (output.kind !== 'membrane') refuse(`${op.name}: reset none needs output membrane (a firing layer must reset)`);
            break;
          default:
            unreachable(reset, 'reset mode');
        }
        if (op.delay !== 0 && op.delay !== 1) refuse(`${op.name}.delay = ${String(op.delay)} (0 or 1)`);
        const rec = op.recurrent;
        if (rec) {
          if (rec.weights.length !== op.units * op.units || rec.accShift.length !== op.units) refuse(`spiking layer ${op.name}: recurrent tensor lengths do not match ${op.units} units`);
          checkIntegers(rec.weights, `${op.name}.recurrent.weights`);
          checkShifts(rec.accShift, `${op.name}.recurrent.accShift`, 31);
          checkType(rec.weightType, `${op.name}.recurrent.weightType`);
        }
        if (op.synaptic) {
          checkFactor(op.synaptic.decay, `${op.name}.synaptic.decay`);
          checkType(op.synaptic.type, `${op.name}.synaptic.type`);
          if (op.synaptic.bias) {
            if (op.synaptic.bias.length !== op.units) refuse(`spiking layer ${op.name}: synaptic.bias needs ${op.units} entries`);
            checkIntegers(op.synaptic.bias, `${op.name}.synaptic.bias`);
          }
        }
        if (!identity) shape = undefined;
        size = op.units;
        break;
      }
      default:
        unreachable(op, 'layer kind');
    }
  }
  const last = program.layers[program.layers.length - 1]!;
  if (last.kind !== 'spiking') refuse(`the last layer ${last.name} is not a spiking layer (the readout sums its membrane or output)`);
  if (program.classes !== last.units) refuse(`classes = ${program.classes} but the last layer has ${last.units} units`);
  const begin = program.readout.begin;
  if (!Number.isSafeInteger(begin) || begin < 0 || begin >= program.timesteps) refuse(`readout.begin = ${begin} is outside 0..${program.timesteps - 1}`);
  const source = program.readout.source;
  if (source !== 'membrane' && source !== 'output') refuse(`readout.source = ${String(source)} (membrane or output)`);
}
