/**
 * @fileoverview NIR graph -> snnc float model. Walks the Input -> Output chain: Affine/Linear (+ Scale) then a neuron
 * is a dense spiking layer; Conv2d is a conv layer whose following neuron becomes an identity spiking layer (neuron
 * gains folded into the conv filters); SumPool2d/AvgPool2d are pool layers; Flatten only reshapes. Neurons use the
 * forward-Euler discretization of discretize.ts; see docs/nir.md for every equation and refusal.
 */
import { SnncError } from '../../../base/errors.ts';
import { unreachable } from '../../../ir/registry.ts';
import type { ConvLayer, PoolLayer, SnnModel, SpikingLayer, Tensor } from '../../../model/format.ts';
import { nirChain, type ChainNode } from './chain.ts';
import type { RecurrentLoop } from './recurrence.ts';
import { delayRelay } from './delay-relay.ts';
import { leakBias, leakyGain } from './discretize.ts';
import type { NdArray, NirGraph, NirNode, Pair } from './graph.ts';
import { decodeHead, resolveHead, type NirImportOptions } from './model-head.ts';
import { gainFormula, NeuronReader, type Neuron } from './neuron-reader.ts';
import { LayerNames } from './names.ts';
import { windowOutSize } from '../../../ir/window.ts';

type Layer = ConvLayer | PoolLayer | SpikingLayer;

/** A synapse waiting for its neuron: W [out, in] and b, float64 until the neuron's gains are folded in. */
interface Pending {
  readonly node: string;
  readonly out: number;
  readonly inputs: number;
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const f32 = (data: ArrayLike<number>, shape: readonly number[]): Tensor => ({ shape: [...shape], data: Float32Array.from(data) });

/** Row i of `weight` ([rows, cols] row-major) times gain[i], in float64 (rounded to float32 once, by f32). */
function scaleRows(weight: Float64Array, gain: Float64Array, rows: number): Float64Array {
  const cols = weight.length / rows;
  return weight.map((w, k) => gain[Math.floor(k / cols)]! * w);
}

/**
 * A Delay's steps (delay / dt) count as whole within this relative error: a float32 delay (PyTorch exporters) is off
 * by up to 6e-8 of its value; a delay off by more is refused as a fraction of a step.
 */
const DELAY_STEP_TOLERANCE = 1e-6;
/** A Delay of more steps than this is refused: each step after the first is a relay layer. */
const MAX_DELAY_STEPS = 64;

class Importer extends NeuronReader {
  private readonly layers: Layer[] = [];
  private pending: Pending | undefined;
  /** Index of a conv layer that nothing but Flatten has followed yet: a neuron's gains fold into it. */
  private openConv: number | undefined;
  /** Index of the neuron layer the last visited node emitted (a Delay may follow it), else undefined. */
  private lastNeuron: number | undefined;
  private shape: number[];
  private readonly names = new LayerNames();
  /** Index of the last relay of spikes a Delay added (its membrane is the spike, not the neuron's membrane). */
  spikeRelay: number | undefined;

  constructor(
    file: string,
    dt: number,
    inputShape: readonly number[],
    resetOverride: 'file' | 'subtract',
    private readonly fixedConvs: ReadonlySet<string>,
  ) {
    super(file, dt, resetOverride);
    this.shape = [...inputShape];
  }

  /**
   * Emits a spiking layer for `neuron`, folding its input gains into the pending synapse (dense layer), or into the open
   * conv's filters (identity layer; gains constant per channel), or requiring gain 1 (identity layer). A recurrent
   * loop's rows take the same gains (the two currents add before the neuron scales them); the synapses' biases go to
   * the membrane, or with a synaptic current (a one-layer CubaLIF, `n.synapticDecay`) into that current
   * (`synapticBias`, only when one is nonzero: see cubaLif).
   */
  emitNeuron(layerName: string, name: string, node: NirNode, n: Neuron, count: number, loop?: RecurrentLoop): void {
    const loopPart = loop ? this.recurrentPart(name, node, loop, n, count) : undefined;
    const base = {
      kind: 'spiking' as const, name: this.names.take(layerName), units: count, decay: n.decay, threshold: n.threshold, output: n.output, reset: n.reset, delay: 0 as const,
      ...(loopPart ? { recurrent: loopPart.weights } : {}),
    };
    /** The synapses' summed bias (in the neuron's units) plus the neuron's own; with a synaptic current, the neuron's
     * own, and the synapses' summed bias (if not all 0) as the current's. */
    const biases = (inBias: Float64Array | undefined): Pick<SpikingLayer, 'bias' | 'synapticDecay' | 'synapticBias'> => {
      const summed = loopPart?.bias ? (inBias ?? new Float64Array(count)).map((b, i) => b + loopPart.bias![i]!) : inBias;
      if (n.synapticDecay !== undefined) {
        const current = summed?.some((b) => b !== 0) ? { synapticBias: f32(summed, [count]) } : {};
        return { bias: f32(n.bias, [count]), synapticDecay: n.synapticDecay, ...current };
      }
      const b = summed ? summed.map((bi, i) => (n.bias[i] === 0 ? bi : bi + n.bias[i]!)) : n.bias; // keeps a -0 bias
      return { bias: f32(b, [count]) };
    };
    this.lastNeuron = this.layers.length;
    if (this.pending) {
      const p = this.pending;
      this.layers.push({ ...base, weights: f32(scaleRows(p.weight, n.gain, p.out), [p.out, p.inputs]), ...biases(p.bias.map((bi, i) => n.gain[i]! * bi)) });
      this.pending = undefined;
      this.shape = [p.out];
      return;
    }
    if (this.openConv !== undefined) {
      const conv = this.layers[this.openConv] as ConvLayer;
      const per = count / conv.filters;
      const channelGain: number[] = [];
      for (let c = 0; c < conv.filters; c++) {
        const g = n.gain[c * per]!;
        for (let k = 1; k < per; k++) if (n.gain[c * per + k] !== g) this.fail(name, node, `input gain ${gainFormula(node)} differs inside channel ${c}; only a per-channel gain folds into the conv filters`);
        channelGain.push(g);
      }
      if (channelGain.some((g) => g !== 1)) {
        const k = conv.weights.data.length / conv.filters;
        this.layers[this.openConv] = {
          ...conv,
          weights: { shape: conv.weights.shape, data: conv.weights.data.map((v, i) => Math.fround(channelGain[Math.floor(i / k)]! * v)) },
          bias: { shape: conv.bias.shape, data: conv.bias.data.map((v, c) => Math.fround(channelGain[c]! * v)) },
        };
      }
    } else {
      const bad = n.gain.findIndex((g) => g !== 1);
      if (bad >= 0) this.fail(name, node, `input gain ${gainFormula(node)} = ${n.gain[bad]} must be 1 here: no Affine, Linear or Conv2d directly before it to fold it into`);
    }
    this.openConv = undefined;
    this.layers.push({ ...base, ...biases(undefined) });
  }

  /** A recurrent loop's weights [count, count] and bias, scaled by the neuron's input gains. */
  recurrentPart(name: string, node: NirNode, loop: RecurrentLoop, n: Neuron, count: number): { weights: Tensor; bias?: Float64Array } {
    const w = loop.node.weight;
    if (w.shape.length !== 2 || w.shape[0] !== count || w.shape[1] !== count) {
      this.fail(name, node, `its recurrent synapse '${loop.name}' has weight [${w.shape.join(', ')}], expected [${count}, ${count}] (this neuron's output back into its ${count} units)`);
    }
    const weights = f32(scaleRows(w.data, n.gain, count), [count, count]);
    if (loop.node.type === 'Linear') return { weights };
    if (loop.node.bias.data.length !== count) this.fail(name, node, `its recurrent synapse '${loop.name}' has ${loop.node.bias.data.length} bias values for ${count} units`);
    return { weights, bias: loop.node.bias.data.map((b, i) => n.gain[i]! * b) };
  }

  /**
   * NIR Delay: whole steps of dt right after a neuron: 1 step is that layer's delay 1, d > 1 steps delay 1 and d - 1
   * relay layers (delay-relay.ts), 0 steps nothing.
   */
  delay(name: string, node: Extract<NirNode, { type: 'Delay' }>): void {
    const stepsReal = this.uniform(name, node, 'delay', node.delay.data, 'delay') / this.dt;
    const steps = Math.round(stepsReal);
    if (!(Math.abs(stepsReal - steps) <= DELAY_STEP_TOLERANCE * Math.max(1, steps))) {
      this.fail(name, node, `delay ${node.delay.data[0]} is ${stepsReal} steps of dt = ${this.dt}, not a whole number; snnc delays by whole steps`);
    }
    if (steps === 0) return;
    if (steps > MAX_DELAY_STEPS) this.fail(name, node, `delay of ${steps} steps; snnc imports a Delay of at most ${MAX_DELAY_STEPS} steps (each step after the first is a relay layer)`);
    const layer = this.lastNeuron === undefined ? undefined : (this.layers[this.lastNeuron] as SpikingLayer);
    if (!layer) this.fail(name, node, 'a delay must directly follow a neuron node (it becomes that layer\'s delay 1, and relay layers for more steps)');
    if (layer.delay === 1 || this.lastNeuron !== this.layers.length - 1) this.fail(name, node, `a second delay after neuron layer '${layer.name}'; give one Delay node the whole number of steps`);
    this.layers[this.lastNeuron!] = { ...layer, delay: 1 };
    for (let k = 1; k < steps; k++) this.layers.push(delayRelay(layer, this.names.take(`${layer.name}_delay${k}`)));
    if (steps > 1 && layer.output !== 'membrane') this.spikeRelay = this.layers.length - 1;
  }

  synapse(name: string, node: NirNode, weight: NdArray, bias: NdArray | undefined): void {
    this.noPending(name, node);
    if (weight.shape.length !== 2) this.fail(name, node, `weight must be 2-D [out, in], got [${weight.shape.join(', ')}]`);
    const [out, inputs] = weight.shape as [number, number];
    if (inputs !== numel(this.shape)) this.fail(name, node, `weight takes ${inputs} inputs, the incoming tensor [${this.shape.join(', ')}] has ${numel(this.shape)}`);
    if (bias && bias.data.length !== out) this.fail(name, node, `bias has ${bias.data.length} values for ${out} outputs`);
    this.pending = { node: name, out, inputs, weight: weight.data, bias: bias ? bias.data : new Float64Array(out) };
    this.openConv = undefined;
  }

  noPending(name: string, node: NirNode): void {
    if (this.pending) this.fail(name, node, `follows the synapse '${this.pending.node}' with no neuron between; every snnc layer ends in a neuron`);
  }

  chw(name: string, node: NirNode): [number, number, number] {
    if (this.shape.length !== 3) this.fail(name, node, `needs a [C, H, W] input, the incoming tensor is [${this.shape.join(', ')}]`);
    return this.shape as [number, number, number];
  }

  square(name: string, node: NirNode, what: string, p: Pair): number {
    if (p[0] !== p[1]) this.fail(name, node, `non-square ${what} ${p[0]}x${p[1]}; snnc supports equal height and width only`);
    return p[0];
  }

  conv(name: string, node: Extract<NirNode, { type: 'Conv2d' }>): void {
    this.noPending(name, node);
    const [c, h, w] = this.chw(name, node);
    if (node.weight.shape.length !== 4) this.fail(name, node, `weight must be [C_out, C_in, kH, kW], got [${node.weight.shape.join(', ')}]`);
    const [filters, cin, kh, kw] = node.weight.shape as [number, number, number, number];
    if (node.groups !== 1) this.fail(name, node, `groups = ${node.groups}; snnc supports groups = 1 only`);
    if (node.dilation[0] !== 1 || node.dilation[1] !== 1) this.fail(name, node, `dilation ${node.dilation.join('x')}; snnc supports dilation 1 only`);
    const kernel = this.square(name, node, 'kernel', [kh, kw]);
    const stride = this.square(name, node, 'stride', node.stride);
    let padding: number;
    if (node.padding === 'valid') padding = 0;
    else if (node.padding === 'same') {
      if (stride !== 1 || kernel % 2 === 0) this.fail(name, node, `padding 'same' needs stride 1 and an odd kernel (got stride ${stride}, kernel ${kernel})`);
      padding = (kernel - 1) / 2;
    } else padding = this.square(name, node, 'padding', node.padding);
    if (cin !== c) this.fail(name, node, `weight takes ${cin} input channels, the incoming tensor has ${c}`);
    if (stride < 1 || padding < 0 || padding >= kernel) this.fail(name, node, `stride ${stride} / padding ${padding} out of range (stride >= 1, 0 <= padding < kernel ${kernel})`);
    if (node.inputShape && (node.inputShape[0] !== h || node.inputShape[1] !== w)) this.fail(name, node, `input_shape ${node.inputShape.join('x')} does not match the incoming ${h}x${w}`);
    if (node.bias.data.length !== filters) this.fail(name, node, `bias has ${node.bias.data.length} values for ${filters} filters`);
    const oh = windowOutSize(h, kernel, stride, padding);
    const ow = windowOutSize(w, kernel, stride, padding);
    if (oh < 1 || ow < 1) this.fail(name, node, `a ${kernel}x${kernel} kernel does not fit the ${h}x${w} input`);
    const layerName = this.names.take(name);
    this.layers.push({
      kind: 'conv', name: layerName, filters, kernel, ...(stride !== 1 ? { stride } : {}), ...(padding !== 0 ? { padding } : {}),
      weights: f32(node.weight.data, [filters, cin, kernel, kernel]), bias: f32(node.bias.data, [filters]), learned: !this.fixedConvs.has(layerName),
    });
    this.openConv = this.layers.length - 1;
    this.shape = [filters, oh, ow];
  }

  pool(name: string, node: Extract<NirNode, { type: 'SumPool2d' | 'AvgPool2d' }>): void {
    this.noPending(name, node);
    const [c, h, w] = this.chw(name, node);
    const kernel = this.square(name, node, 'kernel_size', node.kernelSize);
    const stride = this.square(name, node, 'stride', node.stride);
    const padding = this.square(name, node, 'padding', node.padding);
    if (kernel < 1 || stride < 1 || padding < 0 || padding >= kernel) this.fail(name, node, `kernel ${kernel} / stride ${stride} / padding ${padding} out of range`);
    const oh = windowOutSize(h, kernel, stride, padding);
    const ow = windowOutSize(w, kernel, stride, padding);
    if (oh < 1 || ow < 1) this.fail(name, node, `a ${kernel}x${kernel} window does not fit the ${h}x${w} input`);
    this.layers.push({ kind: 'pool', name: this.names.take(name), mode: node.type === 'SumPool2d' ? 'sum' : 'avg', kernel, stride, padding });
    this.openConv = undefined;
    this.shape = [c, oh, ow];
  }

  scale(name: string, node: Extract<NirNode, { type: 'Scale' }>): void {
    const s = node.scale.data;
    if (this.pending) {
      const p = this.pending;
      const per = this.perNeuron(name, node, 'scale', node.scale, p.out);
      this.pending = { ...p, weight: p.weight.map((v, i) => v * per[Math.floor(i / p.inputs)]!), bias: p.bias.map((v, i) => v * per[i]!) };
      return;
    }
    if (this.openConv === undefined) this.fail(name, node, 'must directly follow an Affine, Linear or Conv2d (snnc folds a Scale into their weights)');
    const conv = this.layers[this.openConv] as ConvLayer;
    const count = numel(this.shape);
    const per = this.perNeuron(name, node, 'scale', { shape: [s.length], data: s }, count);
    const perChannel = count / conv.filters;
    const k = conv.weights.data.length / conv.filters;
    const gains: number[] = [];
    for (let c = 0; c < conv.filters; c++) {
      for (let j = 1; j < perChannel; j++) if (per[c * perChannel + j] !== per[c * perChannel]) this.fail(name, node, `scale differs inside channel ${c}; only a per-channel scale folds into the conv filters`);
      gains.push(per[c * perChannel]!);
    }
    this.layers[this.openConv] = {
      ...conv,
      weights: { shape: conv.weights.shape, data: conv.weights.data.map((v, i) => Math.fround(gains[Math.floor(i / k)]! * v)) },
      bias: { shape: conv.bias.shape, data: conv.bias.data.map((v, c) => Math.fround(gains[c]! * v)) },
    };
  }

  flatten(name: string, node: Extract<NirNode, { type: 'Flatten' }>): void {
    const rank = this.shape.length;
    const start = node.startDim < 0 ? node.startDim + rank : node.startDim;
    const end = node.endDim < 0 ? node.endDim + rank : node.endDim;
    if (start < 0 || end >= rank || start > end) {
      if (rank === 1) return; // flattening a vector is a no-op whatever the dims say
      this.fail(name, node, `start_dim ${node.startDim} / end_dim ${node.endDim} do not fit the incoming [${this.shape.join(', ')}]`);
    }
    const kept = [...this.shape.slice(0, start), ...this.shape.slice(end + 1)];
    if (kept.some((d) => d !== 1)) this.fail(name, node, `flattens dims ${start}..${end} of [${this.shape.join(', ')}] and leaves a tensor of rank > 1; snnc flattens whole tensors`);
    this.shape = [numel(this.shape)];
  }

  visit({ name, node, recurrent }: ChainNode): void {
    const neuronBefore = this.lastNeuron;
    this.lastNeuron = undefined;
    switch (node.type) {
      case 'Affine':
        return this.synapse(name, node, node.weight, node.bias);
      case 'Linear':
        return this.synapse(name, node, node.weight, undefined);
      case 'Scale':
        return this.scale(name, node);
      case 'Conv2d':
        return this.conv(name, node);
      case 'SumPool2d':
      case 'AvgPool2d':
        return this.pool(name, node);
      case 'Flatten':
        return this.flatten(name, node);
      case 'LIF':
      case 'IF':
      case 'LI':
      case 'I':
      case 'Threshold': {
        const count = this.pending ? this.pending.out : numel(this.shape);
        return this.emitNeuron(name, name, node, this.neuron(name, node, count), count, recurrent);
      }
      case 'CubaLIF':
        return this.cubaLif(name, node, recurrent);
      case 'Delay':
        this.lastNeuron = neuronBefore;
        return this.delay(name, node);
      case 'Input':
      case 'Output':
        return this.fail(name, node, 'an Input or Output node inside the chain');
      case 'unsupported':
        return this.fail(name, node, 'not supported');
      default:
        return unreachable(node, 'NIR node type');
    }
  }

  /**
   * CubaLIF: one layer whose synaptic current (decay 1 - dt/tau_syn, `synapticDecay`) takes the synapse and any
   * recurrent loop, gains (dt w_in/tau_syn)(dt R/tau_mem) folded into their rows, membrane decay 1 - dt/tau_mem, bias
   * (dt/tau_mem) v_leak. A synapse bias (an Affine's, the input's or the loop's) enters the current: with a recurrent
   * loop it is the layer's `synapticBias` (gain-scaled as the rows); without one the exact two-layer form stays, as
   * before: [synaptic current I: a membrane-output layer, decay 1 - dt/tau_syn, the same gains and the bias folded in]
   * + [identity LIF driven by this step's I_t].
   */
  cubaLif(name: string, node: Extract<NirNode, { type: 'CubaLIF' }>, loop: RecurrentLoop | undefined): void {
    const count = this.pending ? this.pending.out : numel(this.shape);
    const per = (param: string, a: NdArray): Float64Array => this.perNeuron(name, node, param, a, count);
    const tauSyn = per('tau_syn', node.tauSyn);
    const tauMem = per('tau_mem', node.tauMem);
    const wIn = node.wIn ? per('w_in', node.wIn) : new Float64Array(count).fill(1);
    const r = per('r', node.r);
    const synDecay = this.decayOf(name, node, 'tau_syn', tauSyn);
    const memDecay = this.decayOf(name, node, 'tau_mem', tauMem);
    const gain = wIn.map((w, i) => leakyGain(w, tauSyn[i]!, this.dt) * leakyGain(r[i]!, tauMem[i]!, this.dt));
    const threshold = this.threshold(name, node, 'v_threshold', node.vThreshold, count);
    const vLeak = per('v_leak', node.vLeak);
    const bias = vLeak.map((v, i) => leakBias(v, tauMem[i]!, this.dt));
    const membrane = { decay: memDecay, bias, threshold, output: 'binary' as const, reset: this.resetOf(name, node, count, threshold) };
    const biased = [this.pending?.bias.some((b) => b !== 0) ? this.pending.node : undefined, loop?.node.type === 'Affine' && loop.node.bias.data.some((b) => b !== 0) ? loop.name : undefined].filter((s) => s !== undefined);
    if (biased.length === 0 || loop) return this.emitNeuron(name, name, node, { ...membrane, gain, synapticDecay: synDecay }, count, loop);
    const current: Neuron = { decay: synDecay, gain, bias: new Float64Array(count), threshold: 0, output: 'membrane', reset: { kind: 'none' } };
    this.emitNeuron(`${name}_syn`, name, node, current, count);
    this.emitNeuron(name, name, node, { ...membrane, gain: new Float64Array(count).fill(1) }, count);
  }

  finish(outName: string, out: NirNode & { shape: readonly number[] }): Layer[] {
    if (this.pending) throw new SnncError('model', `${this.file}: the synapse '${this.pending.node}' feeds the Output with no neuron; the last snnc layer must be a neuron layer`);
    const last = this.layers[this.layers.length - 1];
    if (!last || last.kind !== 'spiking') throw new SnncError('model', `${this.file}: the node before the Output '${outName}' must be a neuron (LIF, IF, LI, I, CubaLIF or Threshold), got ${last ? last.kind : 'nothing'}`);
    if (numel(out.shape) !== last.units) throw new SnncError('model', `${this.file}: the Output '${outName}' has shape [${out.shape.join(', ')}], the last layer has ${last.units} neurons`);
    return this.layers;
  }
}

/** Maps a NIR graph to an snnc float model; every refusal is one SnncError line naming the node. */
export function nirToModel(graph: NirGraph, file: string, options: NirImportOptions = {}): SnnModel {
  const chain = nirChain(graph, file);
  const input = chain[0]!;
  const output = chain[chain.length - 1]!;
  if (input.node.type !== 'Input' || output.node.type !== 'Output') throw new SnncError('model', `${file}: internal: chain does not run Input -> Output`);
  const head = resolveHead(decodeHead(graph, file), options, file, { name: input.name, shape: input.node.shape });
  const importer = new Importer(file, head.dt, head.input.shape, options.reset ?? 'file', new Set(head.fixedConvs));
  for (const link of chain.slice(1, -1)) importer.visit(link);
  const layers = importer.finish(output.name, output.node);
  const last = layers[layers.length - 1] as SpikingLayer;
  if (last.units < 2) throw new SnncError('model', `${file}: the last layer has ${last.units} neuron; a classifier needs at least 2 classes`);
  const readout = head.readout ?? { kind: 'sum' as const, ...(last.output === 'membrane' ? {} : { source: 'output' as const }), begin: 0 };
  if (importer.spikeRelay === layers.length - 1 && (readout.source ?? 'membrane') === 'membrane') {
    throw new SnncError('model', `${file}: the readout reads the membrane of '${last.name}', a relay of a Delay of more than one step after a spiking neuron (its membrane is the spike); read its output, or delay by one step`);
  }
  if (readout.begin >= head.timesteps) throw new SnncError('usage', `the readout starts at step ${readout.begin}, but there are only ${head.timesteps} timesteps`);
  return {
    format: 'snnc-model', version: 1, kind: 'snn', metadata: head.metadata, input: head.input, encoder: head.encoder, timesteps: head.timesteps,
    layers, readout, classes: last.units,
  };
}
