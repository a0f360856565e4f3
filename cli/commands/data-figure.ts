/**
 * @fileoverview `snnc data raster`: a PNG of one event sample. DVS: six 50 ms slices of the 34x34 field (ON red, OFF
 * blue, both purple), then every event as a dot at (time, address y * W + x). Channels (SHD): a dot at (time, channel).
 */
import type { EventSample } from '../../data/events.ts';
import { BLACK, Canvas, GREY, TEXT_HEIGHT, textWidth, WHITE, type Rgb } from '../../training/plot/canvas.ts';
import { MARGIN, TITLE_HEIGHT, TITLE_SCALE } from '../../training/plot/figures.ts';

const ON: Rgb = [213, 94, 0];
const OFF: Rgb = [0, 114, 178];
const BOTH: Rgb = [204, 121, 167];
const SLICES = 6;
const PIXEL = 5;
const PLOT_W = 600;
const PLOT_H = 300;

export function eventRasterFigure(title: string, sample: EventSample, shape: readonly [number, number, number]): Canvas {
  // The time axis ends at the last event, rounded up to whole milliseconds per slice.
  const lastUs = sample.t.length > 0 ? sample.t[sample.t.length - 1]! : 0;
  const endUs = Math.max(1000 * SLICES, Math.ceil(lastUs / (1000 * SLICES)) * 1000 * SLICES);
  const dvs = sample.kind === 'dvs';
  const [, h, w] = shape;
  const rows = dvs ? h * w : shape[0];
  const sliceUs = endUs / SLICES;
  const slicesH = dvs ? h * PIXEL + 2 * TEXT_HEIGHT + 12 : 0;
  const width = Math.max(2 * MARGIN + 40 + PLOT_W, textWidth(title, TITLE_SCALE) + 2 * MARGIN, dvs ? 2 * MARGIN + SLICES * (w * PIXEL + 12) : 0);
  const height = MARGIN + TITLE_HEIGHT + slicesH + PLOT_H + 4 * TEXT_HEIGHT + 24 + MARGIN;
  const canvas = new Canvas(width, height);
  canvas.text(MARGIN, MARGIN, title, BLACK, TITLE_SCALE);
  let y = MARGIN + TITLE_HEIGHT;
  if (dvs) {
    const seen = new Uint8Array(SLICES * h * w); // bit 0: an OFF event, bit 1: an ON event
    for (let e = 0; e < sample.t.length; e++) {
      const s = Math.min(SLICES - 1, Math.floor(sample.t[e]! / sliceUs));
      seen[(s * h + sample.y[e]!) * w + sample.x[e]!]! |= sample.p[e]! ? 2 : 1;
    }
    for (let s = 0; s < SLICES; s++) {
      const x0 = MARGIN + s * (w * PIXEL + 12);
      canvas.text(x0, y, `${(s * sliceUs) / 1000}-${((s + 1) * sliceUs) / 1000} MS`);
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) {
          const v = seen[(s * h + r) * w + c]!;
          canvas.fillRect(x0 + c * PIXEL, y + TEXT_HEIGHT + 4 + r * PIXEL, PIXEL, PIXEL, v === 3 ? BOTH : v === 2 ? ON : v === 1 ? OFF : WHITE);
        }
      }
      canvas.strokeRect(x0 - 1, y + TEXT_HEIGHT + 3, w * PIXEL + 2, h * PIXEL + 2, GREY);
    }
    y += slicesH;
  }
  const left = MARGIN + 40;
  canvas.text(MARGIN, y, dvs ? 'EVENTS: ADDRESS Y*W+X (ON RED, OFF BLUE) OVER TIME' : 'SPIKES: CHANNEL OVER TIME');
  const top = y + TEXT_HEIGHT + 6;
  for (let e = 0; e < sample.t.length; e++) {
    const row = dvs ? sample.y[e]! * w + sample.x[e]! : sample.channel[e]!;
    const colour = dvs ? (sample.p[e] ? ON : OFF) : BLACK;
    canvas.set(left + (sample.t[e]! / endUs) * (PLOT_W - 1), top + (row / Math.max(1, rows - 1)) * (PLOT_H - 1), colour);
  }
  canvas.strokeRect(left - 1, top - 1, PLOT_W + 2, PLOT_H + 2, GREY);
  canvas.text(MARGIN, top, '0');
  canvas.text(MARGIN, top + PLOT_H - TEXT_HEIGHT, `${rows - 1}`);
  const axisY = top + PLOT_H + 4;
  canvas.text(left, axisY, '0');
  canvas.text(left + PLOT_W / 2 - textWidth('TIME MS') / 2, axisY, 'TIME MS');
  canvas.text(left + PLOT_W - textWidth(`${endUs / 1000}`), axisY, `${endUs / 1000}`);
  return canvas;
}
