/**
 * @fileoverview The activity figure of `snnc report --plot`: per timestep, the mean fraction of nonzero values of the
 * encoded input and of every layer's visible output (nonzero outputs / units), one line per layer.
 */
import type { Activity } from '../../runtime/activity.ts';
import { BLACK, Canvas, GREY, SERIES, TEXT_HEIGHT, textWidth } from './canvas.ts';
import { linePanel, MARGIN, TITLE_HEIGHT, TITLE_SCALE, type Series } from './figures.ts';

const PANEL_WIDTH = 640;
const PANEL_HEIGHT = 320;

/** Fraction of nonzero values per timestep: the input's, then each layer's output, means over the images. */
export function activitySeries(activity: Activity): { name: string; values: number[] }[] {
  const first = activity.layers[0]!;
  const rate = (counts: readonly number[], size: number): number[] => counts.map((c) => c / (size * activity.images));
  return [
    { name: 'INPUT', values: rate(first.nonzeroInputs, first.inputs) },
    ...activity.layers.map((l) => ({ name: `${l.name} (${l.kind})`.toUpperCase(), values: rate(l.nonzeroOutputs, l.units) })),
  ];
}

export function activityFigure(activity: Activity, imagesSource: string): Canvas {
  const title = `${activity.program}: ACTIVITY PER LAYER AND TIMESTEP`;
  const note = `MEAN OVER ${activity.images} ${imagesSource}, GOLDEN RUNTIME INTEGERS`.toUpperCase();
  const width = Math.max(PANEL_WIDTH + 2 * MARGIN, textWidth(title, TITLE_SCALE) + 2 * MARGIN, textWidth(note) + 2 * MARGIN);
  const canvas = new Canvas(width, MARGIN + TITLE_HEIGHT + PANEL_HEIGHT + TEXT_HEIGHT + 8 + MARGIN);
  canvas.text(MARGIN, MARGIN, title, BLACK, TITLE_SCALE);
  const series: Series[] = activitySeries(activity).map((s, k) => ({ ...s, colour: SERIES[k % SERIES.length]! }));
  linePanel(canvas, MARGIN, MARGIN + TITLE_HEIGHT, PANEL_WIDTH, PANEL_HEIGHT, 'NONZERO OUTPUTS PER UNIT (FRACTION)', series, { label: 'STEP T', first: 0 });
  canvas.text(MARGIN, canvas.height - MARGIN - TEXT_HEIGHT, note, GREY);
  return canvas;
}
