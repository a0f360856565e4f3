/**
 * @fileoverview The type of the program's input. Images: u8 pixels with INPUT_FRAC fraction bits after the pixel scale
 * is folded (p stands for p/256). Events: u{countBits} counts with 0 fraction bits (a count c stands for c events; the
 * event scale is folded the same way). An identity first layer keeps the model's own power-of-two scale instead.
 */
import { intType, type IntType } from '../../ir/int-type.ts';
import type { SnnModel } from '../../model/format.ts';
import { INPUT_BITS, INPUT_FRAC } from './formats-policy.ts';

/** Fraction bits of the input after fold-input-scale, for a first weighted layer: 8 for pixels, 0 for event counts. */
export function foldedInputFrac(model: SnnModel): number {
  return model.encoder.kind === 'events' ? 0 : INPUT_FRAC;
}

/** The input type at `inputFrac` fraction bits (fold-input-scale's choice, else foldedInputFrac). */
export function inputType(model: SnnModel, inputFrac: number | undefined): IntType {
  const bits = model.encoder.kind === 'events' ? model.encoder.countBits : INPUT_BITS;
  return intType(false, bits, inputFrac ?? foldedInputFrac(model));
}

/** The largest value of one sample: a pixel 255, or an event count 2^countBits - 1. */
export function maxSampleValue(model: SnnModel): number {
  return model.encoder.kind === 'events' ? 2 ** model.encoder.countBits - 1 : 255;
}
