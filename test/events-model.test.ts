/**
 * @fileoverview Float models with an events encoder: they round-trip through model.json, lower to the IR's events
 * encoder (input u{countBits}.0), calibrate on frame samples or on worst-case bounds (`--calibration none`), and the
 * float reference (x_t = frame t * scale) equals the golden runtime exactly where the formats hold every value.
 */
import test from 'ava';
import { SnncError } from '../base/errors.ts';
import { lowerModel } from '../compiler/lower.ts';
import { NO_CALIBRATION } from '../compiler/passes/state.ts';
import { worstCaseRanges } from '../compiler/passes/worst-case-ranges.ts';
import { eventCalibrationSet } from '../compiler/event-calibration.ts';
import type { EventSample } from '../data/events.ts';
import { tinyModel } from './support/tiny-model.ts';
import { avgPoolModel, cubaModel, sinabsModel } from './support/feature-models.ts';
import type { SnnModel } from '../model/format.ts';
import { parseModel } from '../model/read-model.ts';
import { serializeModel } from '../model/write-model.ts';
import { randomProgramBatch } from '../runtime/batch.ts';
import { runSnnFloat } from '../runtime/float-reference.ts';
import { runGolden } from '../runtime/golden.ts';
import { channelEventsModel, dvsEventsModel } from './support/events-model.ts';

test('an events model round-trips through model.json and weights.bin byte for byte', (t) => {
  for (const model of [dvsEventsModel(1), channelEventsModel(2)]) {
    const { json, weights } = serializeModel(model);
    const back = parseModel(JSON.parse(json) as never, weights);
    t.deepEqual(back.kind === 'snn' ? back.encoder : undefined, model.encoder);
    t.deepEqual(back.input, model.input);
    t.is(serializeModel(back).json, json);
    t.true(json.includes('"encoder": {\n    "kind": "events",\n    "binning": {\n      "source": '));
  }
});

test('the reader refuses an events encoder that does not fit the input shape, in one line', (t) => {
  const { json, weights } = serializeModel(channelEventsModel(3));
  const root = JSON.parse(json) as { encoder: { binning: { source: string } } };
  root.encoder.binning.source = 'dvs';
  const err = t.throws(() => parseModel(root as never, weights), { instanceOf: SnncError });
  t.is(err!.message, 'encoder.binning.source: a dvs event input has 1 or 2 (polarity) channels, the input has 20');
  const dvs = JSON.parse(serializeModel(dvsEventsModel(3)).json) as { encoder: { binning: { source: string } } };
  dvs.encoder.binning.source = 'channels';
  t.throws(() => parseModel(dvs as never, serializeModel(dvsEventsModel(3)).weights), { message: 'encoder.binning.source: a channels event input is [N, 1, 1], the input is [2, 8, 8]' });
});

test('lowering keeps the binning and makes the input u{countBits}.0; the event scale folds into the first weights', (t) => {
  const model = dvsEventsModel(4, 3);
  const program = lowerModel({ model, sourceSha256: 'x', calibration: NO_CALIBRATION });
  t.deepEqual(program.encoder, { kind: 'events', binning: { source: 'dvs', binUs: 1000, startUs: 0 }, outType: { signed: false, bits: 3, frac: 0 } });
  t.deepEqual(program.input.type, { signed: false, bits: 3, frac: 0 });
  t.is(program.input.realPerLsb, 1);
  t.deepEqual(program.quantization.calibration, { dataset: 'none', images: 0, seed: 0 });
  // an event worth 0.5: the first weights halve, the integers of the program are those of the halved model
  const halved = { ...model, input: { ...model.input, scale: 0.5 } };
  const doubled = { ...halved, layers: halved.layers.map((l) => (l.kind === 'conv' ? { ...l, weights: { ...l.weights, data: l.weights.data.map((w) => w * 2) } } : l)) };
  const p2 = lowerModel({ model: doubled, sourceSha256: 'x', calibration: NO_CALIBRATION });
  t.deepEqual(p2.layers, program.layers);
  t.is(p2.input.realPerLsb, 0.5);
});

test('calibration takes frame samples; a sample of the wrong length or with too large a count is refused in one line', (t) => {
  const model = channelEventsModel(5);
  const probe = lowerModel({ model, sourceSha256: 'x', calibration: NO_CALIBRATION });
  const frames = randomProgramBatch(probe, 6, 1);
  const calibrated = lowerModel({ model, sourceSha256: 'x', calibration: { dataset: 'random frames', ...frames } });
  t.deepEqual(calibrated.quantization.calibration, { dataset: 'random frames', images: 6, seed: 1 });
  t.deepEqual(calibrated.encoder, probe.encoder);
  const short = { dataset: 'short', images: [new Uint8Array(20)], seeds: [0] };
  t.throws(() => lowerModel({ model, sourceSha256: 'x', calibration: short }), { message: 'calibration sample 0 of short has 20 values, the model takes 8 frames of 20 counts' });
  const loud = { dataset: 'loud', images: [new Uint8Array(160).fill(2)], seeds: [0] };
  t.throws(() => lowerModel({ model, sourceSha256: 'x', calibration: loud }), { message: 'calibration sample 0 of loud: count 2 exceeds 1, the largest 1-bit count (bin with saturation)' });
});

test('the float reference reads frame t as x_t and equals the golden runtime exactly when the formats hold every value', (t) => {
  for (const model of [dvsEventsModel(6), channelEventsModel(7)]) {
    const program = lowerModel({ model, sourceSha256: 'x', calibration: NO_CALIBRATION, options: { activationBits: 16 } });
    const batch = randomProgramBatch(program, 12, 1);
    let spikes = 0;
    batch.images.forEach((sample, i) => {
      const fixed = runGolden(program, sample, batch.seeds[i]!);
      const float = runSnnFloat(model, sample, batch.seeds[i]!);
      t.deepEqual(fixed.scores, Array.from(float.scores), `${model.metadata.name} sample ${i}`);
      spikes += fixed.scores.reduce((a, b) => a + b, 0);
    });
    t.true(spikes > 0, `${model.metadata.name}: the outputs fire`);
  }
});

test('the float reference refuses an events sample that is not T frames', (t) => {
  const model = channelEventsModel(8);
  t.throws(() => runSnnFloat(model, new Uint8Array(21), 0), { instanceOf: RangeError, message: 'sample has 21 values, the model wants 8 frames of 20 counts' });
});

test('worst-case ranges by hand: an IF layer over 3 steps, then a leaky integrator; events count up to 2^countBits - 1', (t) => {
  const t32 = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });
  const model = channelEventsModel(9, 2, 2, 3);
  const hand: SnnModel = {
    ...model, input: { shape: [2, 1, 1], scale: 1 / 3 },
    layers: [
      // x in [0, 3 * 1/3]; drive 0.125 + [0.5 x0 - 0.25 x1] in [-0.125, 0.625]: u = 0.625, 1.25 (spike, v 0.25), 1.625
      { kind: 'spiking', name: 'if', units: 1, weights: t32([1, 2], [0.5, -0.25]), bias: t32([1], [0.125]), decay: 1, threshold: 1, output: 'binary', reset: { kind: 'subtract' }, delay: 0 },
      // x in [0, 1]; drive in [0, 2]: u = 2, 3, 3.5
      { kind: 'spiking', name: 'li', units: 2, weights: t32([2, 1], [2, -1]), bias: t32([2], [0, 0]), decay: 0.5, threshold: 0, output: 'membrane', reset: { kind: 'none' }, delay: 0 },
    ],
  };
  t.deepEqual(worstCaseRanges(hand, 3), [{ maxOutput: 1, maxMembrane: 1.625 }, { maxOutput: 3.5, maxMembrane: 3.5 }]);
});

test('event samples calibrate through the model\'s binning: the frames are binEvents\' and lowering takes them', (t) => {
  const model = dvsEventsModel(10, 1, 3);
  // 2x8x8 input, 1000 us bins from 0, counts saturate at 1: (x 1, y 2, ON) twice in bin 0 -> 1; an OFF event in bin 2;
  // one at 3000 us is past the 3-bin window and dropped
  const sample: EventSample = { kind: 'dvs', x: Uint16Array.from([1, 1, 7, 0]), y: Uint16Array.from([2, 2, 7, 0]), p: Uint8Array.from([1, 1, 0, 1]), t: Float64Array.from([10, 999, 2500, 3000]) };
  const set = eventCalibrationSet(model, [sample], 'hand');
  const frame = 2 * 8 * 8;
  const expected = new Uint8Array(3 * frame);
  expected[0 * frame + (1 * 8 + 2) * 8 + 1] = 1;
  expected[2 * frame + (0 * 8 + 7) * 8 + 7] = 1;
  t.deepEqual(set.images, [expected]);
  t.deepEqual(set.seeds, [0]);
  const program = lowerModel({ model, sourceSha256: 'x', calibration: set });
  t.deepEqual(program.quantization.calibration, { dataset: 'hand', images: 1, seed: 0 });
  t.throws(() => eventCalibrationSet(tinyModel(1), [sample], 'x'), { message: 'model tiny1 reads images, not event samples' });
});

test('--calibration none compiles image models too: every feature model at 2, 8 and 16-bit weights', (t) => {
  const models = [sinabsModel(1), cubaModel(2), avgPoolModel(3), tinyModel(4, { conv: 5 }), dvsEventsModel(5, 8)];
  for (const model of models) {
    for (const weightBits of [2, 8, 16]) {
      const program = lowerModel({ model, sourceSha256: 'x', calibration: NO_CALIBRATION, options: { weightBits } });
      t.is(program.quantization.weightBits, weightBits);
      const sample = randomProgramBatch(program, 1, 3);
      t.is(runGolden(program, sample.images[0]!, 3).scores.length, model.classes);
      // worst-case membrane formats: range analysis proves no membrane ever clamps
      t.true(program.quantization.provenNoSaturation, `${model.metadata.name} at ${weightBits} bits`);
    }
  }
});
