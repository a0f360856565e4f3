/**
 * @fileoverview Builder of a spiking layer's recurrent synapse and synaptic current (docs/ir.md "Recurrence and the
 * synaptic current"). Before the update, rec_j = sum_k W[j,k] * o_k(t-1) in i64x2 lanes, event-driven: only units
 * whose o of step t-1 (still at oAt) is nonzero add their row. In the update, per unit in i64:
 *   in = drive + (rec << recurrent.accShift)
 *   c  = clamp(scaleBy(c, synaptic.decay) + in + synaptic.bias, synaptic.type);   u = scaleBy(v, decay) + c + bias
 *   or, without a current:                                            u = scaleBy(v, decay) + in (drive holds the bias)
 */
import type { SpikingPlan } from './plan.ts';
import { plusBias, plusUnitValue, scaledState, shiftByUnit } from './build-terms.ts';
import { clampLocal64, forRange, get, i32, ifThen, load, op, set, store, type Code, type Locals } from './wasm-data.ts';

/** rec_j for every unit into recurrent.accAt, from this layer's outputs of step t-1. */
export function accumulateRecurrent(plan: SpikingPlan, locals: Locals): Code {
  const rec = plan.recurrent!;
  for (const name of ['rk', 'ro', 'rb', 'rj']) locals.add(name, 'i32');
  locals.add('rx', 'v128');
  // Accumulator bytes are twice the weight bytes (i64 per unit against i32).
  const acc = op('i32.shl', get('rj'), i32(1));
  return [
    ...op('memory.fill', i32(rec.accAt), i32(0), i32(2 * rec.rowBytes)),
    ...forRange('rk', i32(0), i32(plan.op.units), 1, [
      ...set('ro', load('i32.load', op('i32.shl', get('rk'), i32(2)), plan.oAt)),
      ...ifThen(get('ro'), [
        ...set('rx', op('i64x2.splat', op('i64.extend_i32_s', get('ro')))),
        ...set('rb', op('i32.mul', get('rk'), i32(rec.rowBytes))),
        ...forRange('rj', i32(0), i32(rec.rowBytes), 8, store('v128.store', acc,
          op('i64x2.add', load('v128.load', acc, rec.accAt), op('i64x2.mul', load('v128.load32x2_s', op('i32.add', get('rb'), get('rj')), rec.weightsAt), get('rx'))),
          rec.accAt)),
      ]),
    ]),
  ];
}

/** u before its clamp, from scaleBy(v, decay) and the drive (without the bias when a current takes it). */
export function membraneInput(plan: SpikingPlan, locals: Locals, decayed: Code, drive: Code): Code {
  const rec = plan.recurrent;
  const input = rec ? op('i64.add', drive, shiftByUnit(load('i64.load', op('i32.shl', get('j'), i32(3)), rec.accAt), rec.accShift)) : drive;
  const current = plan.current;
  if (!current) return op('i64.add', decayed, input);
  locals.add('cur', 'i64');
  return [
    ...set('cur', plusUnitValue(op('i64.add', scaledState(current.cAt, current.decay), input), current.bias)),
    ...clampLocal64('cur', current.lo, current.hi),
    ...store('i64.store', op('i32.shl', get('j'), i32(3)), get('cur'), current.cAt),
    ...plusBias(plan, op('i64.add', decayed, get('cur'))),
  ];
}
