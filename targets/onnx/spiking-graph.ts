/**
 * @fileoverview The IR's spiking op as exact float64 ONNX nodes (int-math.ts), one timestep (docs/ir.md, "Spiking op"). The membrane `v`
 * is loop-carried; with delay 1 so are the previous step's (u, o), which are what the layer makes visible.
 */
import { unreachable } from '../../ir/registry.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { exactMatMul, integerWeightsAsFloat, toDouble, toFloat, type FloatType } from './exact-matmul.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { clamp, roundShift, scaleBy, shiftLeft } from './int-math.ts';
import { BATCH, zeros, type CarriedState, type LayerStepResult, type SpikingStepLayer } from './step.ts';

/** `dtype`: the float type in which the plan proved a dense synapse's MatMul exact (plan.ts, exact-matmul.ts). */
export function spikingLayer(g: GraphBuilder, op: SpikingOp, batch: string, dtype: FloatType | undefined): SpikingStepLayer {
  const synapse = synapseOf(g, op, dtype);
  const bias = g.initializer(`${op.name}/bias`, 'double', [op.units], op.bias, 'per unit, in membrane units');
  const state = (key: string, doc: string): CarriedState => ({
    key: `${op.name}/${key}`, dtype: 'double', dims: [BATCH, op.units], initial: zeros(g, batch, [op.units], 'double', `${op.name}/${key}_init`), doc,
  });
  const states = [state('v', 'membrane left by the previous timestep')];
  if (op.delay === 1) states.push(state('pending_u', 'delay 1: membrane u computed last step'), state('pending_o', 'delay 1: output o computed last step'));
  const fromAcc = (body: GraphBuilder, acc: string, current: (key: string) => string): LayerStepResult =>
    body.scope(op.name, () => {
      const aligned = shiftLeft(body, acc, op.accShift, 'acc_shifted', `${op.name}/2^accShift`, { rank: 2, channelAxis: 1 });
      const decayed = scaleBy(body, current(`${op.name}/v`), op.decay, 'decay');
      const sum = body.op('Add', [body.op('Add', [decayed, aligned], { name: 'decayed_plus_acc' }), bias], { name: 'u_unclamped' });
      const u = clamp(body, sum, op.membraneType, 'u');
      const { o, v } = fireAndReset(body, op, u);
      if (op.delay === 0) return { x: o, membrane: u, next: { [`${op.name}/v`]: v } };
      const visibleU = body.op('Identity', [current(`${op.name}/pending_u`)], { name: 'visible_u', doc: 'delay 1: last step\'s u' });
      const visibleO = body.op('Identity', [current(`${op.name}/pending_o`)], { name: 'visible_o', doc: 'delay 1: last step\'s o' });
      return { x: visibleO, membrane: visibleU, next: { [`${op.name}/v`]: v, [`${op.name}/pending_u`]: u, [`${op.name}/pending_o`]: o } };
    });
  const synapseIn = (body: GraphBuilder, x: string): string => body.scope(op.name, () => synapse(body, x));
  return {
    name: op.name,
    kind: 'spiking',
    units: op.units,
    states,
    synapse: synapseIn,
    fromAcc,
    step: (body, x, current) => fromAcc(body, synapseIn(body, x), current),
  };
}

/** The synapse's acc [N, units] from x [N, inputs]: an exact float MatMul (dense), or x itself (identity). */
function synapseOf(g: GraphBuilder, op: SpikingOp, dtype: FloatType | undefined): (body: GraphBuilder, x: string) => string {
  switch (op.synapse) {
    case 'identity':
      return (body, x) => toDouble(body, x);
    case 'dense': {
      if (!dtype) throw new Error(`${op.name}: a dense synapse needs its MatMul type from plan.ts`);
      const transposed: number[] = [];
      for (let i = 0; i < op.inputs; i++) for (let j = 0; j < op.units; j++) transposed.push(op.weights[j * op.inputs + i]!);
      const weights = integerWeightsAsFloat(g, `${op.name}/weights_T`, [op.inputs, op.units], transposed, dtype, `[inputs, units] = [${op.inputs}, ${op.units}] (transposed), ${op.weightType.bits}-bit`);
      return (body, x) => exactMatMul(body, toFloat(body, x, dtype, `x_${dtype}`), weights, 'acc', `sum_i weights[j,i] * x_i in ${dtype}`);
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

function reset(g: GraphBuilder, op: SpikingOp, u: string): string {
  const mode = op.reset;
  switch (mode.kind) {
    case 'refractory': {
      const penalty = scaleBy(g, u, mode, 'reset_penalty');
      return clamp(g, g.op('Sub', [u, penalty], { name: 'reset_refractory' }), op.membraneType, 'reset_clamp');
    }
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
