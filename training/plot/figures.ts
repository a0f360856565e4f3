/**
 * @fileoverview The figures of issue 3: learned conv filters (the paper's Figure 4), membrane and spike rasters of
 * every spiking layer for one input, and training curves. Each returns a Canvas; the plot command saves it.
 */
import { SnncError } from '../../base/errors.ts';
import type { ConvLayer, Model, SnnModel, SpikingLayer } from '../../model/format.ts';
import { runSnnFloat } from '../../runtime/float-reference.ts';
import type { EpochRecord } from '../checkpoint.ts';
import { BLACK, Canvas, diverging, GREY, grey, SERIES, TEXT_HEIGHT, textWidth, WHITE, type Rgb } from './canvas.ts';

export const MARGIN = 16;
export const TITLE_SCALE = 2;
export const TITLE_HEIGHT = TEXT_HEIGHT * TITLE_SCALE + 12;

/** Learned (or fixed) conv kernels: one column per filter, one row per input channel, blue < 0 < red. */
export function filtersFigure(model: Model): Canvas {
  const conv = model.layers.find((l): l is ConvLayer => l.kind === 'conv');
  if (!conv) throw new SnncError('usage', `${model.metadata.name}: the model has no conv layer to plot`);
  const channels = conv.weights.shape[1]!;
  const k = conv.kernel;
  const px = Math.max(8, Math.floor(96 / k));
  const cell = k * px;
  const gap = 14;
  const rowLabel = 24;
  const title = `${conv.filters} ${conv.learned ? 'LEARNED' : 'GABOR'} ${k}X${k} FILTERS: ${model.metadata.name}`;
  const width = Math.max(MARGIN * 2 + rowLabel + conv.filters * (cell + gap), textWidth(title, TITLE_SCALE) + 2 * MARGIN);
  const height = MARGIN + TITLE_HEIGHT + channels * (cell + gap) + 3 * TEXT_HEIGHT + 8 + MARGIN;
  const canvas = new Canvas(width, height);
  canvas.text(MARGIN, MARGIN, title, BLACK, TITLE_SCALE);
  canvas.text(MARGIN, height - MARGIN - TEXT_HEIGHT, 'BLUE < 0 < RED, SCALED TO THE LARGEST |W| OF THE LAYER', GREY);
  const scale = conv.weights.data.reduce((m, w) => Math.max(m, Math.abs(w)), 1e-12);
  const top = MARGIN + TITLE_HEIGHT;
  const channelNames = channels === 3 ? ['R', 'G', 'B'] : Array.from({ length: channels }, (_, c) => `C${c + 1}`);
  for (let c = 0; c < channels; c++) {
    const y0 = top + c * (cell + gap);
    canvas.text(MARGIN, y0 + cell / 2 - TEXT_HEIGHT / 2, channelNames[c]!);
    for (let f = 0; f < conv.filters; f++) {
      const x0 = MARGIN + rowLabel + f * (cell + gap);
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) canvas.fillRect(x0 + j * px, y0 + i * px, px, px, diverging(conv.weights.data[((f * channels + c) * k + i) * k + j]! / scale));
      canvas.strokeRect(x0 - 1, y0 - 1, cell + 2, cell + 2, GREY);
      if (c === channels - 1) canvas.text(x0 + cell / 2 - textWidth(`F${f + 1}`) / 2, y0 + cell + 4, `F${f + 1}`);
    }
  }
  return canvas;
}

function drawImage(canvas: Canvas, x0: number, y0: number, image: Uint8Array, shape: readonly [number, number, number], px: number): void {
  const [c, h, w] = shape;
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const at = (ch: number): number => image[(ch * h + i) * w + j]! / 255;
      const colour: Rgb = c === 3 ? [Math.round(255 * at(0)), Math.round(255 * at(1)), Math.round(255 * at(2))] : grey(at(0));
      canvas.fillRect(x0 + j * px, y0 + i * px, px, px, colour);
    }
  }
}

/** Most input rows an event sample's picture has: inputs beyond are merged (the largest count of each group). */
const EVENT_PICTURE_ROWS = 112;

/**
 * An events sample (T frames of P counts) as a grey picture [1, rows, T]: one row per input (groups of inputs when P
 * is large), one column per step, brightness count / maxCount. An smnist sample shows its digit on its side.
 */
function eventInputPicture(frames: Uint8Array, inputShape: readonly [number, number, number], steps: number, maxCount: number): { pixels: Uint8Array; shape: [number, number, number] } {
  const inputs = inputShape[0] * inputShape[1] * inputShape[2];
  const group = Math.ceil(inputs / EVENT_PICTURE_ROWS);
  const rows = Math.ceil(inputs / group);
  const pixels = new Uint8Array(rows * steps);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < inputs; i++) {
      const at = Math.floor(i / group) * steps + t;
      pixels[at] = Math.max(pixels[at]!, Math.round((255 * frames[t * inputs + i]!) / maxCount));
    }
  }
  return { pixels, shape: [1, rows, steps] };
}

/**
 * For one input (an image, or an events sample drawn as inputs x steps): the input, then per spiking layer its membrane u (units x timesteps, scaled by 2x threshold) and its
 * spikes (black where the layer fired), as computed by the float reference with jitter seed `seed`.
 */
/** Most unit rows drawn per layer, and the line that says which units a sampled layer shows. */
const RASTER_MAX_ROWS = 400;
const SAMPLED_NOTE_HEIGHT = TEXT_HEIGHT + 4;

export function rasterFigure(model: SnnModel, image: Uint8Array, label: number, seed: number): Canvas {
  const spikingIndex = model.layers.map((l, i) => (l.kind === 'spiking' ? i : -1)).filter((i) => i >= 0);
  const spiking = spikingIndex.map((i) => model.layers[i] as SpikingLayer);
  const trace = { membrane: spiking.map((): Float64Array[] => []), output: spiking.map((): Float64Array[] => []) };
  const result = runSnnFloat(model, image, seed, (layer, _t, membrane, output) => {
    const s = spikingIndex.indexOf(layer);
    if (s < 0 || membrane === null) return;
    trace.membrane[s]!.push(Float64Array.from(membrane));
    trace.output[s]!.push(Float64Array.from(output));
  });
  const T = model.timesteps;
  const colW = Math.max(4, Math.floor(240 / T));
  const panelW = colW * T;
  const shown0 = model.encoder.kind === 'events' ? eventInputPicture(image, model.input.shape, T, 2 ** model.encoder.countBits - 1) : { pixels: image, shape: model.input.shape };
  const [, h, w] = shown0.shape;
  const imgPx = Math.max(1, Math.floor(112 / Math.max(h, w)));
  const left = MARGIN + w * imgPx + 24;
  // a conv's neurons (thousands) are drawn as every k-th unit, so each layer panel stays a few hundred rows tall
  const shown = spiking.map((l) => {
    const every = Math.ceil(l.units / RASTER_MAX_ROWS);
    return Array.from({ length: Math.ceil(l.units / every) }, (_, r) => r * every);
  });
  const rowsH = shown.map((units) => Math.max(2, Math.floor(200 / units.length)) * units.length);
  const panelGap = 20;
  const title = `${model.metadata.name}: LABEL ${label}, PREDICTED ${result.label}, SEED ${seed}`;
  const width = Math.max(left + 2 * panelW + panelGap + MARGIN, textWidth(title, TITLE_SCALE) + 2 * MARGIN);
  const notes = shown.filter((units, s) => units.length < spiking[s]!.units).length * SAMPLED_NOTE_HEIGHT;
  const height = MARGIN + TITLE_HEIGHT + rowsH.reduce((a, b) => a + b + 3 * TEXT_HEIGHT + 16, 0) + notes + 2 * TEXT_HEIGHT + MARGIN;
  const canvas = new Canvas(width, height);
  canvas.text(MARGIN, height - MARGIN - TEXT_HEIGHT, 'MEMBRANE: BLUE < 0 < RED, SATURATING AT +-2X THRESHOLD. SPIKES: BLACK WHERE U > THRESHOLD.', GREY);
  canvas.text(MARGIN, MARGIN, title, BLACK, TITLE_SCALE);
  drawImage(canvas, MARGIN, MARGIN + TITLE_HEIGHT + TEXT_HEIGHT + 6, shown0.pixels, shown0.shape, imgPx);
  if (model.encoder.kind === 'events') canvas.text(MARGIN, MARGIN + TITLE_HEIGHT + TEXT_HEIGHT + 10 + h * imgPx, 'INPUT X STEP', GREY);
  let y = MARGIN + TITLE_HEIGHT;
  spiking.forEach((layer, s) => {
    const units = shown[s]!;
    const rowH = rowsH[s]! / units.length;
    canvas.text(left, y, `${layer.name.toUpperCase()}: MEMBRANE U`);
    canvas.text(left + panelW + panelGap, y, `${layer.name.toUpperCase()}: SPIKES`);
    if (units.length < layer.units) canvas.text(left, y + TEXT_HEIGHT + 4, `UNITS 0, ${units[1]}, ${2 * units[1]!}, ... OF ${layer.units}`, GREY);
    const y0 = y + TEXT_HEIGHT + 6 + (units.length < layer.units ? SAMPLED_NOTE_HEIGHT : 0);
    for (let t = 0; t < T; t++) {
      const u = trace.membrane[s]![t]!;
      const o = trace.output[s]![t]!;
      units.forEach((n, r) => {
        canvas.fillRect(left + t * colW, y0 + r * rowH, colW, rowH, diverging(u[n]! / (2 * layer.threshold)));
        canvas.fillRect(left + panelW + panelGap + t * colW, y0 + r * rowH, colW, rowH, o[n]! > 0 ? BLACK : WHITE);
      });
    }
    // name the units of small layers (the output layer's rows are the classes)
    if (rowH >= TEXT_HEIGHT + 2) for (let n = 0; n < units.length; n++) canvas.text(left - textWidth(`${n}`) - 4, y0 + n * rowH + (rowH - TEXT_HEIGHT) / 2, `${n}`);
    canvas.strokeRect(left - 1, y0 - 1, panelW + 2, rowsH[s]! + 2, GREY);
    canvas.strokeRect(left + panelW + panelGap - 1, y0 - 1, panelW + 2, rowsH[s]! + 2, GREY);
    const axisY = y0 + rowsH[s]! + 4;
    for (const x of [left, left + panelW + panelGap]) {
      canvas.text(x, axisY, '0');
      canvas.text(x + panelW / 2 - textWidth('STEP T') / 2, axisY, 'STEP T');
      canvas.text(x + panelW - textWidth(`${T - 1}`), axisY, `${T - 1}`);
    }
    y = axisY + 2 * TEXT_HEIGHT + 8;
  });
  return canvas;
}

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly colour: Rgb;
}

/** The x axis of a line panel: its label and the number of the first point (epochs count from 1, timesteps from 0). */
export interface XAxis {
  readonly label: string;
  readonly first: number;
}

function formatTick(v: number): string {
  return Math.abs(v) >= 10 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toFixed(3);
}

export function linePanel(canvas: Canvas, x0: number, y0: number, w: number, h: number, title: string, series: readonly Series[], axis: XAxis = { label: 'EPOCH', first: 1 }): void {
  const all = series.flatMap((s) => s.values);
  let [lo, hi] = [Math.min(...all), Math.max(...all)];
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const pad = (hi - lo) * 0.05;
  [lo, hi] = [lo - pad, hi + pad];
  const n = Math.max(...series.map((s) => s.values.length));
  const axisLeft = 44;
  const [px0, pw, ph] = [x0 + axisLeft, w - axisLeft, h - 2 * TEXT_HEIGHT - 10];
  const py0 = y0 + TEXT_HEIGHT + 6;
  canvas.text(x0, y0, title);
  canvas.strokeRect(px0, py0, pw, ph, GREY);
  const xOf = (i: number): number => px0 + (n <= 1 ? pw / 2 : (i * (pw - 1)) / (n - 1));
  const yOf = (v: number): number => py0 + ph - 1 - ((v - lo) / (hi - lo)) * (ph - 1);
  for (const v of [lo + pad, (lo + hi) / 2, hi - pad]) {
    canvas.text(x0, yOf(v) - TEXT_HEIGHT / 2, formatTick(v));
    canvas.line(px0, yOf(v), px0 + 3, yOf(v), BLACK);
  }
  const last = `${axis.first + n - 1}`;
  canvas.text(px0, py0 + ph + 4, `${axis.first}`);
  canvas.text(px0 + pw - textWidth(last), py0 + ph + 4, last);
  canvas.text(px0 + pw / 2 - textWidth(axis.label) / 2, py0 + ph + 4, axis.label);
  series.forEach((s, k) => {
    for (let i = 1; i < s.values.length; i++) canvas.line(xOf(i - 1), yOf(s.values[i - 1]!), xOf(i), yOf(s.values[i]!), s.colour);
    s.values.forEach((v, i) => canvas.fillRect(xOf(i) - 1, yOf(v) - 1, 3, 3, s.colour));
    canvas.text(px0 + 8, py0 + 6 + k * (TEXT_HEIGHT + 4), s.name, s.colour);
  });
}

/** Training loss, and train and test accuracy (%), per epoch. */
export function curvesFigure(name: string, history: readonly EpochRecord[]): Canvas {
  if (history.length === 0) throw new SnncError('usage', `${name}: no epochs recorded in training.json`);
  const [pw, ph] = [360, 240];
  const title = `${name}: TRAINING CURVES`;
  const canvas = new Canvas(Math.max(2 * pw + 3 * MARGIN, textWidth(title, TITLE_SCALE) + 2 * MARGIN), MARGIN + TITLE_HEIGHT + ph + MARGIN);
  canvas.text(MARGIN, MARGIN, title, BLACK, TITLE_SCALE);
  const top = MARGIN + TITLE_HEIGHT;
  linePanel(canvas, MARGIN, top, pw, ph, 'TRAIN LOSS (CROSS-ENTROPY)', [{ name: 'TRAIN', values: history.map((h) => h.trainLoss), colour: SERIES[0]! }]);
  linePanel(canvas, 2 * MARGIN + pw, top, pw, ph, 'ACCURACY %', [
    { name: 'TRAIN', values: history.map((h) => 100 * h.trainAccuracy), colour: SERIES[0]! },
    { name: 'TEST', values: history.map((h) => 100 * h.testAccuracy), colour: SERIES[1]! },
  ]);
  return canvas;
}
