/** @fileoverview A tiny RGBA raster for figures: rectangles, lines, 5x7 text and two colour maps, saved as PNG. */
import { writePng } from '../../data/png.ts';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.ts';

export type Rgb = readonly [number, number, number];
export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];
export const GREY: Rgb = [170, 170, 170];
/** Line colours for curves (colour-blind-safe Okabe-Ito: blue, orange, green, vermillion, purple, sky blue, black). */
export const SERIES: readonly Rgb[] = [[0, 114, 178], [230, 159, 0], [0, 158, 115], [213, 94, 0], [204, 121, 167], [86, 180, 233], [0, 0, 0]];

export class Canvas {
  readonly rgba: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = WHITE,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  set(x: number, y: number, [r, g, b]: Rgb): void {
    const [xi, yi] = [Math.round(x), Math.round(y)];
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const i = (yi * this.width + xi) * 4;
    this.rgba[i] = r;
    this.rgba[i + 1] = g;
    this.rgba[i + 2] = b;
    this.rgba[i + 3] = 255;
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, c);
  }

  strokeRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    this.line(x, y, x + w - 1, y, c);
    this.line(x, y + h - 1, x + w - 1, y + h - 1, c);
    this.line(x, y, x, y + h - 1, c);
    this.line(x + w - 1, y, x + w - 1, y + h - 1, c);
  }

  /** Bresenham line between integer-rounded end points. */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    let [x, y] = [Math.round(x0), Math.round(y0)];
    const [xe, ye] = [Math.round(x1), Math.round(y1)];
    const [dx, dy] = [Math.abs(xe - x), -Math.abs(ye - y)];
    const [sx, sy] = [x < xe ? 1 : -1, y < ye ? 1 : -1];
    let err = dx + dy;
    for (;;) {
      this.set(x, y, c);
      if (x === xe && y === ye) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  text(x: number, y: number, s: string, c: Rgb = BLACK, scale = 1): void {
    [...s].forEach((ch, k) => {
      glyph(ch).forEach((row, r) =>
        row.forEach((ink, col) => {
          if (ink) this.fillRect(x + (k * (GLYPH_WIDTH + 1) + col) * scale, y + r * scale, scale, scale, c);
        }),
      );
    });
  }

  save(file: string): void {
    writePng(file, this.width, this.height, this.rgba);
  }
}

export function textWidth(s: string, scale = 1): number {
  return s.length * (GLYPH_WIDTH + 1) * scale - scale;
}
export const TEXT_HEIGHT = GLYPH_HEIGHT;

function mix(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i]! + (b[i]! - a[i]!) * t)) as unknown as Rgb;
}

/** Blue (-1) through white (0) to red (+1); values outside [-1, 1] saturate. */
export function diverging(v: number): Rgb {
  const t = Math.max(-1, Math.min(1, v));
  return t < 0 ? mix(WHITE, [33, 102, 172], -t) : mix(WHITE, [178, 24, 43], t);
}

/** Black (0) to white (1), for input images. */
export function grey(v: number): Rgb {
  const g = Math.round(255 * Math.max(0, Math.min(1, v)));
  return [g, g, g];
}
