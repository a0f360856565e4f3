/**
 * @fileoverview After lowering, check that the fixed-point program still is the model: weights that quantize to 0,
 * spiking layers that fall silent, and how often the fixed-point label agrees with float on calibration images. The
 * CLI prints each finding as a warning (not an error: the program is exact, it just computes something else).
 */
import type { Model } from '../../model/format.ts';
import type { Program } from '../../ir/program.ts';
import { runSnnFloat } from '../../runtime/float-reference.ts';
import { traceGolden } from '../../runtime/golden.ts';
import type { LoweringState } from './state.ts';

/** Warn when more than half of a layer's nonzero float weights quantize to 0: the layer has lost most of its inputs. */
const ZERO_WEIGHT_WARN_FRACTION = 0.5;
/**
 * Warn below 80 % label agreement: 8-bit lowerings of the examples agree on 87-100 % of the first calibration
 * images (the 50 %-accurate CIFAR-10 models are the low end), the MNIST example at 2-bit weights on 10 %.
 */
const AGREEMENT_WARN = 0.8;
/**
 * Warn about a layer silent in fixed point only if float fired on at least half the images: a layer that fires
 * now and then in float may fall under one output step without the lowering being wrong.
 */
const SILENT_WARN_FLOAT_FRACTION = 0.5;
/** Calibration images run in float and fixed point for the checks: enough to tell 80 % from 100 %, an eighth of calibration. */
export const AGREEMENT_IMAGES = 64;

export interface LoweringChecks {
  /** Fixed-point label == float label on `images` calibration images. */
  readonly agreement: { readonly agree: number; readonly images: number };
  /** One line per finding, with its figure; empty when the lowering kept the model. */
  readonly warnings: readonly string[];
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function zeroWeightWarnings(model: Model, program: Program): string[] {
  const warnings: string[] = [];
  for (const op of program.layers) {
    if (op.kind === 'pool' || op.weights.length === 0) continue;
    const layer = model.layers.find((l) => l.name === op.name);
    if (!layer || layer.kind === 'pool' || layer.kind === 'dense' || !layer.weights) continue;
    const float = layer.weights.data;
    if (float.length !== op.weights.length) continue;
    let nonzero = 0;
    let lost = 0;
    for (let i = 0; i < float.length; i++) {
      if (float[i] === 0) continue;
      nonzero++;
      if (op.weights[i] === 0) lost++;
    }
    if (nonzero > 0 && lost > ZERO_WEIGHT_WARN_FRACTION * nonzero) {
      warnings.push(`${op.name}: ${formatCount(lost)} of ${formatCount(float.length)} weights quantize to 0 at ${program.quantization.weightBits}-bit weights`);
    }
  }
  return warnings;
}

/** Runs the first AGREEMENT_IMAGES calibration images in float and in fixed point (the golden runtime). */
export function checkLowering(state: LoweringState, program: Program): LoweringChecks {
  if (state.model.kind !== 'snn') return { agreement: { agree: 0, images: 0 }, warnings: [] };
  const model = { ...state.model, timesteps: program.timesteps };
  const images = state.calibration.images.slice(0, AGREEMENT_IMAGES);
  // Per layer: on how many images it made any output visible, in fixed point and in float.
  const fixedFires = program.layers.map(() => 0);
  const floatFires = state.model.layers.map(() => 0);
  let agree = 0;
  images.forEach((image, i) => {
    const seed = state.calibration.seeds[i] ?? i;
    const fixed = traceGolden(program, image, seed);
    fixed.layers.forEach((layer, l) => {
      if (layer.output.some((o) => o.some((v) => v !== 0))) fixedFires[l]!++;
    });
    const fired = state.model.layers.map(() => false);
    const float = runSnnFloat(model, image, seed, (l, _t, _membrane, output) => {
      if (!fired[l] && output.some((v) => v !== 0)) fired[l] = true;
    });
    fired.forEach((f, l) => f && floatFires[l]!++);
    if (fixed.label === float.label) agree++;
  });
  const warnings = zeroWeightWarnings(state.model, program);
  program.layers.forEach((op, l) => {
    // Silent in fixed point where float fired: the formats cut the layer off (a layer silent in float is the model's).
    const inFloat = floatFires[state.model.layers.findIndex((m) => m.name === op.name)] ?? 0;
    if (op.kind === 'spiking' && fixedFires[l] === 0 && inFloat >= SILENT_WARN_FLOAT_FRACTION * images.length && images.length > 0) {
      warnings.push(`${op.name}: silent on all ${images.length} calibration images in fixed point (it fires on ${inFloat} in float)`);
    }
  });
  if (images.length > 0 && agree < AGREEMENT_WARN * images.length) {
    warnings.push(`fixed point agrees with float on ${formatCount(agree)} of ${formatCount(images.length)} calibration images (${((100 * agree) / images.length).toFixed(1)} %)`);
  }
  return { agreement: { agree, images: images.length }, warnings };
}
