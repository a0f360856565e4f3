/** @fileoverview The figures: exact pixels where the data decide them, and one-line errors for impossible plots. */
import test from 'ava';
import type { ConvLayer, SnnModel, SpikingLayer, Tensor } from '../model/format.ts';
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from '../training/plot/font.ts';
import { curvesFigure, filtersFigure, rasterFigure } from '../training/plot/figures.ts';
import { tinyModel } from './support/tiny-model.ts';

function pixel(rgba: Uint8Array, width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 4;
  return [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
}

test('every glyph is 5x7 and the digits are distinct', (t) => {
  const digits = '0123456789'.split('').map((d) => glyph(d));
  for (const g of digits) {
    t.is(g.length, GLYPH_HEIGHT);
    t.true(g.every((row) => row.length === GLYPH_WIDTH));
  }
  t.is(new Set(digits.map((g) => JSON.stringify(g))).size, 10);
});

test('the filter figure paints the largest weight full red and the most negative full blue', (t) => {
  const model = tinyModel(3, { conv: 3 });
  const conv = model.layers[0] as ConvLayer;
  const data = new Float32Array(conv.weights.data.length);
  data[0] = 2; // filter 1, kernel (0,0): the layer's largest |w|
  data[9 + 4] = -2; // filter 2, kernel (1,1)
  const withWeights: SnnModel = { ...model, layers: [{ ...conv, weights: { shape: conv.weights.shape, data } }, ...model.layers.slice(1)] };
  const canvas = filtersFigure(withWeights);
  // layout of filtersFigure: margin 16, title 26, row label 24, 32 px per kernel pixel for k=3, 14 px between filters
  const [x0, y0, px, step] = [16 + 24, 16 + 26, 32, 3 * 32 + 14];
  t.deepEqual(pixel(canvas.rgba, canvas.width, x0 + 5, y0 + 5), [178, 24, 43]);
  t.deepEqual(pixel(canvas.rgba, canvas.width, x0 + step + px + 5, y0 + px + 5), [33, 102, 172]);
  t.deepEqual(pixel(canvas.rgba, canvas.width, x0 + px + 5, y0 + 5), [255, 255, 255]);
});

test('figures refuse what they cannot draw', (t) => {
  t.throws(() => filtersFigure(tinyModel(1)), { message: /has no conv layer/ });
  t.throws(() => curvesFigure('x', []), { message: /no epochs recorded/ });
});

test('the raster marks a spike exactly where the float reference fires', (t) => {
  // one hidden unit driven hard by a bright image: it fires at step 0, so its spike cell is black
  const model = tinyModel(4, { hidden: 2, encoder: 'direct', timesteps: 2 });
  const hidden = model.layers[0] as SpikingLayer & { weights: Tensor };
  const weights = new Float32Array(hidden.weights.data.length).fill(0.01);
  const driven: SnnModel = { ...model, layers: [{ ...hidden, weights: { shape: hidden.weights.shape, data: weights }, bias: { shape: [2], data: new Float32Array(2) } }, model.layers[1]!] };
  const image = new Uint8Array(784).fill(255); // u0 = 784 * 0.01 = 7.84 > 1
  const canvas = rasterFigure(driven, image, 0, 1);
  // hidden spikes panel: left = 16 + 28*4 + 24 = 152, panel width = 2 steps * 120 px, gap 20; rows of 100 px
  const [spikesLeft, top] = [152 + 240 + 20, 16 + 26 + 7 + 6];
  t.deepEqual(pixel(canvas.rgba, canvas.width, spikesLeft + 10, top + 10), [0, 0, 0]);
});

test('a layer of more than 400 units is drawn as every k-th unit, and the rows show those units', (t) => {
  // an identity layer over the 784 pixels, fed directly: even pixels bright (1 + 0.5 > threshold), odd ones dark
  const model = tinyModel(4, { hidden: 2, encoder: 'direct', timesteps: 2 });
  const pixels: SpikingLayer = { ...(model.layers[0] as SpikingLayer), name: 'pixels', units: 784, bias: { shape: [784], data: new Float32Array(784).fill(0.5) } };
  delete (pixels as { weights?: Tensor }).weights;
  const image = Uint8Array.from({ length: 784 }, (_, i) => (i % 2 === 0 ? 255 : 0));
  const canvas = rasterFigure({ ...model, layers: [pixels, ...model.layers] }, image, 0, 1);
  // 784 units > 400: every 2nd unit, 392 rows of 2 px, below one extra line naming the units shown
  const [spikesLeft, top] = [152 + 240 + 20, 16 + 26 + 7 + 6 + 11];
  for (const row of [0, 5, 391]) t.deepEqual(pixel(canvas.rgba, canvas.width, spikesLeft + 10, top + 2 * row + 1), [0, 0, 0], `row ${row}`);
  t.deepEqual(pixel(canvas.rgba, canvas.width, spikesLeft + 10, top + 2 * 392), [170, 170, 170], 'the panel border follows row 391');
});

test('an events sample is drawn as inputs x steps: smnist frame t is column t, brightness count / max count', (t) => {
  // an smnist-like events model: 28 inputs, T = 28; frame t lights input t alone (a diagonal), at count 255
  const model = tinyModel(4, { hidden: 2, encoder: 'direct', timesteps: 28 });
  const hidden = model.layers[0] as SpikingLayer & { weights: Tensor };
  const events: SnnModel = {
    ...model, input: { shape: [28, 1, 1], scale: 1 / 255 }, encoder: { kind: 'events', binning: { source: 'frames', binUs: 1, startUs: 0 }, countBits: 8 },
    layers: [{ ...hidden, weights: { shape: [2, 28], data: hidden.weights.data.slice(0, 56) } }, model.layers[1]!],
  };
  const frames = new Uint8Array(28 * 28);
  for (let step = 0; step < 28; step++) frames[step * 28 + step] = 255;
  frames[3 * 28 + 10] = 51; // input 10 at step 3: a fifth of the largest count
  const canvas = rasterFigure(events, frames, 0, 0);
  // the picture: 28 rows x 28 columns of 4 px at (16, 16 + 26 + 7 + 6)
  const [x0, y0] = [16, 16 + 26 + 7 + 6];
  t.deepEqual(pixel(canvas.rgba, canvas.width, x0 + 4 * 5 + 1, y0 + 4 * 5 + 1), [255, 255, 255], 'input 5 at step 5');
  t.deepEqual(pixel(canvas.rgba, canvas.width, x0 + 4 * 6 + 1, y0 + 4 * 5 + 1), [0, 0, 0], 'input 5 at step 6');
  t.deepEqual(pixel(canvas.rgba, canvas.width, x0 + 4 * 3 + 1, y0 + 4 * 10 + 1), [51, 51, 51], 'input 10 at step 3');
});
