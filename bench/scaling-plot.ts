/**
 * @fileoverview The scaling figure: images/s against T on log-log axes, one colour per target, solid for one thread
 * and dashed for two; one panel per wall clock and per CPU second. Drawn with training/plot's Canvas.
 */
import { BLACK, Canvas, GREY, SERIES, TEXT_HEIGHT, textWidth, type Rgb } from '../training/plot/canvas.ts';

export interface Curve {
  readonly target: string;
  readonly threads: number;
  /** [T, images per second] in increasing T. */
  readonly points: readonly (readonly [number, number])[];
}

const MARGIN = 16;
/** SERIES, then more colour-blind-safe colours (Okabe-Ito) for the targets beyond three. */
const COLOURS: readonly Rgb[] = [...SERIES, [204, 121, 167], [213, 94, 0], [86, 180, 233], [0, 0, 0]];

/** A line that is drawn `on` pixels, skipped `off` pixels, along its length. */
function dashed(canvas: Canvas, x0: number, y0: number, x1: number, y1: number, colour: Rgb, dash: boolean): void {
  if (!dash) return canvas.line(x0, y0, x1, y1, colour);
  const steps = Math.max(1, Math.round(Math.hypot(x1 - x0, y1 - y0) / 4));
  for (let s = 0; s < steps; s += 2) {
    const [a, b] = [s / steps, Math.min(1, (s + 1) / steps)];
    canvas.line(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, x0 + (x1 - x0) * b, y0 + (y1 - y0) * b, colour);
  }
}

/** Powers of ten between lo and hi (at least the two ends' decades). */
function decades(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(10 ** e);
  return out;
}

function panel(canvas: Canvas, x0: number, y0: number, w: number, h: number, title: string, curves: readonly Curve[], colourOf: (target: string) => Rgb): void {
  const ts = [...new Set(curves.flatMap((c) => c.points.map(([t]) => t)))].sort((a, b) => a - b);
  const values = curves.flatMap((c) => c.points.map(([, v]) => v));
  const ticks = decades(Math.min(...values), Math.max(...values));
  const [lo, hi] = [Math.log10(ticks[0]!), Math.log10(ticks[ticks.length - 1]!)];
  const axisLeft = 8 * 6;
  const [px0, py0, pw, ph] = [x0 + axisLeft, y0 + TEXT_HEIGHT + 6, w - axisLeft, h - 3 * TEXT_HEIGHT - 12];
  const xOf = (t: number): number => px0 + ((Math.log2(t) - Math.log2(ts[0]!)) / Math.max(1e-9, Math.log2(ts[ts.length - 1]!) - Math.log2(ts[0]!))) * (pw - 1);
  const yOf = (v: number): number => py0 + ph - 1 - ((Math.log10(v) - lo) / (hi - lo)) * (ph - 1);
  canvas.text(x0, y0, title);
  canvas.strokeRect(px0, py0, pw, ph, GREY);
  for (const v of ticks) {
    canvas.text(x0, yOf(v) - TEXT_HEIGHT / 2, v >= 1000 ? `${v / 1000}K` : `${v}`);
    canvas.line(px0, yOf(v), px0 + pw - 1, yOf(v), [230, 230, 230]);
  }
  for (const t of ts) canvas.text(xOf(t) - textWidth(`${t}`) / 2, py0 + ph + 4, `${t}`);
  canvas.text(px0 + pw / 2 - textWidth('TIMESTEPS T') / 2, py0 + ph + TEXT_HEIGHT + 8, 'TIMESTEPS T');
  for (const c of curves) {
    const colour = colourOf(c.target);
    c.points.forEach(([t, v], i) => {
      canvas.fillRect(xOf(t) - 1, yOf(v) - 1, 3, 3, colour);
      if (i > 0) dashed(canvas, xOf(c.points[i - 1]![0]), yOf(c.points[i - 1]![1]), xOf(t), yOf(v), colour, c.threads > 1);
    });
  }
}

/** Two panels (wall clock, CPU time) and a legend of targets; `title` on top. */
export function scalingFigure(title: string, wall: readonly Curve[], cpu: readonly Curve[]): Canvas {
  const targets = [...new Set(wall.map((c) => c.target))];
  const colourOf = (target: string): Rgb => COLOURS[targets.indexOf(target) % COLOURS.length]!;
  const [pw, ph] = [420, 320];
  const legendHeight = (targets.length + 1) * (TEXT_HEIGHT + 5);
  const canvas = new Canvas(Math.max(2 * pw + 3 * MARGIN, textWidth(title, 2) + 2 * MARGIN), MARGIN + 2 * TEXT_HEIGHT + 12 + ph + 8 + legendHeight + MARGIN);
  canvas.text(MARGIN, MARGIN, title, BLACK, 2);
  const top = MARGIN + 2 * TEXT_HEIGHT + 12;
  panel(canvas, MARGIN, top, pw, ph, 'IMAGES/S (WALL CLOCK)', wall, colourOf);
  panel(canvas, 2 * MARGIN + pw, top, pw, ph, 'IMAGES PER CPU SECOND', cpu, colourOf);
  let y = top + ph + 8;
  targets.forEach((target) => {
    canvas.fillRect(MARGIN, y + 2, 16, 3, colourOf(target));
    canvas.text(MARGIN + 24, y, target, colourOf(target));
    y += TEXT_HEIGHT + 5;
  });
  canvas.text(MARGIN, y, 'SOLID: 1 THREAD.  DASHED: 2 THREADS.', GREY);
  return canvas;
}
