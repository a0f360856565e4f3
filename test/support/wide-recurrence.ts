/**
 * @fileoverview Random recurrent and synaptic programs widened past 32 bits, for the targets' wide arithmetic paths:
 * recurrent sums shifted by 16..18 bits (beyond int32 once the outputs are large), 32-bit currents and membranes.
 */
import { intType } from '../../ir/int-type.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import { randomProgram } from '../../ir/random-program.ts';
import { validateProgram } from '../../ir/validate.ts';
import type { SpikingOp } from '../../ir/spiking.ts';

function widenLayer(op: SpikingOp): SpikingOp {
  const membraneType = intType(true, 32, op.membraneType.frac);
  const rec = op.recurrent;
  const accShift = rec?.accShift.map((_, j) => Math.min(16 + (j % 3), 48 - rec.accType.bits));
  return {
    ...op, membraneType,
    ...(rec && accShift ? { recurrent: { ...rec, accShift, weightFrac: accShift.map((s) => membraneType.frac - op.output.type.frac - s) } } : {}),
    ...(op.synaptic ? { synaptic: { ...op.synaptic, type: intType(true, 32, membraneType.frac) } } : {}),
  };
}

/** Dense programs of seeds `first`.., each with recurrence and currents ('both'), widened and validated. */
export function wideRecurrentPrograms(first: number, count: number): Program[] {
  return Array.from({ length: count }, (_, k) => {
    const program = randomProgram(first + k, { conv: false, recurrence: 'both', output: 'excess', timesteps: 6 });
    const layers = program.layers.map((op): IrLayer => (op.kind === 'spiking' ? widenLayer(op) : op));
    const last = layers[layers.length - 1] as SpikingOp;
    return validateProgram({
      ...program, name: `${program.name}-wide-recurrence`, layers,
      readout: { ...program.readout, scoreType: intType(true, 48, last.membraneType.frac) },
    });
  });
}
