/**
 * @fileoverview The energy estimate of one sample from its counted activity (runtime/activity.ts) and the per-operation
 * figures of runtime/energy-figures.ts. An estimate of the arithmetic and on-chip memory of the IR's integers, not a
 * measurement (docs/energy.md). Per layer, with b(.) the bits of a type:
 *
 *   synop (event)   add b(acc) + [b(in) > 1: mult b(weight) x b(in)] + weight read b(weight)      conv, dense synapse
 *                   add b(acc)                                                                    identity synapse
 *                   add b(in) + ceil(log2 kernel^2)                                                pool
 *                   recurrent synapse: the same, of its own accType, weightType and the output type as input
 *   synop (dense)   as event, with the multiply always (a dense engine multiplies zeros and ones too)
 *   update          spiking: [decay.mul not a power of 2: mult b(membrane) x b(decay.mul)] + add (acc) + add (bias)
 *                            + [fires at all: compare] + membrane read + membrane write, of b(membrane)
 *                   + synaptic current: [its decay.mul not a power of 2: mult] + add + current read + write, of b(current)
 *                   conv: add b(acc) (bias); pool: [avg, scale.mul not a power of 2: mult]
 *   fire            refractory reset: mult + add; subtract reset: add; excess output: add (u - threshold)
 *   event pJ = synops * synop + updates * update + fires * fire;  dense pJ = denseSynops * dense synop + the same rest
 *   ANN-equivalent: one pass of the conv and dense layers, denseSynops / T MACs, each a dense synop (int) or a 32-bit
 *   float multiply, add and 32-bit weight read (float32).
 */
import type { IrLayer, Program } from '../ir/program.ts';
import type { Activity } from './activity.ts';
import { addTerm, ENERGY_SOURCE, floatMacTerms, memoryTerm, multTerm, type Term } from './energy-figures.ts';

export interface Cost {
  readonly terms: readonly Term[];
  readonly pJ: number;
  /** The memory terms' part of pJ. */
  readonly memoryPj: number;
}

/** One layer, per sample (means over the images). */
export interface LayerEnergy {
  readonly name: string;
  readonly kind: IrLayer['kind'];
  readonly inputs: number;
  readonly units: number;
  readonly nonzeroInputs: number;
  readonly nonzeroOutputs: number;
  readonly fires: number;
  readonly synops: number;
  /** The part of synops (and of their reads) that the recurrent synapse does. */
  readonly recurrentSynops: number;
  readonly denseSynops: number;
  readonly updates: number;
  /** Widths of the weight and membrane memories (0: the layer has none). */
  readonly weightBits: number;
  readonly recurrentWeightBits: number;
  readonly membraneBits: number;
  /** Weight reads of the input synapse, then of the recurrent one. */
  readonly weightReads: number;
  readonly recurrentWeightReads: number;
  readonly denseWeightReads: number;
  /** Reads and, as many, writes of the membrane. */
  readonly membraneReads: number;
  readonly annMacs: number;
  readonly cost: {
    readonly synop: Cost; readonly denseSynop: Cost; readonly recurrentSynop: Cost; readonly denseRecurrentSynop: Cost; readonly update: Cost; readonly fire: Cost;
  };
  /** The event-driven energy by operation (they sum to eventPj), and the part of it spent on memory. */
  readonly synopPj: number;
  readonly updatePj: number;
  readonly firePj: number;
  readonly eventMemoryPj: number;
  readonly eventPj: number;
  readonly densePj: number;
  readonly annIntPj: number;
  readonly annFloatPj: number;
}

export interface EnergyEstimate {
  readonly source: string;
  readonly program: string;
  readonly images: number;
  readonly timesteps: number;
  readonly layers: readonly LayerEnergy[];
  /** Sums over the layers of every per-sample count and energy. */
  readonly total: Omit<LayerEnergy, 'name' | 'kind' | 'cost' | 'weightBits' | 'recurrentWeightBits' | 'membraneBits' | 'inputs' | 'units'>;
  /** Memory reads per sample by width (weights and membranes; membrane writes not included). */
  readonly readsByWidth: readonly { readonly bits: number; readonly reads: number }[];
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;
const bitsOf = (n: number): number => Math.max(1, Math.ceil(Math.log2(Math.abs(n) + 1)));
const cost = (terms: Term[]): Cost => ({ terms, pJ: terms.reduce((s, t) => s + t.pJ, 0), memoryPj: terms.reduce((s, t) => s + (t.memory ? t.pJ : 0), 0) });

function weightArrayBytes(op: IrLayer): number {
  return op.kind === 'pool' || (op.kind === 'spiking' && op.synapse === 'identity') ? 0 : Math.ceil((op.weights.length * op.weightType.bits) / 8);
}

function synopTerms(op: IrLayer, dense: boolean): Term[] {
  if (op.kind === 'pool') return [addTerm(op.inType.bits + Math.ceil(Math.log2(op.kernel * op.kernel)))];
  if (op.kind === 'spiking' && op.synapse === 'identity') return [addTerm(op.accType.bits)];
  const w = op.weightType.bits;
  const multiply = dense || op.inType.bits > 1 ? [multTerm(w, op.inType.bits)] : [];
  return [addTerm(op.accType.bits), ...multiply, memoryTerm(w, weightArrayBytes(op), 'weight read')];
}

/** A recurrent synop: one weight of [units, units] times one previous output, into its own accumulator. */
function recurrentSynopTerms(op: IrLayer, dense: boolean): Term[] {
  if (op.kind !== 'spiking' || !op.recurrent) return [];
  const rec = op.recurrent;
  const w = rec.weightType.bits;
  const multiply = dense || op.output.type.bits > 1 ? [multTerm(w, op.output.type.bits)] : [];
  return [addTerm(rec.accType.bits), ...multiply, memoryTerm(w, Math.ceil((rec.weights.length * w) / 8), 'recurrent weight read')];
}

/** The synaptic current's part of an update: its leak, the add of in_j (and of its bias, if any), and its memory. */
function currentTerms(op: IrLayer): Term[] {
  if (op.kind !== 'spiking' || !op.synaptic) return [];
  const { decay, type } = op.synaptic;
  const bytes = Math.ceil((op.units * type.bits) / 8);
  return [
    ...(isPowerOfTwo(decay.mul) ? [] : [multTerm(type.bits, bitsOf(decay.mul), 'current decay mult')]),
    addTerm(type.bits, 'current add'),
    ...(op.synaptic.bias ? [addTerm(type.bits, 'current bias add')] : []),
    memoryTerm(type.bits, bytes, 'current read'),
    memoryTerm(type.bits, bytes, 'current write'),
  ];
}

function updateTerms(op: IrLayer): Term[] {
  if (op.kind === 'conv') return [addTerm(op.accType.bits, 'bias add')];
  if (op.kind === 'pool') return op.mode === 'avg' && !isPowerOfTwo(op.scale.mul) ? [multTerm(op.outType.bits, bitsOf(op.scale.mul), 'scale mult')] : [];
  const m = op.membraneType.bits;
  const membrane = Math.ceil((op.units * m) / 8);
  return [
    ...(isPowerOfTwo(op.decay.mul) ? [] : [multTerm(m, bitsOf(op.decay.mul), 'decay mult')]),
    addTerm(m, 'acc add'),
    addTerm(m, 'bias add'),
    ...(op.output.kind === 'membrane' ? [] : [addTerm(m, 'compare')]),
    memoryTerm(m, membrane, 'membrane read'),
    memoryTerm(m, membrane, 'membrane write'),
    ...currentTerms(op),
  ];
}

function fireTerms(op: IrLayer): Term[] {
  if (op.kind !== 'spiking') return [];
  const m = op.membraneType.bits;
  const reset = op.reset.kind === 'refractory' ? [multTerm(m, bitsOf(op.reset.mul), 'reset mult'), addTerm(m, 'reset sub')] : op.reset.kind === 'subtract' ? [addTerm(m, 'reset sub')] : [];
  return [...reset, ...(op.output.kind === 'excess' ? [addTerm(m, 'excess sub')] : [])];
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function layerEnergy(op: IrLayer, a: Activity['layers'][number], images: number, T: number): LayerEnergy {
  const mean = (n: number): number => n / images;
  const c = {
    synop: cost(synopTerms(op, false)), denseSynop: cost(synopTerms(op, true)),
    recurrentSynop: cost(recurrentSynopTerms(op, false)), denseRecurrentSynop: cost(recurrentSynopTerms(op, true)),
    update: cost(updateTerms(op)), fire: cost(fireTerms(op)),
  };
  const weighted = weightArrayBytes(op) > 0;
  const [synops, denseSynops, updates, fires] = [mean(a.synops), mean(a.denseSynops), mean(a.updates), mean(sum(a.fires))];
  // The input synapse's synops, and the recurrent synapse's (units * units per step, dense).
  const recurrentSynops = mean(a.recurrentSynops);
  const denseRecurrent = op.kind === 'spiking' && op.recurrent ? op.units * op.units * T : 0;
  const [inputSynops, denseInput] = [synops - recurrentSynops, denseSynops - denseRecurrent];
  const synopPj = inputSynops * c.synop.pJ + recurrentSynops * c.recurrentSynop.pJ;
  const denseSynopPj = denseInput * c.denseSynop.pJ + denseRecurrent * c.denseRecurrentSynop.pJ;
  const [updatePj, firePj] = [updates * c.update.pJ, fires * c.fire.pJ];
  // The feed-forward part only: one pass of an ANN has no recurrent synapse.
  const annMacs = weighted ? denseInput / T : 0;
  return {
    name: a.name,
    kind: a.kind,
    inputs: a.inputs,
    units: a.units,
    nonzeroInputs: mean(sum(a.nonzeroInputs)),
    nonzeroOutputs: mean(sum(a.nonzeroOutputs)),
    fires,
    synops,
    recurrentSynops,
    denseSynops,
    updates,
    weightBits: weighted && op.kind !== 'pool' ? op.weightType.bits : 0,
    recurrentWeightBits: op.kind === 'spiking' && op.recurrent ? op.recurrent.weightType.bits : 0,
    membraneBits: op.kind === 'spiking' ? op.membraneType.bits : 0,
    weightReads: weighted ? inputSynops : 0,
    recurrentWeightReads: recurrentSynops,
    denseWeightReads: (weighted ? denseInput : 0) + denseRecurrent,
    membraneReads: op.kind === 'spiking' ? updates : 0,
    annMacs,
    cost: c,
    synopPj,
    updatePj,
    firePj,
    eventMemoryPj: inputSynops * c.synop.memoryPj + recurrentSynops * c.recurrentSynop.memoryPj + updates * c.update.memoryPj,
    eventPj: synopPj + updatePj + firePj,
    densePj: denseSynopPj + updatePj + firePj,
    annIntPj: annMacs * c.denseSynop.pJ,
    annFloatPj: weighted ? annMacs * cost(floatMacTerms(4 * (op as { weights: readonly number[] }).weights.length)).pJ : 0,
  };
}

/** The estimate per sample, from activity counted on `program`. */
export function estimateEnergy(program: Program, activity: Activity): EnergyEstimate {
  if (activity.images === 0) throw new RangeError('estimateEnergy: no images counted');
  const layers = program.layers.map((op, l) => layerEnergy(op, activity.layers[l]!, activity.images, program.timesteps));
  const keys = ['nonzeroInputs', 'nonzeroOutputs', 'fires', 'synops', 'recurrentSynops', 'denseSynops', 'updates', 'weightReads', 'recurrentWeightReads', 'denseWeightReads', 'membraneReads', 'annMacs', 'synopPj', 'updatePj', 'firePj', 'eventMemoryPj', 'eventPj', 'densePj', 'annIntPj', 'annFloatPj'] as const;
  const total = Object.fromEntries(keys.map((k) => [k, sum(layers.map((l) => l[k]))])) as EnergyEstimate['total'];
  const widths = new Map<number, number>();
  const addReads = (bits: number, reads: number): void => void (bits > 0 && reads > 0 && widths.set(bits, (widths.get(bits) ?? 0) + reads));
  for (const l of layers) {
    addReads(l.weightBits, l.weightReads);
    addReads(l.recurrentWeightBits, l.recurrentWeightReads);
    addReads(l.membraneBits, l.membraneReads);
  }
  const readsByWidth = [...widths].sort((a, b) => a[0] - b[0]).map(([bits, reads]) => ({ bits, reads }));
  return { source: ENERGY_SOURCE, program: program.name, images: activity.images, timesteps: program.timesteps, layers, total, readsByWidth };
}
