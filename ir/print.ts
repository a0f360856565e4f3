/** @fileoverview The IR's one text printer (`snnc ir`, `--dump-after`, goldens): every field, tensors summarised. */
import { createHash } from 'node:crypto';
import type { ConvOp } from './conv.ts';
import { formatType } from './int-type.ts';
import type { PoolOp } from './pool.ts';
import type { Program } from './program.ts';
import { unreachable } from './registry.ts';
import type { Factor, SpikingOp } from './spiking.ts';

/** Short, stable summary of an integer vector: constant, or range + zero count + content hash. */
export function summarize(values: readonly number[]): string {
  if (values.length === 0) return '(empty)';
  let lo = Infinity;
  let hi = -Infinity;
  let zeros = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    if (v === 0) zeros++;
  }
  if (lo === hi) return `${values.length} x ${lo}`;
  const hash = createHash('sha256').update(values.join(',')).digest('hex').slice(0, 12);
  return `${values.length} values in [${lo}, ${hi}], ${zeros} zero, sha256:${hash}`;
}

function real(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

function factor(f: Factor): string {
  return `* ${f.mul} >> ${f.shift} (${real(f.mul / 2 ** f.shift)})`;
}

/** Stride and padding only where they differ from 1 and 0, so programs without them print as they always did. */
function window(op: ConvOp | PoolOp): string {
  return `${op.stride !== 1 ? `, stride ${op.stride}` : ''}${op.padding !== 0 ? `, padding ${op.padding}` : ''}`;
}

function printConv(op: ConvOp): string[] {
  return [
    `layer ${op.name}: conv ${op.kernel}x${op.kernel}${window(op)} [${op.inShape.join(', ')}] -> [${op.outShape.join(', ')}]${op.learned ? '' : ' (fixed bank)'}`,
    `  in          ${formatType(op.inType)}`,
    `  weights     ${formatType(op.weightType)} [${op.outShape[0]}, ${op.inShape[0]}, ${op.kernel}, ${op.kernel}] ${summarize(op.weights)}`,
    `  weightFrac  ${summarize(op.weightFrac)}`,
    `  bias        ${summarize(op.bias)}`,
    `  acc         ${formatType(op.accType)}`,
    `  outShift    ${summarize(op.outShift)}`,
    `  out         ${formatType(op.outType)}`,
  ];
}

function printPool(op: PoolOp): string[] {
  return [
    `layer ${op.name}: pool ${op.mode} ${op.kernel}x${op.kernel}${window(op)} [${op.inShape.join(', ')}] -> [${op.outShape.join(', ')}]`,
    `  in          ${formatType(op.inType)}`,
    `  scale       ${factor(op.scale)}`,
    `  out         ${formatType(op.outType)}`,
  ];
}

function printSpiking(op: SpikingOp): string[] {
  const th = op.threshold * 2 ** -op.membraneType.frac;
  const out = op.output;
  const output = (() => {
    switch (out.kind) {
      case 'excess':
        return `excess: (u - threshold) >> ${out.shift} -> ${formatType(out.type)}`;
      case 'binary':
        return `binary -> ${formatType(out.type)}`;
      case 'membrane':
        return `membrane (never fires): u >> ${out.shift} -> ${formatType(out.type)}`;
      default:
        return unreachable(out, 'output mode');
    }
  })();
  const r = op.reset;
  const reset = (() => {
    switch (r.kind) {
      case 'refractory':
        return `refractory: u - u ${factor(r)}`;
      case 'subtract':
        return 'subtract: u - threshold';
      case 'zero':
        return 'zero';
      case 'value':
        return `value: ${r.value} (${real(r.value * 2 ** -op.membraneType.frac)})`;
      case 'none':
        return 'none';
      default:
        return unreachable(r, 'reset mode');
    }
  })();
  const weights = op.synapse === 'identity' ? `identity (acc = x), ${formatType(op.weightType)} unused` : `${formatType(op.weightType)} [${op.units}, ${op.inputs}] ${summarize(op.weights)}`;
  return [
    `layer ${op.name}: spiking${op.synapse === 'identity' ? ' identity' : ''} ${op.inputs} -> ${op.units}, delay ${op.delay}`,
    `  in          ${formatType(op.inType)}`,
    `  weights     ${weights}`,
    `  weightFrac  ${summarize(op.weightFrac)}`,
    `  acc         ${formatType(op.accType)}, accShift ${summarize(op.accShift)}`,
    `  bias        ${summarize(op.bias)}`,
    `  membrane    ${formatType(op.membraneType)}`,
    `  decay       ${factor(op.decay)}`,
    `  threshold   ${op.threshold} (${real(th)})`,
    `  output      ${output}`,
    `  reset       ${reset}`,
    ...recurrence(op),
  ];
}

/** The recurrent synapse and the synaptic current, only when present (programs without them print as they did). */
function recurrence(op: SpikingOp): string[] {
  const rec = op.recurrent;
  const syn = op.synaptic;
  return [
    ...(rec ? [
      `  recurrent   ${formatType(rec.weightType)} [${op.units}, ${op.units}] ${summarize(rec.weights)}`,
      `  recFrac     ${summarize(rec.weightFrac)}`,
      `  recAcc      ${formatType(rec.accType)}, accShift ${summarize(rec.accShift)}`,
    ] : []),
    ...(syn ? [`  current     ${formatType(syn.type)}, decay ${factor(syn.decay)}`] : []),
    ...(syn?.bias ? [`  currentBias ${summarize(syn.bias)}`] : []),
  ];
}

export function printProgram(p: Program): string {
  const enc = p.encoder;
  const encoder = enc.kind === 'jitter' ? `jitter, xorshift32, ${enc.jitterBits}-bit draws -> ${formatType(enc.outType)}`
    : enc.kind === 'events' ? `events (${enc.binning.source}), ${enc.binning.binUs} us bins from ${enc.binning.startUs} us, counts saturate -> ${formatType(enc.outType)}`
    : `direct -> ${formatType(enc.outType)}`;
  const q = p.quantization;
  const lines = [
    `program ${p.name} (snnc-ir v${p.version}, source sha256:${p.sourceSha256.slice(0, 12)})`,
    `timesteps   ${p.timesteps}`,
    `classes     ${p.classes}`,
    `input       [${p.input.shape.join(', ')}] ${formatType(p.input.type)} (1 lsb = ${real(p.input.realPerLsb)})`,
    `encoder     ${encoder}`,
    `quantized   ${q.weightBits}-bit weights per ${q.granularity}, ${q.activationBits}-bit activations, calibrated on ${q.calibration.images} ${q.calibration.dataset} images (seed ${q.calibration.seed}), ${q.provenNoSaturation ? 'proven free of membrane saturation' : 'membrane saturation possible (clamped)'}`,
    '',
  ];
  for (const op of p.layers) {
    switch (op.kind) {
      case 'conv':
        lines.push(...printConv(op), '');
        break;
      case 'spiking':
        lines.push(...printSpiking(op), '');
        break;
      case 'pool':
        lines.push(...printPool(op), '');
        break;
      default:
        unreachable(op, 'layer kind');
    }
  }
  lines.push(`readout     ${p.readout.kind} of the last ${p.readout.source} over t = ${p.readout.begin}..${p.timesteps - 1} -> ${formatType(p.readout.scoreType)} (1 lsb = ${real(p.readout.realPerLsb)})`);
  return lines.join('\n') + '\n';
}
