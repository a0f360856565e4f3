/**
 * @fileoverview The IR's spiking op as exact float64 ONNX nodes (int-math.ts), one timestep (docs/ir.md, "Spiking op"). The membrane `v`
 * is loop-carried; with delay 1 so are the previous step's (u, o), which are what the layer makes visible; the
 * recurrent and synaptic currents are in current-graph.ts.
 */
import { maxOf, minOf, type IntType } from '../../ir/int-type.ts';
import { unreachable } from '../../ir/registry.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { denseProduct, toDouble, type MatMulType } from './exact-matmul.ts';
import { layerCurrents } from './current-graph.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { clamp, EXACT_LIMIT, roundShift, scaleBy, shiftLeft } from './int-math.ts';
import type { OnnxLayerPlan } from './plan.ts';
import { BATCH, zeros, type CarriedState, type LayerStepResult, type SpikingStepLayer } from './step.ts';

/**
 * `plan.matmul`: how the plan proved a dense synapse's products exact (plan.ts, exact-matmul.ts). With `fusedDecay`
 * (plan.ts proved every numerator below 2^53) the decay's rounding and what the membrane is fed are one Floor:
 *   u = clamp(floor(v * mul / 2^s + (fed + 1/2)), membraneType)  =  clamp(roundShift(v * mul, s) + fed)
 * since fed is an integer: the drive (acc << accShift) + bias + 1/2 (`drive`), plus the recurrent current, or the
 * synaptic current plus that bias (current-graph.ts).
 */
export function spikingLayer(g: GraphBuilder, op: SpikingOp, batch: string, plan: OnnxLayerPlan): SpikingStepLayer {
  const { fusedDecay } = plan;
  const synapse = synapseOf(g, op, plan.matmul);
  const half = fusedDecay ? 0.5 : 0;
  const bias = g.initializer(`${op.name}/bias${fusedDecay ? '_plus_half' : ''}`, 'double', [op.units], op.bias.map((b) => b + half), `per unit, in membrane units${fusedDecay ? ', plus 1/2 (the decay\'s rounding)' : ''}`);
  const state = (key: string, doc: string): CarriedState => ({
    key: `${op.name}/${key}`, dtype: 'double', dims: [BATCH, op.units], initial: zeros(g, batch, [op.units], 'double', `${op.name}/${key}_init`), doc,
  });
  const currents = layerCurrents(g, op, plan.recurrentMatmul, bias, state);
  const states = [state('v', 'membrane left by the previous timestep'), ...currents.states];
  if (op.delay === 1) states.push(state('pending_u', 'delay 1: membrane u computed last step'), state('pending_o', 'delay 1: output o computed last step'));
  const drive = (body: GraphBuilder, x: string): string => body.scope(op.name, () => {
    const aligned = shiftLeft(body, synapse(body, x), op.accShift, 'acc_shifted', `${op.name}/2^accShift`, { rank: 2, channelAxis: 1 });
    if (currents.biasAfter) return aligned;
    return body.op('Add', [aligned, bias], { name: 'drive', doc: `(acc << accShift) + bias${fusedDecay ? ' + 1/2' : ''}` });
  });
  const fromDrive = (body: GraphBuilder, driven: string, current: (key: string) => string): LayerStepResult =>
    body.scope(op.name, () => {
      const v0 = current(`${op.name}/v`);
      const { fed, next } = currents.fed(body, driven, current);
      const sum = fusedDecay
        ? body.op('Floor', [body.op('Add', [body.op('Mul', [v0, body.constant('double', op.decay.mul / 2 ** op.decay.shift)], { name: 'v_times_decay' }), fed], { name: 'decayed_plus_drive' })], { name: 'u_unclamped', doc: 'roundShift(v * decay.mul, decay.shift) + drive' })
        : body.op('Add', [scaleBy(body, v0, op.decay, 'decay'), fed], { name: 'u_unclamped' });
      const u = clamp(body, sum, op.membraneType, 'u');
      const { o, v } = fireAndReset(body, op, u);
      const carried = { [`${op.name}/v`]: v, ...next, ...currents.carry(o) };
      if (op.delay === 0) return { x: o, membrane: u, next: carried };
      const visibleU = body.op('Identity', [current(`${op.name}/pending_u`)], { name: 'visible_u', doc: 'delay 1: last step\'s u' });
      const visibleO = body.op('Identity', [current(`${op.name}/pending_o`)], { name: 'visible_o', doc: 'delay 1: last step\'s o' });
      return { x: visibleO, membrane: visibleU, next: { ...carried, [`${op.name}/pending_u`]: u, [`${op.name}/pending_o`]: o } };
    });
  return {
    name: op.name,
    kind: 'spiking',
    units: op.units,
    states,
    drive,
    fromDrive,
    step: (body, x, current) => fromDrive(body, drive(body, x), current),
  };
}

/** The synapse's acc [N, units] from x [N, inputs]: an exact float MatMul (dense), or x itself (identity). */
function synapseOf(g: GraphBuilder, op: SpikingOp, dtype: MatMulType | undefined): (body: GraphBuilder, x: string) => string {
  switch (op.synapse) {
    case 'identity':
      return (body, x) => toDouble(body, x);
    case 'dense': {
      if (!dtype) throw new Error(`${op.name}: a dense synapse needs its MatMul type from plan.ts`);
      const product = denseProduct(g, `${op.name}/weights_T`, op.weights, op.inputs, op.units, dtype, `[inputs, units] = [${op.inputs}, ${op.units}] (transposed), ${op.weightType.bits}-bit`);
      return (body, x) => product(body, x, { x: 'x', product: 'acc', what: 'sum_i weights[j,i] * x_i' });
    }
    default:
      return unreachable(op.synapse, 'synapse');
  }
}

/** The output o and the state v left for the next step, from the clamped membrane u. */
function fireAndReset(g: GraphBuilder, op: SpikingOp, u: string): { o: string; v: string } {
  if (op.output.kind === 'membrane') {
    // Never fires: v = u whatever the reset, and o follows the membrane.
    const rounded = roundShift(g, u, [op.output.shift], 'o_round', `${op.name}/output_shift`);
    return { o: clamp(g, rounded, op.output.type, 'o'), v: u };
  }
  const threshold = g.constant('double', op.threshold);
  const fired = g.op('Greater', [u, threshold], { name: 'fired', doc: `u > threshold ${op.threshold} (strict)` });
  const o = output(g, op, u, fired);
  const v = g.op('Where', [fired, reset(g, op, u), u], { name: 'v_after_reset', doc: `reset: ${op.reset.kind}` });
  return { o, v };
}

function output(g: GraphBuilder, op: SpikingOp, u: string, fired: string): string {
  const out = op.output;
  switch (out.kind) {
    case 'binary':
      return g.op('Cast', [fired], { name: 'o', attrs: { to: { int: 11 } }, dtype: 'double', doc: 'binary spike: 1 when fired' });
    case 'excess': {
      if (minOf(out.type) >= 0) return unsignedExcess(g, op, out.shift, out.type, u);
      const excess = g.op('Sub', [u, g.constant('double', op.threshold)], { name: 'excess' });
      const rounded = roundShift(g, excess, [out.shift], 'excess_round', `${op.name}/output_shift`);
      const clamped = clamp(g, rounded, out.type, 'excess_clamp');
      return g.op('Where', [fired, clamped, g.constant('double', 0)], { name: 'o', doc: 'excess output when fired, else 0' });
    }
    case 'membrane':
      throw new Error('a membrane output never fires (fireAndReset handles it)');
    default:
      return unreachable(out, 'output mode');
  }
}

/**
 * An unsigned excess output without a select: clamp(roundShift(u - threshold, s), T) with min(T) = 0 is already 0 when
 * the unit does not fire (u - threshold <= 0 rounds to at most 0), and the IR's value when it fires. One Floor:
 * floor(u / 2^s + (2^(s-1) - threshold) / 2^s), exact as check.ts bounds |u - threshold| + 2^(s-1) below 2^53.
 */
function unsignedExcess(g: GraphBuilder, op: SpikingOp, shift: number, type: IntType, u: string): string {
  const rounded = shift === 0 ? g.op('Sub', [u, g.constant('double', op.threshold)], { name: 'excess' })
    : g.op('Floor', [g.op('Add', [g.op('Mul', [u, g.constant('double', 2 ** -shift)], { name: 'u_scaled' }), g.constant('double', (2 ** (shift - 1) - op.threshold) / 2 ** shift)], { name: 'excess_scaled_plus_half' })],
      { name: 'excess_round', doc: `roundShift(u - ${op.threshold}, ${shift})` });
  return clamp(g, rounded, type, 'o');
}

function reset(g: GraphBuilder, op: SpikingOp, u: string): string {
  const mode = op.reset;
  switch (mode.kind) {
    case 'refractory':
      return refractoryReset(g, op, mode, u);
    case 'subtract':
      return g.op('Sub', [u, g.constant('double', op.threshold)], { name: 'reset_subtract', doc: 'u - threshold' });
    case 'zero':
      return g.op('Mul', [u, g.constant('double', 0)], { name: 'reset_zero' });
    case 'value':
      return g.constant('double', mode.value);
    case 'none':
      return u;
    default:
      return unreachable(mode, 'reset mode');
  }
}

/**
 * clamp(u - roundShift(u * mul, s), membraneType) for a unit that fired. Since u is an integer,
 *   u - floor(u * mul / 2^s + 1/2) = ceil(u * (2^s - mul) / 2^s - 1/2),
 * one Mul, Add and Ceil, exact when the numerator |u| (2^s - mul) + 2^(s-1) is below 2^53 (|u| at most the membrane
 * type's magnitude, as u is clamped). The result is monotone in u (each step of u changes it by 1 - floor or ceil of
 * mul / 2^s), so when both ends of the fired range u in [threshold + 1, max] land inside the membrane type (computed
 * exactly, in BigInt), so does every u between, and the clamp is dropped.
 * Otherwise the IR's formula (scaleBy, Sub, Clip), as check.ts bounds it.
 */
function refractoryReset(g: GraphBuilder, op: SpikingOp, factor: { readonly mul: number; readonly shift: number }, u: string): string {
  const { mul, shift } = factor;
  const lo = minOf(op.membraneType);
  const hi = maxOf(op.membraneType);
  const scale = (2 ** shift - mul) / 2 ** shift;
  const fused = shift > 0 && Math.max(-lo, hi) * Math.abs(2 ** shift - mul) + 2 ** (shift - 1) < EXACT_LIMIT;
  if (!fused) {
    const penalty = scaleBy(g, u, factor, 'reset_penalty');
    return clamp(g, g.op('Sub', [u, penalty], { name: 'reset_refractory' }), op.membraneType, 'reset_clamp');
  }
  const reset = g.op('Ceil', [g.op('Add', [g.op('Mul', [u, g.constant('double', scale)], { name: 'reset_scaled' }), g.constant('double', -0.5)], { name: 'reset_minus_half' })],
    { name: 'reset_refractory', doc: `u - roundShift(u * ${mul}, ${shift}) = ceil(u * ${scale} - 1/2)` });
  const inside = (v: number): boolean => {
    const r = BigInt(v) - floorDiv(BigInt(v) * BigInt(mul) + 2n ** BigInt(shift - 1), 2n ** BigInt(shift));
    return r >= BigInt(lo) && r <= BigInt(hi);
  };
  const first = Math.max(lo, Math.min(op.threshold + 1, hi));
  return inside(first) && inside(hi) ? reset : clamp(g, reset, op.membraneType, 'reset_clamp');
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}
