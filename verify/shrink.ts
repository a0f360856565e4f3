/**
 * @fileoverview Shrinks a failing differential case: fewer timesteps, fewer units, zeroed weights and pixels, for as
 * long as the target still disagrees with the golden runtime. The result is small enough to read.
 */
import type { IrLayer, Program } from '../ir/program.ts';
import type { SpikingOp } from '../ir/spiking.ts';
import { validateProgram } from '../ir/validate.ts';

export interface FailingCase {
  readonly program: Program;
  readonly pixels: Uint8Array;
  readonly seed: number;
}

/** Drops unit j of dense spiking layer l, and the matching input column of the next (dense spiking) layer. */
function dropUnit(program: Program, l: number, j: number): Program | undefined {
  const op = program.layers[l];
  const next = program.layers[l + 1];
  if (op?.kind !== 'spiking' || op.synapse !== 'dense' || op.units <= 1 || next?.kind !== 'spiking' || next.synapse !== 'dense') return undefined;
  const pick = <T>(xs: readonly T[]): T[] => xs.filter((_, k) => k !== j);
  const rec = op.recurrent;
  // A recurrent synapse loses unit j's row (its input) and column (its output).
  const recurrent = rec && { ...rec, weights: rec.weights.filter((_, k) => Math.floor(k / op.units) !== j && k % op.units !== j), weightFrac: pick(rec.weightFrac), accShift: pick(rec.accShift) };
  const syn = op.synaptic;
  const synaptic = syn && (syn.bias ? { ...syn, bias: pick(syn.bias) } : syn);
  const shrunk: SpikingOp = {
    ...op, units: op.units - 1, weights: op.weights.filter((_, k) => Math.floor(k / op.inputs) !== j), weightFrac: pick(op.weightFrac), accShift: pick(op.accShift), bias: pick(op.bias),
    ...(recurrent ? { recurrent } : {}), ...(synaptic ? { synaptic } : {}),
  };
  const following: SpikingOp = { ...next, inputs: next.inputs - 1, weights: next.weights.filter((_, k) => k % next.inputs !== j) };
  const layers: IrLayer[] = program.layers.map((x, k) => (k === l ? shrunk : k === l + 1 ? following : x));
  return { ...program, layers };
}

function zeroWeights(program: Program, l: number, from: number, to: number): Program {
  const layers = program.layers.map((op, k) => (k !== l || op.kind === 'pool' ? op : { ...op, weights: op.weights.map((w, i) => (i >= from && i < to ? 0 : w)) }));
  return { ...program, layers } as Program;
}

/** Spiking layer l without its recurrent synapse, its synaptic current, or only that current's bias. */
function withoutPart(program: Program, l: number, part: 'recurrent' | 'synaptic' | 'currentBias'): Program {
  const layers = program.layers.map((op, k) => {
    if (k !== l || op.kind !== 'spiking') return op;
    if (part === 'currentBias') {
      const { bias: _dropped, ...synaptic } = op.synaptic!;
      return { ...op, synaptic };
    }
    const { [part]: _dropped, ...rest } = op;
    return rest;
  });
  return { ...program, layers };
}

function candidates(c: FailingCase): FailingCase[] {
  const out: FailingCase[] = [];
  const p = c.program;
  if (p.timesteps > 1 && p.readout.begin < p.timesteps - 1) out.push({ ...c, program: { ...p, timesteps: p.timesteps - 1 } });
  if (p.readout.begin > 0) out.push({ ...c, program: { ...p, readout: { ...p.readout, begin: 0 } } });
  p.layers.forEach((op, l) => {
    if (op.kind === 'spiking') for (const part of ['recurrent', 'synaptic'] as const) if (op[part]) out.push({ ...c, program: withoutPart(p, l, part) });
    if (op.kind === 'spiking' && op.synaptic?.bias) out.push({ ...c, program: withoutPart(p, l, 'currentBias') });
    if (op.kind === 'spiking') for (let j = op.units - 1; j >= 0; j--) {
      const d = dropUnit(p, l, j);
      if (d) out.push({ ...c, program: d });
    }
    if (op.kind === 'pool') return;
    const n = op.weights.length;
    for (let size = n; size >= 1; size = Math.floor(size / 2)) for (let from = 0; from < n; from += size) if (op.weights.slice(from, from + size).some((w) => w !== 0)) out.push({ ...c, program: zeroWeights(p, l, from, from + size) });
  });
  for (let i = 0; i < c.pixels.length; i++) if (c.pixels[i] !== 0) out.push({ ...c, pixels: c.pixels.map((v, k) => (k === i ? 0 : v)) });
  return out;
}

/** Greedy shrinking: take the first smaller case that still fails, until none does or the budget runs out. */
export async function shrink(c: FailingCase, stillFails: (c: FailingCase) => Promise<boolean>, budget = 400): Promise<FailingCase> {
  let current = c;
  let tries = 0;
  for (let progress = true; progress && tries < budget; ) {
    progress = false;
    for (const next of candidates(current)) {
      if (++tries > budget) break;
      try {
        validateProgram(next.program);
      } catch {
        continue;
      }
      if (await stillFails(next)) {
        current = next;
        progress = true;
        break;
      }
    }
  }
  return current;
}
