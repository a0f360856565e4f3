/**
 * @fileoverview snnc float model -> NIR graph. conv -> Conv2d, pool -> SumPool2d/AvgPool2d, dense spiking ->
 * [Flatten] + Affine + neuron, identity spiking -> neuron; the neuron is IF (decay 1), LIF (decay < 1), I or LI (output
 * membrane) or CubaLIF (a synaptic current), a recurrent synapse a Linear loop neuron -> Linear -> neuron, delay 1 a
 * Delay of dt. Parameters are chosen so that import (discretize.ts, same dt) gives back the same model bit for bit;
 * what NIR cannot state exactly (excess output, refractory reset, ...) is refused with one line.
 */
import { SnncError } from '../../../base/errors.ts';
import type { SnnModel, SpikingLayer } from '../../../model/format.ts';
import { rForUnitIntegratorGain, rForUnitLeakyGain, tauForDecay, vLeakForBias } from './discretize.ts';
import { ndarray, NIR_WRITE_VERSION, type MetadataValue, type NdArray, type NirGraph, type NirNode } from './graph.ts';
import { DECAY_METADATA_KEY, encodeHead, RESET_METADATA_KEY, SNNC_METADATA_KEY } from './model-head.ts';
import { LayerNames } from './names.ts';
import { windowOutSize } from '../../../ir/window.ts';

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const NO_METADATA: ReadonlyMap<string, MetadataValue> = new Map();

export interface NirExport {
  readonly graph: NirGraph;
  /** Lines for the user: what a NIR reader other than snnc will not see (e.g. a subtract reset kept in metadata). */
  readonly notes: readonly string[];
}

function refuse(layer: SpikingLayer, message: string): never {
  throw new SnncError('unsupported', `layer '${layer.name}': ${message}`);
}

/** The neuron node of a spiking layer with `shape` (per-neuron parameters take the layer's tensor shape). */
function neuronNode(layer: SpikingLayer, shape: readonly number[], dt: number, notes: string[]): NirNode {
  const count = numel(shape);
  const same = (v: number): NdArray => ({ shape: [...shape], data: new Float64Array(count).fill(v) });
  const identity = layer.weights === undefined;
  const hasBias = identity && layer.bias.data.some((b) => !Object.is(b, 0));
  let metadata: ReadonlyMap<string, MetadataValue> = NO_METADATA;
  let vReset = 0;
  switch (layer.reset.kind) {
    case 'refractory':
      return refuse(layer, `the refractory reset (v := v - (penalty/threshold) v) has no NIR primitive; NIR resets to v_reset`);
    case 'subtract':
      metadata = new Map([[RESET_METADATA_KEY, 'subtract']]);
      notes.push(`layer '${layer.name}': subtract reset (v := v - v_threshold) is recorded in node metadata reset = "subtract"; NIR readers that ignore metadata will reset to v_reset = 0 instead`);
      break;
    case 'value':
      vReset = layer.reset.value;
      break;
    case 'zero':
    case 'none':
      break;
  }
  if (layer.output === 'excess') refuse(layer, "output 'excess' (u - threshold on a spike) has no NIR primitive; NIR neurons emit binary spikes (use output 'binary')");
  if (layer.output === 'membrane' && layer.reset.kind !== 'none') refuse(layer, "output 'membrane' with a reset has no NIR primitive (LI and I never reset)");
  if (layer.synapticDecay !== undefined) return cubaLifNode(layer, layer.synapticDecay, { same, shape, dt, vReset, metadata });
  if (layer.decay === 1) {
    if (hasBias) refuse(layer, 'a bias on an identity synapse with decay 1 has no NIR form (IF and I have no v_leak)');
    const r = rForUnitIntegratorGain(dt);
    if (r === undefined) refuse(layer, `no float64 r gives dt*r = 1 exactly for dt = ${dt}`);
    if (layer.output === 'membrane') return { type: 'I', r: same(r), metadata };
    return { type: 'IF', r: same(r), vThreshold: same(layer.threshold), vReset: same(vReset), metadata };
  }
  // Below 0.5 not every float64 decay is 1 - dt/tau of some float64 tau: the nearest tau goes in the file (off by
  // under 1e-15) and the exact decay in node metadata, which snnc's import uses when it agrees with tau.
  const exactTau = tauForDecay(layer.decay, dt);
  const tau = exactTau ?? dt / (1 - layer.decay);
  if (exactTau === undefined) metadata = new Map([...metadata, [DECAY_METADATA_KEY, [layer.decay]]]);
  const r = rForUnitLeakyGain(tau, dt);
  if (r === undefined) refuse(layer, `no float64 r gives dt*r/tau = 1 exactly (tau = ${tau}, dt = ${dt})`);
  const vLeak = new Float64Array(count);
  if (hasBias) {
    for (let i = 0; i < count; i++) {
      const v = vLeakForBias(layer.bias.data[i]!, tau, dt);
      if (v === undefined) refuse(layer, `bias ${layer.bias.data[i]} of neuron ${i} has no exact v_leak for tau = ${tau}`);
      vLeak[i] = v;
    }
  }
  const leak: NdArray = { shape: [...shape], data: vLeak };
  if (layer.output === 'membrane') return { type: 'LI', tau: same(tau), r: same(r), vLeak: leak, metadata };
  return { type: 'LIF', tau: same(tau), r: same(r), vLeak: leak, vThreshold: same(layer.threshold), vReset: same(vReset), metadata };
}

/**
 * A layer with a synaptic current as a CubaLIF: tau_syn and tau_mem with 1 - dt/tau equal to the decays, w_in and r
 * with unit gains (dt w_in/tau_syn = dt r/tau_mem = 1), the membrane bias as v_leak (its Affine gets a zero bias: the
 * model's synaptic current takes none).
 */
function cubaLifNode(
  layer: SpikingLayer, synDecay: number,
  p: { same: (v: number) => NdArray; shape: readonly number[]; dt: number; vReset: number; metadata: ReadonlyMap<string, MetadataValue> },
): NirNode {
  if (layer.output !== 'binary') refuse(layer, `a synaptic current with output '${layer.output}' has no NIR primitive snnc maps (CubaLIF fires binary spikes)`);
  if (layer.synapticBias && !layer.weights) refuse(layer, 'a synaptic current bias on an identity synapse has no NIR form (no Affine carries it into the CubaLIF)');
  const tau = (decay: number, what: string): number => tauForDecay(decay, p.dt) ?? refuse(layer, `no float64 ${what} gives the decay ${decay} exactly as 1 - dt/${what} (dt = ${p.dt})`);
  const unitGain = (t: number, what: string): number => rForUnitLeakyGain(t, p.dt) ?? refuse(layer, `no float64 ${what} gives a unit gain exactly (dt = ${p.dt})`);
  const tauSyn = tau(synDecay, 'tau_syn');
  const tauMem = tau(layer.decay, 'tau_mem');
  const vLeak = Float64Array.from(layer.bias.data, (b, i) => vLeakForBias(b, tauMem, p.dt) ?? refuse(layer, `bias ${b} of neuron ${i} has no exact v_leak for tau_mem = ${tauMem}`));
  return {
    type: 'CubaLIF', tauSyn: p.same(tauSyn), tauMem: p.same(tauMem), r: p.same(unitGain(tauMem, 'r')), vLeak: { shape: [...p.shape], data: vLeak },
    vThreshold: p.same(layer.threshold), vReset: p.same(p.vReset), wIn: p.same(unitGain(tauSyn, 'w_in')), metadata: p.metadata,
  };
}

/** Builds the NIR graph of `model` with time step `dt` (import it with the same dt; the file records it). */
export function modelToNir(model: SnnModel, dt = 1): NirExport {
  if (!(dt > 0) || !Number.isFinite(dt)) throw new SnncError('usage', `--dt: must be a positive number, got ${dt}`);
  const names = new LayerNames(model.layers.map((l) => l.name));
  const nodes = new Map<string, NirNode>();
  const notes: string[] = [];
  const order: string[] = [];
  /** Edges besides the chain's: recurrent loops. */
  const loops: (readonly [string, string])[] = [];
  const add = (name: string, node: NirNode): void => {
    nodes.set(name, node);
    order.push(name);
  };
  let shape: number[] = [...model.input.shape];
  // a channels event input [N, 1, 1] is a flat [N] to other tools
  const flat = model.encoder.kind === 'events' && model.encoder.binning.source === 'channels';
  add(names.take('input'), { type: 'Input', shape: flat ? [model.input.shape[0]] : [...model.input.shape], metadata: NO_METADATA });
  for (const layer of model.layers) {
    switch (layer.kind) {
      case 'conv': {
        const [, h, w] = shape as [number, number, number];
        const stride = layer.stride ?? 1;
        const padding = layer.padding ?? 0;
        add(layer.name, {
          type: 'Conv2d', weight: ndarray(layer.weights.shape, layer.weights.data), bias: ndarray(layer.bias.shape, layer.bias.data),
          stride: [stride, stride], padding: [padding, padding], dilation: [1, 1], groups: 1, inputShape: [h, w], metadata: NO_METADATA,
        });
        const out = (n: number): number => windowOutSize(n, layer.kernel, stride, padding);
        shape = [layer.filters, out(h), out(w)];
        break;
      }
      case 'pool': {
        const [c, h, w] = shape as [number, number, number];
        const k: [number, number] = [layer.kernel, layer.kernel];
        add(layer.name, { type: layer.mode === 'sum' ? 'SumPool2d' : 'AvgPool2d', kernelSize: k, stride: [layer.stride, layer.stride], padding: [layer.padding, layer.padding], metadata: NO_METADATA });
        const out = (n: number): number => windowOutSize(n, layer.kernel, layer.stride, layer.padding);
        shape = [c, out(h), out(w)];
        break;
      }
      case 'spiking': {
        if (layer.weights !== undefined) {
          if (shape.length > 1) {
            add(names.take(`${layer.name}_flatten`), { type: 'Flatten', startDim: 0, endDim: -1, inputType: [...shape], metadata: NO_METADATA });
            shape = [numel(shape)];
          }
          // with a synaptic current the Affine's bias enters the current (its synapticBias, the gains being 1): the
          // membrane's bias is the CubaLIF's v_leak
          const bias = layer.synapticDecay !== undefined ? (layer.synapticBias ?? { shape: [layer.units], data: new Float32Array(layer.units) }) : layer.bias;
          add(names.take(`${layer.name}_affine`), { type: 'Affine', weight: ndarray(layer.weights.shape, layer.weights.data), bias: ndarray(bias.shape, bias.data), metadata: NO_METADATA });
          shape = [layer.units];
        }
        add(layer.name, neuronNode(layer, shape, dt, notes));
        if (layer.recurrent) {
          const rec = names.take(`${layer.name}_rec`);
          nodes.set(rec, { type: 'Linear', weight: ndarray(layer.recurrent.shape, layer.recurrent.data), metadata: NO_METADATA });
          loops.push([layer.name, rec], [rec, layer.name]);
        }
        // NIR Delay by one step dt: the layer's outputs seen one step late
        if (layer.delay === 1) add(names.take(`${layer.name}_delay`), { type: 'Delay', delay: ndarray(shape, new Float64Array(numel(shape)).fill(dt)), metadata: NO_METADATA });
        break;
      }
    }
  }
  add(names.take('output'), { type: 'Output', shape: [model.classes], metadata: NO_METADATA });
  const head = encodeHead({
    dt, metadata: model.metadata, input: model.input, encoder: model.encoder, timesteps: model.timesteps, readout: model.readout,
    fixedConvs: model.layers.filter((l) => l.kind === 'conv' && !l.learned).map((l) => l.name),
  });
  return {
    graph: {
      version: NIR_WRITE_VERSION,
      nodes,
      edges: [...order.slice(1).map((name, i) => [order[i]!, name] as const), ...loops],
      metadata: new Map([[SNNC_METADATA_KEY, head]]),
    },
    notes,
  };
}

