/**
 * @fileoverview A spiking layer's currents in one timestep (docs/ir.md, "Recurrence and the synaptic current"): the
 * recurrent current rec = W_rec r from the layer's own output of the previous step, added to the input's drive into
 * in_j, and the synaptic current c = clamp(scaleBy(c, decay) + in (+ synaptic.bias), type), a loop-carried state. Exact float64 as the
 * rest of the step (int-math.ts); the product W_rec r runs as plan.ts proved exact (exact-matmul.ts).
 */
import type { SpikingOp } from '../../ir/spiking.ts';
import { denseProduct, type DenseProduct, type MatMulType } from './exact-matmul.ts';
import type { GraphBuilder } from './graph-builder.ts';
import { clamp, scaleBy, shiftLeft } from './int-math.ts';
import type { CarriedState } from './step.ts';

/** A carried [N, units] float64 state of the layer, zeros before timestep 0 (spiking-graph.ts makes them). */
export type LayerState = (key: string, doc: string) => CarriedState;

export interface LayerCurrents {
  /** The carried states the currents add: c (synaptic), r (recurrent with delay 0; with delay 1, r is pending_o). */
  readonly states: readonly CarriedState[];
  /** Whether the membrane adds the bias after the currents (synaptic: c comes between the drive and the bias). */
  readonly biasAfter: boolean;
  /**
   * What u adds to the decayed v, from the step's drive (acc << accShift, with the bias unless biasAfter): in_j, or c_j
   * plus the bias; and the next c.
   */
  fed(body: GraphBuilder, drive: string, current: (key: string) => string): { fed: string; next: Record<string, string> };
  /** The next r from this step's output o (nothing to carry with delay 1: pending_o is r). */
  carry(o: string): Record<string, string>;
}

export function layerCurrents(g: GraphBuilder, op: SpikingOp, recurrentType: MatMulType | undefined, bias: string, state: LayerState): LayerCurrents {
  const rec = op.recurrent;
  const syn = op.synaptic;
  const rKey = `${op.name}/${op.delay === 1 ? 'pending_o' : 'r'}`;
  const states: CarriedState[] = [];
  if (syn) states.push(state('c', 'synaptic current c left by the previous timestep'));
  if (rec && op.delay === 0) states.push(state('r', 'recurrent: the output o of the previous timestep'));
  let product: DenseProduct | undefined;
  if (rec) {
    if (!recurrentType) throw new Error(`${op.name}: a recurrent synapse needs its MatMul type from plan.ts`);
    product = denseProduct(g, `${op.name}/recurrent_weights_T`, rec.weights, op.units, op.units, recurrentType, `[units, units] = [${op.units}, ${op.units}] (transposed), ${rec.weightType.bits}-bit`);
  }
  const currentBias = syn?.bias ? g.initializer(`${op.name}/synaptic_bias`, 'double', [op.units], syn.bias, 'per unit, the synaptic current\'s bias, in membrane units') : undefined;
  return {
    states,
    biasAfter: syn !== undefined,
    fed: (body, drive, current) => {
      let input = drive;
      if (rec && product) {
        const sum = product(body, current(rKey), { x: 'r', product: 'rec', what: 'sum_k recurrent.weights[j,k] * r_k' });
        const aligned = shiftLeft(body, sum, rec.accShift, 'rec_shifted', `${op.name}/2^recurrent.accShift`, { rank: 2, channelAxis: 1 });
        const doc = syn ? 'in = (acc << accShift) + (rec << recurrent.accShift)' : '(acc << accShift) + bias + (rec << recurrent.accShift): in plus the bias';
        input = body.op('Add', [drive, aligned], { name: 'in', doc });
      }
      if (!syn) return { fed: input, next: {} };
      const decayed = scaleBy(body, current(`${op.name}/c`), syn.decay, 'c_decay');
      const fedCurrent = currentBias ? body.op('Add', [input, currentBias], { name: 'in_plus_current_bias', doc: 'in + synaptic.bias' }) : input;
      const c = clamp(body, body.op('Add', [decayed, fedCurrent], { name: 'c_unclamped', doc: `scaleBy(c, synaptic.decay) + in${currentBias ? ' + synaptic.bias' : ''}` }), syn.type, 'c');
      return { fed: body.op('Add', [c, bias], { name: 'c_plus_bias' }), next: { [`${op.name}/c`]: c } };
    },
    carry: (o) => (rec && op.delay === 0 ? { [rKey]: o } : {}),
  };
}
