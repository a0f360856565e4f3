/**
 * @fileoverview Adds recurrent synapses and synaptic currents to a random program (RandomProgramOptions.recurrence).
 * It draws from its own stream, after the program is made, so the layers it starts from are those of the same seed
 * without the option. Weights include the extremes, so recurrent sums and currents also saturate. Half the synaptic
 * currents get a bias, drawn from a third stream so the other draws of a seed stay as they were.
 */
import { intType, maxOf, minOf, signedBitsFor, type IntType } from './int-type.ts';
import { makeRandom } from './mulberry32.ts';
import type { IrLayer, Program } from './program.ts';
import type { RandomProgramOptions } from './random-base.ts';
import type { RecurrentSynapse, SpikingOp, SynapticCurrent } from './spiking.ts';

const RECURRENCE_SEED_SALT = 0x68e31da4;
const CURRENT_BIAS_SALT = 0x2b7c4e91;

type Feature = 'recurrent' | 'synaptic';

function maxAbs(t: IntType): number {
  return Math.max(maxOf(t), -minOf(t));
}

export function withRecurrence(program: Program, seed: number, recurrence: NonNullable<RandomProgramOptions['recurrence']>): Program {
  const rand = makeRandom(seed ^ RECURRENCE_SEED_SALT);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;

  const recurrent = (op: SpikingOp): RecurrentSynapse => {
    const weightType = intType(true, int(2, 16), 0);
    const wMax = maxOf(weightType);
    const weights = Array.from({ length: op.units * op.units }, () => (rand() < 0.15 ? pick([wMax, -wMax - 1, 0]) : int(-wMax - 1, wMax)));
    const accShift = Array.from({ length: op.units }, () => int(0, 3));
    // weightFrac[j] + output frac + accShift[j] = membrane frac: the weights' meaning follows from the shift.
    const weightFrac = accShift.map((s) => op.membraneType.frac - op.output.type.frac - s);
    let bound = 0;
    for (let j = 0; j < op.units; j++) {
      let row = 0;
      for (let k = 0; k < op.units; k++) row += Math.abs(weights[j * op.units + k]!) * maxAbs(op.output.type);
      bound = Math.max(bound, row);
    }
    return { weights, weightType, weightFrac, accType: intType(true, Math.max(2, signedBitsFor(bound)) + int(0, 2), op.membraneType.frac), accShift };
  };

  const biasRand = makeRandom(seed ^ CURRENT_BIAS_SALT);
  // Mostly within a sixteenth of the type (so the current still moves), sometimes at its extremes.
  const currentBias = (units: number, type: IntType): number[] | undefined => {
    if (biasRand() < 0.5) return undefined;
    const [lo, hi] = [minOf(type), maxOf(type)];
    const near = Math.max(1, Math.floor(hi / 16));
    return Array.from({ length: units }, () => (biasRand() < 0.1 ? (biasRand() < 0.5 ? lo : hi) : Math.floor(biasRand() * (2 * near + 1)) - near));
  };
  const synaptic = (op: SpikingOp): SynapticCurrent => {
    const decay = pick([{ mul: 0, shift: 16 }, { mul: 65536, shift: 16 }, { mul: int(0, 65536), shift: 16 }, { mul: int(0, 255), shift: 8 }]);
    const type = intType(true, int(8, 32), op.membraneType.frac);
    const bias = currentBias(op.units, type);
    return { decay, type, ...(bias ? { bias } : {}) };
  };

  const layers: IrLayer[] = [...program.layers];
  const spiking = layers.flatMap((op, l) => (op.kind === 'spiking' ? [l] : []));
  const features: Feature[] = recurrence === 'both' ? ['recurrent', 'synaptic'] : [recurrence];
  for (const feature of features) {
    const chosen = spiking.filter(() => rand() < 0.5);
    if (chosen.length === 0) chosen.push(pick(spiking));
    for (const l of chosen) {
      const op = layers[l] as SpikingOp;
      layers[l] = feature === 'recurrent' ? { ...op, recurrent: recurrent(op) } : { ...op, synaptic: synaptic(op) };
    }
  }
  return { ...program, layers };
}
