/**
 * @fileoverview What the ts target refuses, from its own limits only: the emitted model computes in doubles, so every
 * intermediate (read from the program's bounds, ir/bounds.ts) must be an integer a double holds exactly, and the
 * readout sums a spiking last layer. A valid program (validateProgram) is assumed; nothing here re-validates it.
 */
import { SnncError } from '../../base/errors.ts';
import { programBounds } from '../../ir/bounds.ts';
import { maxOf } from '../../ir/int-type.ts';
import { foldFactor, hull, type Interval } from '../../ir/interval.ts';
import type { Program } from '../../ir/program.ts';
import type { OptionsToCheck, TargetLimits } from '../target.ts';
import { spikingTerms } from './plan-recurrence.ts';
import { SAFE, within } from './ranges.ts';

/** The ts target's limits as data: doubles hold integers exactly below 2^53. */
export const LIMITS: TargetLimits = { exactBits: 53 };

/** The ts target reads no emit option that could be out of range. */
export function checkOptions(_options: OptionsToCheck): void {}

function requireSafe(r: Interval, what: string): void {
  if (!within(r, SAFE)) throw new SnncError('unsupported', `${what} can reach ${Math.max(-r.min, r.max)}, beyond 2^53: not exact in a double`);
}

/** Throws SnncError('unsupported') naming the first intermediate the emitted model could not compute exactly. */
export function checkProgram(program: Program): void {
  const bounds = programBounds(program);
  program.layers.forEach((op, l) => {
    const at = bounds.layers[l]!;
    const where = `layer ${op.name}`;
    if (op.kind === 'conv' && at.kind === 'conv') requireSafe(hull(at.acc), `${where} accumulator`);
    if (op.kind === 'pool' && at.kind === 'pool') {
      requireSafe(at.window, `${where} window sum`);
      const mul = foldFactor(op.scale).mul;
      requireSafe({ min: at.window.min * mul, max: at.window.max * mul }, `${where} scaled window sum`);
    }
    if (op.kind === 'spiking' && at.kind === 'spiking') {
      requireSafe(hull(at.drive), `${where} accumulator`);
      requireSafe(at.preClamp, `${where} membrane update`);
      const decay = foldFactor(op.decay);
      requireSafe({ min: at.state.min * decay.mul, max: at.state.max * decay.mul }, `${where} decay product`);
      const terms = spikingTerms(op, at);
      if (terms.recurrent) requireSafe(terms.recurrent.range, `${where} recurrent sum`);
      if (terms.current) {
        const { range, decay: f } = terms.current;
        requireSafe({ min: range.min * f.mul, max: range.max * f.mul }, `${where} synaptic decay product`);
        requireSafe(terms.current.preClamp, `${where} synaptic current`);
      }
      requireSafe(terms.partialSums, `${where} membrane update`);
      if (op.reset.kind === 'refractory') requireSafe({ min: 0, max: maxOf(op.membraneType) * op.reset.mul }, `${where} reset product`);
    }
  });
  const last = program.layers[program.layers.length - 1];
  if (last?.kind !== 'spiking') throw new SnncError('unsupported', 'the last layer must be spiking: the readout sums its visible values');
  requireSafe(bounds.score, 'the score');
}
