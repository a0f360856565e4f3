/**
 * @fileoverview The layer ranges of `--calibration none`: instead of the largest values seen on data, the largest any
 * input can produce, from interval arithmetic on the (scale-folded) float model. Every input value lies in
 * [0, max sample * scale] (255 pixels, or 2^countBits - 1 events); then, with X the interval reaching a layer (always
 * holding 0) and every interval widened to hold 0:
 *   conv:     y_f in b_f + sum_i w_fi X                   pool: sum: k^2 X, avg: X
 *   spiking:  drive d_j in b_j + sum_i w_ji X (identity: b_j + X); over T steps, with D+ = max d, D- = min d:
 *             u_t <= decay * V_{t-1} + D+ with V = max(thr, reset(U)) after a possible spike (else U);
 *             u_t >= decay * L_{t-1} + D- with L = min(L, reset(U)) (a value or refractory reset may go below 0).
 *             A membrane output never fires: both sides integrate. A recurrent layer adds R r to D+ and D- at each
 *             step, r in the output interval of the steps before; a synaptic current C_t = d C_{t-1} + that drive
 *             (without the bias, which joins after it) replaces it. maxMembrane = max |u|; maxOutput: binary 1,
 *             excess max(u) - thr, membrane maxMembrane; the next layer's X: [0, 1], [0, max(u) - thr], [L, U].
 * The bounds are loose (every input at its worst at once): formats chosen from them hold every value any input gives
 * (up to the rounding of the weights), at the cost of precision on typical inputs.
 */
import { dotInterval, hull, magnitude, withZero, type Interval } from '../../ir/interval.ts';
import type { ConvLayer, PoolLayer, SnnModel, SpikingLayer } from '../../model/format.ts';
import { resetFloat } from '../../runtime/float-reference.ts';
import type { LayerRanges } from './state.ts';
import { maxSampleValue } from './input-format.ts';

/** Largest sample value times the input scale: the top of every input value. */
function inputInterval(model: SnnModel): Interval {
  return { min: 0, max: maxSampleValue(model) * model.input.scale };
}

function rowIntervals(weights: Float32Array, rows: number, x: Interval, bias: Float32Array): Interval[] {
  const cols = weights.length / rows;
  return Array.from({ length: rows }, (_, r) => dotInterval(Array.from(weights.subarray(r * cols, (r + 1) * cols)), x, bias[r]!));
}

function convRange(layer: ConvLayer, x: Interval): Interval {
  return withZero(hull(rowIntervals(layer.weights.data, layer.filters, x, layer.bias.data)));
}

function poolRange(layer: PoolLayer, x: Interval): Interval {
  const taps = layer.mode === 'sum' ? layer.kernel * layer.kernel : 1;
  return { min: x.min * taps, max: x.max * taps };
}

/** The output interval of a layer whose membrane lies in `membrane` (with 0). */
function outputRange(layer: SpikingLayer, membrane: Interval): Interval {
  return layer.output === 'binary' ? { min: 0, max: 1 }
    : layer.output === 'excess' ? { min: 0, max: Math.max(0, membrane.max - layer.threshold) }
    : membrane;
}

/** The recurrent drive R r over r in `out`: the hull of every unit's row, with 0 (nothing at t = 0). */
function recurrentDrive(layer: SpikingLayer, out: Interval): Interval {
  if (!layer.recurrent) return { min: 0, max: 0 };
  return withZero(hull(rowIntervals(layer.recurrent.data, layer.units, out, new Float32Array(layer.units))));
}

/**
 * Bounds of u over T steps given drive in [low, high] (low <= 0 <= high), plus a recurrent layer's own previous
 * output through its recurrent weights (the output interval of every step so far).
 */
function membraneRange(layer: SpikingLayer, drive: Interval, timesteps: number): Interval {
  const fires = layer.output !== 'membrane';
  let upper = 0;
  let lower = 0;
  let top = 0;
  let bottom = 0;
  let rec: Interval = { min: 0, max: 0 };
  // synaptic: c_t in synapticDecay * c_{t-1} + drive + rec, then the bias joins
  const bias = layer.synapticDecay === undefined ? { min: 0, max: 0 } : withZero(hull(Array.from(layer.bias.data, (b) => ({ min: b, max: b }))));
  const current = { min: 0, max: 0 };
  for (let t = 0; t < timesteps; t++) {
    const d = layer.synapticDecay;
    current.max = (d === undefined ? 0 : d * current.max) + drive.max + rec.max;
    current.min = (d === undefined ? 0 : d * current.min) + drive.min + rec.min;
    const u = layer.decay * upper + current.max + bias.max;
    const l = layer.decay * lower + current.min + bias.min;
    // a spike happens only at u > threshold, and reset is monotone in u (or constant): the top spike bounds it
    const reset = fires && u > layer.threshold ? resetFloat(layer, u) : undefined;
    upper = reset === undefined ? u : Math.max(layer.threshold, reset);
    lower = reset === undefined ? l : Math.min(l, reset);
    top = Math.max(top, u, upper);
    bottom = Math.min(bottom, l, lower);
    if (!Number.isFinite(upper) || !Number.isFinite(lower)) break;
    rec = recurrentDrive(layer, outputRange(layer, { min: bottom, max: top }));
  }
  return { min: bottom, max: top };
}

function spikingRange(layer: SpikingLayer, x: Interval, timesteps: number): { membrane: Interval; output: Interval } {
  // a synaptic current carries the input without the bias, which the membrane adds after it
  // (its own bias, synapticBias, joins the current's input)
  const bias = layer.synapticDecay === undefined ? layer.bias.data : (layer.synapticBias?.data ?? new Float32Array(layer.units));
  const drives = layer.weights
    ? rowIntervals(layer.weights.data, layer.units, x, bias)
    : Array.from(bias, (b) => ({ min: x.min + b, max: x.max + b }));
  const membrane = membraneRange(layer, withZero(hull(drives)), timesteps);
  return { membrane, output: outputRange(layer, membrane) };
}

/** Per layer, the largest |output| and |membrane| any input can produce within `timesteps` steps. */
export function worstCaseRanges(model: SnnModel, timesteps: number): LayerRanges[] {
  let x = inputInterval(model);
  return model.layers.map((layer) => {
    switch (layer.kind) {
      case 'conv':
      case 'pool': {
        x = layer.kind === 'conv' ? convRange(layer, x) : poolRange(layer, x);
        return { maxOutput: magnitude(x), maxMembrane: 0 };
      }
      case 'spiking': {
        const { membrane, output } = spikingRange(layer, x, timesteps);
        x = output;
        return { maxOutput: magnitude(output), maxMembrane: magnitude(membrane) };
      }
      default: {
        const never: never = layer;
        return never;
      }
    }
  });
}
