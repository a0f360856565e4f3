/**
 * @fileoverview The per-step neuron of a NIR neuron node: its parameters read (one value per neuron or one broadcast),
 * checked against what an snnc layer can hold (layer-wide decay, threshold and reset), and discretized with forward
 * Euler (discretize.ts). The NIR importer (import.ts) builds on it; docs/nir.md states every equation and refusal.
 */
import { SnncError } from '../../../base/errors.ts';
import type { ResetMode, SpikingLayer } from '../../../model/format.ts';
import { eulerDecay, integratorGain, leakBias, leakyGain } from './discretize.ts';
import type { NdArray, NirNode } from './graph.ts';
import { DECAY_METADATA_KEY, DECAY_METADATA_TOLERANCE, RESET_METADATA_KEY } from './model-head.ts';

/** One neuron population's per-step parameters (see discretize.ts). */
export interface Neuron {
  readonly decay: number;
  readonly gain: Float64Array;
  readonly bias: Float64Array;
  readonly threshold: number;
  readonly output: SpikingLayer['output'];
  readonly reset: ResetMode;
  /** A CubaLIF as one layer: the decay of its synaptic current (`SpikingLayer.synapticDecay`). */
  readonly synapticDecay?: number;
}

/** How a node's input gain is computed, for error messages. */
export function gainFormula(node: NirNode): string {
  return node.type === 'IF' || node.type === 'I' ? 'dt*r' : node.type === 'CubaLIF' ? '(dt*w_in/tau_syn)*(dt*r/tau_mem)' : 'dt*r/tau';
}

/** Reads neuron nodes of one file, with its step `dt` and reset choice; errors name the file and the node. */
export class NeuronReader {
  constructor(
    protected readonly file: string,
    protected readonly dt: number,
    protected readonly resetOverride: 'file' | 'subtract',
  ) {}

  fail(name: string, node: NirNode, message: string): never {
    throw new SnncError('model', `${this.file}: node '${name}' (${node.type}): ${message}`);
  }

  /** One value per neuron from a parameter that holds `count` values or a single broadcast value. */
  perNeuron(name: string, node: NirNode, param: string, a: NdArray, count: number): Float64Array {
    if (a.data.length === count) return a.data;
    if (a.data.length === 1) return new Float64Array(count).fill(a.data[0]!);
    return this.fail(name, node, `${param} has ${a.data.length} values for ${count} neurons`);
  }

  uniform(name: string, node: NirNode, param: string, values: Float64Array, what: string): number {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    if (lo !== hi) this.fail(name, node, `per-neuron ${param} (${lo} .. ${hi}) cannot be held by snnc's layer-wide ${what}`);
    return lo;
  }

  decayOf(name: string, node: NirNode, param: string, tau: Float64Array): number {
    const t = this.uniform(name, node, param, tau, 'decay');
    const decay = eulerDecay(t, this.dt);
    if (!(t > 0) || decay < 0) {
      this.fail(name, node, `${param} = ${t} is shorter than the step dt = ${this.dt} (decay 1 - dt/${param} = ${decay} < 0); pass the exporter's step with --dt (snnTorch writes dt = 1e-4)`);
    }
    const exact = node.metadata.get(DECAY_METADATA_KEY);
    if (exact === undefined || node.type === 'CubaLIF') return decay;
    if (typeof exact === 'string' || exact.length !== 1 || !(Math.abs(exact[0]! - decay) <= DECAY_METADATA_TOLERANCE)) {
      this.fail(name, node, `metadata ${DECAY_METADATA_KEY} = ${String(exact)} disagrees with 1 - dt/${param} = ${decay} (dt = ${this.dt}); was the file exported with another --dt?`);
    }
    return exact[0]!;
  }

  resetOf(name: string, node: NirNode & { vReset?: NdArray }, count: number, threshold: number): ResetMode {
    const vReset = node.vReset ? this.uniform(name, node, 'v_reset', this.perNeuron(name, node, 'v_reset', node.vReset, count), 'reset value') : 0;
    const recorded = node.metadata.get(RESET_METADATA_KEY);
    if (recorded !== undefined && recorded !== 'subtract' && recorded !== 'value') this.fail(name, node, `metadata reset "${String(recorded)}" is not "subtract" or "value"`);
    if (recorded === 'subtract' || (recorded === undefined && this.resetOverride === 'subtract')) {
      if (vReset !== 0) this.fail(name, node, `v_reset = ${vReset} conflicts with a subtract reset (v := v - v_threshold)`);
      if (threshold === 0) this.fail(name, node, 'a subtract reset needs a nonzero v_threshold');
      return { kind: 'subtract' };
    }
    return vReset === 0 ? { kind: 'zero' } : { kind: 'value', value: vReset };
  }

  threshold(name: string, node: NirNode, param: string, a: NdArray, count: number): number {
    const t = this.uniform(name, node, param, this.perNeuron(name, node, param, a, count), 'threshold');
    if (t < 0) this.fail(name, node, `${param} = ${t} is negative; snnc thresholds are >= 0`);
    return t;
  }

  /** The per-step neuron of a NIR neuron node with `count` inputs. */
  neuron(name: string, node: NirNode, count: number): Neuron {
    const per = (param: string, a: NdArray): Float64Array => this.perNeuron(name, node, param, a, count);
    const zeros = new Float64Array(count);
    switch (node.type) {
      case 'LIF':
      case 'LI': {
        const tau = per('tau', node.tau);
        const decay = this.decayOf(name, node, 'tau', tau);
        const r = per('r', node.r);
        const vLeak = per('v_leak', node.vLeak);
        const gain = r.map((ri, i) => leakyGain(ri, tau[i]!, this.dt));
        const bias = vLeak.map((v, i) => leakBias(v, tau[i]!, this.dt));
        if (node.type === 'LI') return { decay, gain, bias, threshold: 0, output: 'membrane', reset: { kind: 'none' } };
        const threshold = this.threshold(name, node, 'v_threshold', node.vThreshold, count);
        return { decay, gain, bias, threshold, output: 'binary', reset: this.resetOf(name, node, count, threshold) };
      }
      case 'IF':
      case 'I': {
        const gain = per('r', node.r).map((ri) => integratorGain(ri, this.dt));
        if (node.type === 'I') return { decay: 1, gain, bias: zeros, threshold: 0, output: 'membrane', reset: { kind: 'none' } };
        const threshold = this.threshold(name, node, 'v_threshold', node.vThreshold, count);
        return { decay: 1, gain, bias: zeros, threshold, output: 'binary', reset: this.resetOf(name, node, count, threshold) };
      }
      case 'Threshold': {
        const threshold = this.threshold(name, node, 'threshold', node.threshold, count);
        return { decay: 0, gain: new Float64Array(count).fill(1), bias: zeros, threshold, output: 'binary', reset: { kind: 'zero' } };
      }
      default:
        return this.fail(name, node, 'internal: not a neuron');
    }
  }
}
