/**
 * @fileoverview Pass: choose fraction bits. Weights fill `weightBits` per layer or per output channel; a spiking
 * membrane keeps the accumulator's full precision (frac = max weight frac + input frac) so integration is exact;
 * activations (conv outputs, excess outputs) fill `activationBits` over the calibrated range.
 */
import { SnncError } from '../errors.ts';
import { signedBitsFor } from '../ir/int-type.ts';
import { fracFor, INPUT_FRAC, MAX_MEMBRANE_BITS, MAX_SHIFT, MIN_FRAC } from './formats-policy.ts';
import type { LayerFormats, Pass } from './state.ts';

function maxAbsRows(data: Float32Array, rows: number): number[] {
  const cols = data.length / rows;
  return Array.from({ length: rows }, (_, r) => {
    let m = 0;
    for (let c = 0; c < cols; c++) m = Math.max(m, Math.abs(data[r * cols + c]!));
    return m;
  });
}

export const chooseFormats: Pass = {
  name: 'choose-formats',
  run(state) {
    const { model, options, ranges } = state;
    if (!ranges) throw new SnncError('ir', 'choose-formats needs calibrate to run first');
    const wMax = 2 ** (options.weightBits - 1) - 1;
    const aSignedMax = 2 ** (options.activationBits - 1) - 1;
    const aUnsignedMax = 2 ** options.activationBits - 1;
    let inFrac = INPUT_FRAC;
    const formats: LayerFormats[] = model.layers.map((layer, l) => {
      const rows = layer.kind === 'conv' ? layer.filters : layer.units;
      const rowMax = maxAbsRows(layer.weights.data, rows);
      const layerFrac = fracFor(Math.max(...rowMax), wMax);
      // Channels may differ by at most MAX_SHIFT fraction bits, so every alignment shift is a legal IR shift.
      const coarsest = Math.min(...rowMax.map((m) => (m > 0 ? fracFor(m, wMax) : layerFrac)));
      const weightFrac = options.granularity === 'channel' ? rowMax.map((m) => Math.min(m > 0 ? fracFor(m, wMax) : layerFrac, coarsest + MAX_SHIFT)) : rowMax.map(() => layerFrac);
      let accFrac = Math.max(...weightFrac) + inFrac;
      const range = ranges[l]!;
      if (layer.kind === 'spiking') {
        // Keep 2 bits of headroom over the calibrated membrane inside 32 bits; drop weight precision if needed.
        let biasMax = 0;
        for (const b of layer.bias.data) biasMax = Math.max(biasMax, Math.abs(b));
        const peak = Math.max(range.maxMembrane, layer.threshold, biasMax) * 4;
        if (!Number.isFinite(peak) || peak > 2 ** MAX_MEMBRANE_BITS) {
          throw new SnncError('unsupported', `layer ${layer.name}: its membrane reaches ${(peak / 4).toPrecision(4)} on calibration data, beyond what a ${MAX_MEMBRANE_BITS}-bit membrane can hold`);
        }
        const excess = signedBitsFor(peak * 2 ** accFrac) - MAX_MEMBRANE_BITS;
        if (excess > 0) {
          if (Math.min(...weightFrac) - excess < MIN_FRAC) {
            throw new SnncError('unsupported', `layer ${layer.name}: its weights (max |w| ${Math.max(...rowMax).toPrecision(4)}) and membrane range (${(peak / 4).toPrecision(4)}) do not fit one ${MAX_MEMBRANE_BITS}-bit format`);
          }
          for (let j = 0; j < weightFrac.length; j++) weightFrac[j] = weightFrac[j]! - excess;
          accFrac -= excess;
        }
      }
      let f: LayerFormats;
      if (layer.kind === 'conv') {
        // The output may not keep more fraction bits than the least precise filter's accumulator has.
        const outFrac = Math.min(fracFor(range.maxOutput, aSignedMax), Math.min(...weightFrac) + inFrac);
        f = { inFrac, weightFrac, stateFrac: outFrac, outFrac };
      } else {
        const fallback = layer.threshold > 0 ? layer.threshold : 1;
        const outFrac = layer.output === 'binary' ? 0 : Math.min(accFrac, fracFor(range.maxOutput > 0 ? range.maxOutput : fallback, aUnsignedMax));
        f = { inFrac, weightFrac, stateFrac: accFrac, outFrac };
      }
      inFrac = f.outFrac;
      return f;
    });
    return { ...state, formats };
  },
};
