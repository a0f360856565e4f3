/**
 * @fileoverview A fixed Gabor filter bank for the `snn-gabor` conv front end: one orientation per filter, evenly spread
 * over 180 degrees, zero-mean so a flat patch gives no response, and the same kernel on every input channel.
 */
import type { Tensor } from '../model/format.ts';

/** Wavelength and envelope width as fractions of the kernel size, chosen so one stripe pair fits the kernel. */
const WAVELENGTH_PER_KERNEL = 0.8;
const SIGMA_PER_KERNEL = 0.35;

export function gaborKernel(kernel: number, theta: number): Float32Array {
  const lambda = WAVELENGTH_PER_KERNEL * kernel;
  const sigma = SIGMA_PER_KERNEL * kernel;
  const c = (kernel - 1) / 2;
  const out = new Float64Array(kernel * kernel);
  for (let i = 0; i < kernel; i++) {
    for (let j = 0; j < kernel; j++) {
      const [y, x] = [i - c, j - c];
      const xr = x * Math.cos(theta) + y * Math.sin(theta);
      const yr = -x * Math.sin(theta) + y * Math.cos(theta);
      out[i * kernel + j] = Math.exp(-(xr * xr + yr * yr) / (2 * sigma * sigma)) * Math.cos((2 * Math.PI * xr) / lambda);
    }
  }
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  const centred = out.map((v) => v - mean);
  const norm = Math.sqrt(centred.reduce((a, b) => a + b * b, 0));
  return Float32Array.from(centred, (v) => v / norm);
}

/** Weights [filters, channels, kernel, kernel]; each channel gets kernel/channels so colour images see luminance. */
export function gaborBank(filters: number, channels: number, kernel: number): Tensor {
  const data = new Float32Array(filters * channels * kernel * kernel);
  for (let f = 0; f < filters; f++) {
    const k = gaborKernel(kernel, (Math.PI * f) / filters);
    for (let c = 0; c < channels; c++) data.set(k.map((v) => v / channels), (f * channels + c) * kernel * kernel);
  }
  return { shape: [filters, channels, kernel, kernel], data };
}
