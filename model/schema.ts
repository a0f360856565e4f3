/**
 * @fileoverview The JSON Schema of the model format's `model.json`: fields, types, constant ranges and defaults.
 * The reader checks it near the top of parsing (read-model.ts), docs/model.schema.json is this object printed, and
 * docs/model-format.md's field tables are rendered from it (test/model-schema.test.ts keeps both identical). What
 * depends on other fields or on weights.bin (shapes that chain, snn versus ann layer kinds, offsets) stays in the reader.
 */
import type { Schema } from '../ir/schema-check.ts';
import { checkSchema } from '../ir/schema-check.ts';
import { bool, choice, int, kinds, num, record, ref, str, tag } from '../ir/schema-build.ts';
import { MODEL_DATASETS } from './format.ts';

const MAX_DIM = 2 ** 20;

function tensor(description: string): Schema {
  return ref('tensor', description);
}

/** Fields both kinds of model share, in the order the writer puts them. */
function modelFields(kind: 'snn' | 'ann'): Record<string, Schema> {
  return {
    format: tag('snnc-model', 'Always `"snnc-model"`.'),
    version: tag(1, 'Always `1`; any other version is refused.'),
    kind: tag(kind, `\`"${kind}"\`.`),
    metadata: ref('metadata', 'Where the model came from.'),
    input: ref('input', 'The image the model reads.'),
  };
}

const LAYER_KINDS = ['conv', 'spiking', 'dense', 'pool'];

export const MODEL_SCHEMA: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'snnc model format (model.json), version 1',
  description: 'Generated from model/schema.ts; docs/model-format.md gives the meaning of every field.',
  oneOf: [{ $ref: '#/$defs/snnModel' }, { $ref: '#/$defs/annModel' }],
  $defs: {
    snnModel: record('A spiking model, run for `timesteps` steps.', {
      ...modelFields('snn'),
      encoder: ref('encoder', 'How pixels (or event frames) become the first layer\'s input each step.'),
      timesteps: int(1, 4096, 'T: steps per inference.'),
      classes: int(2, MAX_DIM, 'Scores per inference; the last layer has this many units.'),
      layers: { type: 'array', minItems: 1, items: kinds(LAYER_KINDS.map((k) => `${k}Layer`), 'A layer.'), description: 'Conv, pool and spiking layers (a dense layer is refused); the last is spiking.' },
      readout: ref('readout', 'How the scores are summed.'),
      weightsFile: ref('weightsFile', 'The weights blob.'),
    }),
    annModel: record('A float baseline, evaluated once; `snnc compile` refuses it.', {
      ...modelFields('ann'),
      classes: int(2, MAX_DIM, 'Scores per inference; the last layer has this many units.'),
      layers: { type: 'array', minItems: 1, items: kinds(LAYER_KINDS.map((k) => `${k}Layer`), 'A layer.'), description: 'Conv layers, then dense layers (spiking and pool layers are refused).' },
      weightsFile: ref('weightsFile', 'The weights blob.'),
    }),
    metadata: {
      type: 'object',
      description: 'Provenance. Not strict, unlike the rest: unknown fields are read past and not written back.',
      properties: {
        name: str('The model name.'),
        dataset: choice(MODEL_DATASETS, 'What it was trained on: an image dataset, an event or sequence dataset, or `none` (imported without one).'),
        arch: str('Architecture label.'),
        seed: int(0, 2 ** 32 - 1, 'Training seed.'),
        trainCommand: str('The exact command that produced the weights.'),
        accuracy: ref('accuracy', 'As measured after training.'),
        epochs: int(0, 1e6, 'Training epochs.'),
        qat: ref('qat', 'Set by quantization-aware training.'),
        backend: str('tfjs backend used.'),
        createdAt: str('ISO 8601 time.'),
        notes: str('Free text.'),
      },
      required: ['name', 'dataset', 'arch', 'seed', 'trainCommand'],
    },
    qat: {
      type: 'object',
      description: 'Quantization-aware training: the weight bits trained for (the default of `snnc compile`) and the accuracy of the quantized model.',
      properties: {
        weightBits: int(2, 16, 'Weight bits the forward pass quantized to.'),
        accuracy: ref('accuracy', 'The quantized evaluation: equals the compiled program on the same images and seeds.'),
      },
      required: ['weightBits', 'accuracy'],
    },
    accuracy: {
      type: 'object',
      description: 'Test accuracy.',
      properties: {
        test: num('Fraction correct, 0..1.'),
        crossEntropy: num('Mean test cross-entropy.'),
        samples: int(0, 1e9, 'Test images.'),
      },
      required: ['test', 'samples'],
    },
    input: record('`x = pixel * scale`, pixels 0..255 in CHW order; with the events encoder `x = count * scale`.', {
      shape: {
        type: 'array', minItems: 3, maxItems: 3, description: '`[channels, height, width]`; `[N, 1, 1]` for N event channels.',
        prefixItems: [int(1, 4096, 'Channels.'), int(1, 4096, 'Height.'), int(1, 4096, 'Width.')],
      },
      scale: num('Real value of one pixel unit (or one event), > 0 (1/255 gives [0, 1]; events: normally 1).'),
    }),
    encoder: kinds(['jitterEncoder', 'directEncoder', 'eventsEncoder'], 'Chosen by `kind`.'),
    jitterEncoder: record('`x_t = x * u_t`, `u_t` uniform in [0, 1) per pixel and step.', { kind: tag('jitter', '`"jitter"`.') }),
    directEncoder: record('`x_t = x`.', { kind: tag('direct', '`"direct"`.') }),
    eventsEncoder: record('The sample is T frames of event counts: `x_t = frame t * scale`.', {
      kind: tag('events', '`"events"`.'),
      binning: ref('eventBinning', 'How events become frames (docs/ir.md "Event input").'),
      countBits: int(1, 8, 'Bits of one count: counts saturate at 2^countBits - 1; the compiled input is `u{countBits}.0`.'),
    }),
    eventBinning: record('Event time `tau` (us) to frame `floor((tau - startUs) / binUs)`, kept when in `0..T-1`.', {
      source: choice(['dvs', 'channels', 'frames'], '`dvs`: `(x, y, polarity)`, channel = polarity for 2 input channels; `channels`: `(channel)`, input `[N, 1, 1]`; `frames`: samples are frames already (sequences).'),
      binUs: int(1, 2 ** 31 - 1, 'Microseconds per timestep.'),
      startUs: int(0, 2 ** 31 - 1, 'Window start in microseconds.'),
    }),
    tensor: record('A float32 tensor in weights.bin.', {
      shape: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1, maximum: MAX_DIM }, description: 'Must be the shape the layer implies.' },
      offset: int(0, Number.MAX_SAFE_INTEGER, 'Byte offset into weights.bin, a multiple of 4.'),
    }),
    convLayer: record('Stateless convolution, every step.', {
      kind: tag('conv', '`"conv"`.'),
      name: str('An identifier: letters, digits, `_`.'),
      filters: int(1, 1024, 'Output channels F.'),
      kernel: int(1, 64, 'Square window side.'),
      stride: { ...int(1, 64, 'Step between windows; left out at 1.'), default: 1 },
      padding: { ...int(0, 64, 'Zeros on every side, below `kernel`; left out at 0.'), default: 0 },
      weights: tensor('`[F, C, kernel, kernel]`.'),
      bias: tensor('`[F]`.'),
      learned: { ...bool('`false` marks a fixed filter bank (Gabor).'), default: true },
    }, ['stride', 'padding', 'learned']),
    spikingLayer: record('Synapse and membrane per unit (snn only).', {
      kind: tag('spiking', '`"spiking"`.'),
      name: str('An identifier: letters, digits, `_`.'),
      units: int(1, 65536, 'Neurons.'),
      weights: tensor('`[units, inputs]`; left out: the identity synapse (units == inputs).'),
      recurrent: tensor('`[units, units]`: the layer\'s own outputs of the previous step back into it; left out: none.'),
      bias: tensor('`[units]`.'),
      synapticDecay: num('Decay of a synaptic current c (0..1; NIR CubaLIF): `c = synapticDecay * c + input`, `u` adds `c`; left out: none.'),
      synapticBias: tensor('`[units]`: added to the synaptic current every step, `c = synapticDecay * c + input + synapticBias` (NIR: an Affine\'s bias into a CubaLIF); only with `synapticDecay`; left out: none.'),
      decay: num('Leak factor, 0..1.'),
      threshold: num('>= 0; 0 with output membrane.'),
      output: choice(['excess', 'binary', 'membrane'], 'What a unit emits.'),
      reset: ref('reset', 'What a firing unit\'s membrane becomes, chosen by `kind`.'),
      delay: choice([0, 1], '`1`: the layer shows the previous step\'s values.'),
    }, ['weights', 'recurrent', 'synapticDecay', 'synapticBias']),
    denseLayer: record('`y = act(W x + b)` (ann only).', {
      kind: tag('dense', '`"dense"`.'),
      name: str('An identifier: letters, digits, `_`.'),
      units: int(1, 65536, 'Outputs.'),
      weights: tensor('`[units, inputs]`.'),
      bias: tensor('`[units]`.'),
      activation: choice(['relu', 'leaky-relu', 'sigmoid', 'none'], 'The activation.'),
      alpha: num('Negative slope; required with `leaky-relu`.'),
    }, ['alpha']),
    poolLayer: record('Stateless sum or average pool, per channel (snn only).', {
      kind: tag('pool', '`"pool"`.'),
      name: str('An identifier: letters, digits, `_`.'),
      mode: choice(['sum', 'avg'], '`avg` divides the window sum by kernel².'),
      kernel: int(1, 64, 'Square window side.'),
      stride: int(1, 64, 'Step between windows (required).'),
      padding: int(0, 64, 'Zeros on every side, below `kernel` (required).'),
    }),
    reset: kinds(['refractoryReset', 'subtractReset', 'zeroReset', 'valueReset', 'noneReset'], 'Chosen by `kind`.'),
    refractoryReset: record('`u - (penalty / threshold) * u`; penalty / threshold above 16 is refused by the compiler.', {
      kind: tag('refractory', '`"refractory"`.'),
      penalty: num('>= 0; needs a nonzero threshold.'),
    }),
    subtractReset: record('`u - threshold`.', { kind: tag('subtract', '`"subtract"`.') }),
    zeroReset: record('`0`.', { kind: tag('zero', '`"zero"`.') }),
    valueReset: record('`value` (NIR v_reset).', { kind: tag('value', '`"value"`.'), value: num('The membrane after a spike.') }),
    noneReset: record('Never applied: only with output membrane.', { kind: tag('none', '`"none"`.') }),
    readout: record('Scores from the last layer.', {
      kind: choice(['sum', 'mean'], '`mean` divides by `timesteps - begin`.'),
      source: choice(['membrane', 'output'], 'Visible membrane or visible output (spike counts); left out at membrane.', 'membrane'),
      begin: int(0, 4095, 'First step summed.'),
    }, ['source']),
    weightsFile: record('The blob beside model.json.', {
      path: str('A plain file name beside model.json.'),
      bytes: int(0, 2 ** 30, 'Its length.'),
      sha256: str('Its sha256, hex.'),
    }),
  },
};

/** Throws SnncError('model') naming the first field of a parsed model.json that breaks the schema. */
export function checkModelSchema(root: unknown): void {
  checkSchema(MODEL_SCHEMA, root, 'model', 'model');
}
