/**
 * @fileoverview The refusal of recurrent synapses and synaptic currents (docs/ir.md "Recurrence and the synaptic
 * current") by a target that does not compute them yet: each target's check.ts calls it in one line, to be deleted
 * there when that target implements them (and this file with the last call).
 */
import { SnncError } from '../base/errors.ts';
import type { Program } from '../ir/program.ts';

/** Throws SnncError('unsupported') naming the first spiking layer with `recurrent` or `synaptic`. */
export function refuseRecurrence(program: Program, target: string): void {
  for (const op of program.layers) {
    if (op.kind !== 'spiking') continue;
    if (op.recurrent) throw new SnncError('unsupported', `spiking layer ${op.name}: recurrent weights are not supported by the ${target} target yet`);
    if (op.synaptic) throw new SnncError('unsupported', `spiking layer ${op.name}: the synaptic current is not supported by the ${target} target yet`);
  }
}
