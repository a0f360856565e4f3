/**
 * @fileoverview The JSON Schema of `ir.json`: the one statement of its fields, types, ranges and defaults. The
 * validator checks it first (validate.ts), docs/ir.schema.json is this object printed, and docs/ir.md's field
 * tables are rendered from it (test/ir-schema.test.ts keeps both identical). Ranges that depend on other fields
 * (a weight within its weightType, padding below kernel, proven widths) stay in validate.ts.
 */
import type { Schema } from './schema-check.ts';
import { bool, choice, int, ints, kinds, num, record, ref, str, tag } from './schema-build.ts';
import { LAYER_KINDS } from './registry.ts';

const SAFE = 2 ** 48;
const MEMBRANE = 2 ** 31;

function imageShape(description: string): Schema {
  return { type: 'array', items: { type: 'integer', minimum: 1, maximum: 4096 }, minItems: 3, maxItems: 3, description };
}

const window = {
  kernel: int(1, 64, 'Square window side.'),
  stride: int(1, 64, 'Step between windows.'),
  padding: int(0, 63, 'Zeros added on every side; must be below `kernel`.'),
};

export const IR_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'snnc fixed-point IR (ir.json), version 1',
  description: 'Generated from ir/schema.ts; docs/ir.md gives the meaning of every field.',
  $ref: '#/$defs/program',
  $defs: {
    program: record('The whole program: one file, `ir.json`.', {
      format: tag('snnc-ir', 'Always `"snnc-ir"`.'),
      version: tag(1, 'Always `1`.'),
      name: str('The model name (informational).'),
      sourceSha256: str('sha256 of the source model files (provenance; any string is accepted).'),
      timesteps: int(1, 4096, 'T: timesteps per inference.'),
      classes: int(1, 65536, 'K: scores per inference; the last spiking layer has this many units.'),
      input: ref('input', 'The image the program reads.'),
      encoder: ref('encoder', 'How pixels become the first layer\'s input each timestep.'),
      layers: { type: 'array', minItems: 1, items: kinds(LAYER_KINDS, 'An op.'), description: 'The ops, run in order every timestep; the last is spiking.' },
      readout: ref('readout', 'How the scores are summed.'),
      quantization: ref('quantization', 'How the compiler chose the integers (informational).'),
    }),
    intType: record('An integer type: `v` stands for `v * 2^-frac`. Printed `s16.8` (signed) or `u8.8`.', {
      signed: bool('Two\'s complement range `[-2^(bits-1), 2^(bits-1)-1]`, else `[0, 2^bits-1]`.'),
      bits: int(1, 48, 'Total bits, sign included; each field narrows this (see the limits).'),
      frac: int(-64, 64, 'Fraction bits. **May be negative**: `u1.-3` steps by 8, `s8.-22` by 2^22.'),
    }),
    factor: record('A real factor `mul / 2^shift`, applied as `scaleBy`.', {
      mul: int(0, 2 ** 20, 'Multiplier.'),
      shift: int(0, 20, 'Right shift, rounded half up.'),
    }),
    input: record('The input image.', {
      shape: imageShape('`[channels, height, width]`; pixels arrive in CHW order.'),
      type: ref('intType', 'Pixel type, unsigned, at most 16 bits: `u8.8` for 0..255 images. Its frac is nominal.'),
      realPerLsb: num('Real value of one pixel unit in the float model (1/255 beside `u8.8`); informational, the compiler folds it into the first layer\'s weights.'),
    }),
    encoder: kinds(['jitterEncoder', 'directEncoder', 'eventsEncoder'], 'Chosen by `kind`.'),
    jitterEncoder: record('`x_t[i] = floor(p[i] * r / 2^jitterBits)` with a fresh draw r per nonzero pixel.', {
      kind: tag('jitter', '`"jitter"`.'),
      prng: tag('xorshift32', 'The generator; always `"xorshift32"`.'),
      jitterBits: int(1, 16, 'Bits of each draw.'),
      outType: ref('intType', 'The input type (`input.type`).'),
    }),
    directEncoder: record('`x_t[i] = p[i]`.', {
      kind: tag('direct', '`"direct"`.'),
      outType: ref('intType', 'The input type (`input.type`).'),
    }),
    eventsEncoder: record('`x_t[i] = f[t * P + i]`: the sample is T frames of event counts (docs/ir.md "Event input").', {
      kind: tag('events', '`"events"`.'),
      binning: ref('eventBinning', 'How events become the frames.'),
      outType: ref('intType', 'The input type (`input.type`): counts saturate at its largest value.'),
    }),
    eventBinning: record('Event `(tau us)` to bin `floor((tau - startUs) / binUs)`, kept when in `0..T-1`.', {
      source: choice(['dvs', 'channels', 'frames'], '`dvs`: events `(x, y, polarity)`, channel = polarity for 2 input channels, else 0; `channels`: events `(channel)`, input `[N, 1, 1]`; `frames`: samples arrive as frames (sequences), no binning.'),
      binUs: int(1, 2 ** 31 - 1, 'Microseconds per timestep.'),
      startUs: int(0, 2 ** 31 - 1, 'Window start in microseconds.'),
    }),
    conv: record('Stateless convolution, every timestep.', {
      kind: tag('conv', '`"conv"`.'),
      name: str('Layer name.'),
      inShape: imageShape('`[C, H, W]`, the image reaching it.'),
      outShape: imageShape('`[F, outH, outW]`.'),
      kernel: window.kernel,
      stride: { ...window.stride, default: 1 },
      padding: { ...window.padding, default: 0 },
      inType: ref('intType', 'Type of the input values.'),
      weights: ints(-(2 ** 15), 2 ** 15 - 1, '`[F, C, kernel, kernel]` row-major, integers of `weightType`.'),
      weightType: ref('intType', 'Holds every weight; 2..16 bits.'),
      weightFrac: ints(-64, 64, 'Per filter: weight w means `w * 2^-weightFrac[f]` (informational).'),
      bias: ints(-SAFE, SAFE, 'Per filter, in accumulator units; an integer of `accType`.'),
      accType: ref('intType', 'Holds every `|acc|` (proven); frac = largest `weightFrac` + `inType.frac`, before `outShift`.'),
      outShift: ints(0, 31, 'Per filter right shift from accumulator to output.'),
      outType: ref('intType', 'Output type; 1..16 bits.'),
      learned: bool('`false` for a fixed filter bank (Gabor); informational.'),
    }, ['stride', 'padding']),
    pool: record('Stateless sum or average pool, per channel, every timestep.', {
      kind: tag('pool', '`"pool"`.'),
      name: str('Layer name.'),
      mode: choice(['sum', 'avg'], 'What the float model meant; the integers depend only on `scale`.'),
      inShape: imageShape('`[C, H, W]`, the image reaching it.'),
      outShape: imageShape('`[C, outH, outW]`.'),
      ...window,
      inType: ref('intType', 'Type of the input values.'),
      scale: ref('poolScale', '`y = clamp(scaleBy(window sum, scale), outType)`.'),
      outType: ref('intType', 'Output type; 1..16 bits.'),
    }),
    poolScale: record('A pool\'s real factor `mul / 2^shift` (shift up to 31, unlike `factor`).', {
      mul: int(0, 2 ** 20, 'Multiplier.'),
      shift: int(0, 31, 'Right shift, rounded half up.'),
    }),
    spiking: record('Synapse and membrane per unit: stateful.', {
      kind: tag('spiking', '`"spiking"`.'),
      name: str('Layer name.'),
      inputs: int(1, 2 ** 24, 'Values reaching it.'),
      units: int(1, 2 ** 24, 'Neurons; equals `inputs` for the identity synapse.'),
      inType: ref('intType', 'Type of the input values.'),
      synapse: choice(['dense', 'identity'], '`dense`: weights `[units, inputs]`; `identity`: `acc_j = x_j`, keeps an image an image.', 'dense'),
      weights: ints(-(2 ** 15), 2 ** 15 - 1, 'Dense: `[units, inputs]` row-major, integers of `weightType`; identity: `[]`.'),
      weightType: ref('intType', 'Holds every weight; 2..16 bits (identity: unused, the compiler writes `s2.0`).'),
      weightFrac: ints(-64, 64, 'Per unit: weight w means `w * 2^-weightFrac[j]` (informational; 0 for identity).'),
      accType: ref('intType', 'Holds every `|acc_j|` (proven); frac = the membrane\'s, i.e. after `accShift` (informational).'),
      accShift: ints(0, 31, 'Per unit left shift of `acc_j` onto the membrane\'s fraction bits.'),
      bias: ints(-MEMBRANE, MEMBRANE, 'Per unit, in membrane units.'),
      membraneType: ref('intType', 'Signed, 2..32 bits: where `u` is clamped.'),
      decay: ref('factor', 'Leak: `scaleBy(v, decay)`.'),
      threshold: int(0, MEMBRANE, 'Fires when `u > threshold`; in membrane units; 0 with output membrane.'),
      output: ref('output', 'What the layer emits, chosen by `kind`.'),
      reset: ref('reset', 'What a firing unit\'s membrane becomes, chosen by `kind`.'),
      delay: choice([0, 1], '`1`: the layer shows the previous timestep\'s values (zeros at t = 0).'),
      recurrent: ref('recurrentSynapse', 'The layer\'s own previous output back into its units; absent: none.'),
      synaptic: ref('synapticCurrent', 'A current state between synapse and membrane (CubaLIF); absent: none.'),
    }, ['synapse', 'recurrent', 'synaptic']),
    recurrentSynapse: record('`rec_j = sum_k weights[j,k] * r_k`, r the layer\'s output `o` of the previous step (zeros at t = 0).', {
      weights: ints(-(2 ** 15), 2 ** 15 - 1, '`[units, units]` row-major (`weights[j * units + k]`: unit k to unit j), integers of `weightType`.'),
      weightType: ref('intType', 'Holds every recurrent weight; 2..16 bits.'),
      weightFrac: ints(-64, 64, 'Per unit: weight w means `w * 2^-weightFrac[j]`; `weightFrac[j] + output.type.frac + accShift[j]` = the membrane\'s frac.'),
      accType: ref('intType', 'Holds every `|rec_j|` (proven); frac = the membrane\'s (informational); at most 48 bits.'),
      accShift: ints(0, 31, 'Per unit left shift of `rec_j` onto the membrane\'s fraction bits.'),
    }),
    synapticCurrent: record('`c_j = clamp(scaleBy(c_j, decay) + in_j + bias[j], type)`, 0 at t = 0; the membrane adds the new `c_j`.', {
      decay: ref('factor', 'Leak of the current: `scaleBy(c, decay)`.'),
      type: ref('intType', 'Signed, 2..32 bits, the membrane\'s frac: where `c` is clamped.'),
      bias: ints(-MEMBRANE, MEMBRANE, 'Per unit, in the current\'s units (integers of `type`), added before its clamp; absent: 0.'),
    }, ['bias']),
    output: kinds(['excessOutput', 'binaryOutput', 'membraneOutput'], 'Chosen by `kind`.'),
    excessOutput: record('`f ? clamp(roundShift(u - threshold, shift), type) : 0`.', {
      kind: tag('excess', '`"excess"`.'),
      shift: int(0, 31, 'Right shift from membrane to output units.'),
      type: ref('intType', 'Unsigned, 1..16 bits.'),
    }),
    binaryOutput: record('`f ? 1 : 0`.', {
      kind: tag('binary', '`"binary"`.'),
      type: ref('intType', 'Always `u1.0`.'),
    }),
    membraneOutput: record('`clamp(roundShift(u, shift), type)` every step; the layer never fires.', {
      kind: tag('membrane', '`"membrane"`.'),
      shift: int(0, 31, 'Right shift from membrane to output units.'),
      type: ref('intType', '1..16 bits, signed or not.'),
    }),
    reset: kinds(['refractoryReset', 'subtractReset', 'zeroReset', 'valueReset', 'noneReset'], 'Chosen by `kind`.'),
    refractoryReset: record('`clamp(u - scaleBy(u, {mul, shift}), membraneType)`.', {
      kind: tag('refractory', '`"refractory"`.'),
      mul: int(0, 2 ** 20, 'Multiplier.'),
      shift: int(0, 20, 'Right shift, rounded half up.'),
    }),
    subtractReset: record('`u - threshold`.', { kind: tag('subtract', '`"subtract"`.') }),
    zeroReset: record('`0`.', { kind: tag('zero', '`"zero"`.') }),
    valueReset: record('`value`.', {
      kind: tag('value', '`"value"`.'),
      value: int(-MEMBRANE, MEMBRANE, 'An integer of `membraneType`.'),
    }),
    noneReset: record('Never applied: only with output membrane.', { kind: tag('none', '`"none"`.') }),
    readout: record('Scores from the last layer.', {
      kind: choice(['sum', 'mean'], '`mean` changes only `realPerLsb`; the integers are the sum.'),
      source: choice(['membrane', 'output'], 'Sum the last layer\'s visible membrane or its visible output.', 'membrane'),
      begin: int(0, 4096, 'First timestep summed; below `timesteps`.'),
      scoreType: ref('intType', 'Holds every score (proven); at most 48 bits.'),
      realPerLsb: num('Real value of one score unit (for softmax and float comparison).'),
    }, ['source']),
    quantization: record('How the compiler lowered the float model; no target reads it.', {
      weightBits: int(1, 32, 'The `--weight-bits` used.'),
      granularity: choice(['layer', 'channel'], 'Weight scales per layer or per output channel.'),
      activationBits: int(1, 32, 'The `--activation-bits` used.'),
      calibration: ref('calibration', 'Images the ranges were measured on.'),
      provenNoSaturation: bool('True when range analysis proves no membrane clamp can trigger.'),
    }),
    calibration: record('Images the ranges were measured on.', {
      dataset: str('Dataset name (`mnist train`, `none`).'),
      images: int(0, 2 ** 31, 'How many images.'),
      seed: int(0, 2 ** 32 - 1, 'First jitter seed.'),
    }),
  },
};
