/** @fileoverview The plan in words, one line per stage: the README's plan section and the target's text golden. */
import { formatType } from '../../ir/int-type.ts';
import type { DenseGeometry, LayerPlan, WasmPlan } from './plan.ts';

const LANES: Readonly<Record<DenseGeometry['width'], string>> = {
  pair16: 'i32x4 lanes, two events per i32x4.dot_i16x8_s',
  i32: 'i32x4 lanes, i32x4.mul',
  i64: 'i64x2 lanes, i64x2.mul',
};

function describeLayer(l: LayerPlan): string {
  const sends = l.out.list ? `, sends events (rows of ${l.out.list.rowBytes} bytes)` : '';
  switch (l.kind) {
    case 'conv':
      return `${l.op.name}: conv ${l.op.inShape.join('x')} -> ${l.op.outShape.join('x')}, gather in i64${sends}`;
    case 'pool':
      return `${l.op.name}: pool ${l.op.inShape.join('x')} -> ${l.op.outShape.join('x')}, scale ${l.scale.mul}/2^${l.scale.shift}, gather in i64${sends}`;
    default: {
      const d = l.dense;
      const synapse = d
        ? `dense ${l.op.inputs}->${l.op.units}, ${LANES[d.width]}, weights ${d.width === 'i64' ? 'i32' : 'i16'} [${l.op.inputs}][${d.paddedUnits}]${d.binaryInput ? ', binary input (no multiply)' : ''}`
        : `identity ${l.op.units}`;
      const clamp = l.clampLo === null && l.clampHi === null ? 'membrane clamp never triggers' : `membrane clamp ${formatType(l.op.membraneType)}`;
      const recurrent = l.recurrent ? `; recurrent [${l.op.units}][${l.recurrent.rowBytes / 4}] i32 from its outputs of step t-1, i64x2 lanes` : '';
      const current = l.current && l.op.synaptic ? `; synaptic current ${formatType(l.op.synaptic.type)}, decay ${l.current.decay.mul}/2^${l.current.decay.shift}` : '';
      const update = l.vector ? `update in i32x4 lanes (decay ${l.vector.decay.mode}${l.vector.reset ? `, reset ${l.vector.reset.mode}` : ''})` : 'update per unit in i64';
      return `${l.op.name}: spiking ${synapse}${recurrent}${current}; ${update}; ${clamp}; decay ${l.decay.mul}/2^${l.decay.shift}; ${l.op.output.kind}, reset ${l.op.reset.kind}, delay ${l.op.delay}${sends}`;
    }
  }
}

export function describePlan(plan: WasmPlan): string[] {
  const enc = plan.encoder;
  const over = plan.frames
    ? `frame t of ${plan.program.timesteps} frames of ${plan.pixels} counts (padded to ${plan.frames.stride}), read 16 at a time`
    : `${plan.pixels} pixels`;
  return [
    `memory: ${plan.pages} pages; state ${plan.stateBytes} bytes zeroed per inference`,
    `encoder: ${enc.kind}${enc.kind === 'jitter' ? ` (xorshift32, ${enc.jitterBits} bits)` : ''} over ${over}${enc.out.list ? ', sends events' : ''}${enc.out.dense !== undefined ? ', dense' : ''}${plan.prefetch ? '; step t+1 drawn during the first pass of step t' : ''}`,
    ...plan.layers.map(describeLayer),
    `readout: ${plan.program.readout.source} from t=${plan.program.readout.begin}, i64 scores`,
  ];
}
