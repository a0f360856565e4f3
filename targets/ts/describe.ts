/**
 * @fileoverview What a generated model is, in words: the lines of model.ts's header comment (the model, its API, how
 * to use it as the golden model of a test bench) and the model facts that README.md repeats.
 */
import { formatType, maxOf } from '../../ir/int-type.ts';
import type { IrLayer, Program } from '../../ir/program.ts';
import { unreachable } from '../../ir/registry.ts';
import type { SpikingOp } from '../../ir/spiking.ts';
import { eventBinning, eventTypeName, sampleName, type ModelPlan } from './plan.ts';

/** No comment terminator may leak from user-chosen names into the generated comment. */
function safe(text: string): string {
  return text.replace(/\*\//g, '* /').replace(/[\r\n]/g, ' ');
}

/** `, stride 2, padding 1` when either differs from the default. */
function windowNote(op: { readonly stride: number; readonly padding: number }): string {
  return op.stride === 1 && op.padding === 0 ? '' : `, stride ${op.stride}, padding ${op.padding}`;
}

function resetText(reset: SpikingOp['reset']): string {
  switch (reset.kind) {
    case 'refractory':
      return `refractory ${reset.mul}/2^${reset.shift}`;
    case 'value':
      return `value ${reset.value}`;
    case 'subtract':
    case 'zero':
    case 'none':
      return reset.kind;
    default:
      return unreachable(reset, 'reset mode');
  }
}

/** `, recurrent weights s8.0, synaptic current s16.8 decay 3/2^2`: the optional parts of a spiking op. */
function recurrenceText(op: SpikingOp): string {
  const rec = op.recurrent ? `, recurrent weights ${formatType(op.recurrent.weightType)}` : '';
  const syn = op.synaptic ? `, synaptic current ${formatType(op.synaptic.type)} decay ${op.synaptic.decay.mul}/2^${op.synaptic.decay.shift}` : '';
  return rec + syn;
}

function spikingLine(op: SpikingOp): string {
  const synapse = (op.synapse === 'identity' ? `spiking ${op.inputs} -> ${op.units} (identity synapse)` : `spiking ${op.inputs} -> ${op.units}, weights ${formatType(op.weightType)}`) + recurrenceText(op);
  if (op.output.kind === 'membrane') {
    return `${safe(op.name)}: ${synapse}, membrane ${formatType(op.membraneType)}, decay ${op.decay.mul}/2^${op.decay.shift}, ` +
      `membrane output (never fires) shift ${op.output.shift} to ${formatType(op.output.type)}, delay ${op.delay}`;
  }
  return `${safe(op.name)}: ${synapse}, membrane ${formatType(op.membraneType)}, ` +
    `threshold ${op.threshold}, decay ${op.decay.mul}/2^${op.decay.shift}, ${op.output.kind} output, ${resetText(op.reset)} reset, delay ${op.delay}`;
}

function layerLine(op: IrLayer): string {
  switch (op.kind) {
    case 'conv':
      return `${safe(op.name)}: conv ${op.inShape.join('x')} -> ${op.outShape.join('x')}, kernel ${op.kernel}${windowNote(op)}, weights ${formatType(op.weightType)}, out ${formatType(op.outType)}`;
    case 'pool':
      return `${safe(op.name)}: ${op.mode} pool ${op.inShape.join('x')} -> ${op.outShape.join('x')}, kernel ${op.kernel}${windowNote(op)}, ` +
        `scale ${op.scale.mul}/2^${op.scale.shift}, out ${formatType(op.outType)}`;
    case 'spiking':
      return spikingLine(op);
    default:
      return unreachable(op, 'layer kind');
  }
}

function inputLine(program: Program): string {
  const e = program.encoder;
  const [c, h, w] = program.input.shape;
  switch (e.kind) {
    case 'jitter':
      return `${c}x${h}x${w} pixels (CHW, 0..255), jitter encoder (xorshift32, ${e.jitterBits} bits per draw)`;
    case 'direct':
      return `${c}x${h}x${w} pixels (CHW, 0..255), direct encoder`;
    case 'events': {
      const { source, binUs, startUs } = e.binning;
      const binned = source === 'frames' ? 'given as frames' : `${source} events binned ${binUs} us per timestep from ${startUs} us`;
      return `${program.timesteps} frames of ${c}x${h}x${w} event counts (CHW, 0..${maxOf(program.input.type)}), events encoder (x_t = frame t; ${binned})`;
    }
    default:
      return unreachable(e, 'encoder');
  }
}

/** Model facts shared by the header and the README. */
export function modelLines(program: Program): string[] {
  return [
    `Input: ${inputLine(program)}; ${program.timesteps} timesteps; ${program.classes} classes.`,
    ...program.layers.map((op) => `  ${layerLine(op)}`),
    `Readout: sum of the last layer's visible ${program.readout.source === 'output' ? 'output' : 'membrane'} over timesteps ${program.readout.begin}..${program.timesteps - 1}.`,
  ];
}

/** The API lines of an events model: frames, and event lists where the program bins events. */
function eventApiLines(p: Program): string[] {
  const [c, h, w] = p.input.shape;
  const binning = eventBinning(p);
  const fields = binning?.source === 'dvs' ? '{ x, y, p, t }' : '{ channel, t }';
  return [
    `  infer(frames, seed) -> { scores, label }   frames: Uint8Array of ${p.timesteps} x ${c * h * w} event counts (${p.timesteps} frames of ${c}x${h}x${w}, CHW,`,
    `      frame-major), each 0..${maxOf(p.input.type)}; seed: unused`,
    '  trace(frames, seed) -> { scores, label, inputs[t][i], layers[l].membrane[t][j], layers[l].output[t][j] }',
    ...(binning === undefined ? [] : [
      `  binEvents(${fields}) -> { frames, dropped }   ${eventTypeName(binning.source)}, t in us; snnc's binning, the rule in binEvents' doc`,
      `  inferEvents(${fields}, seed) -> { scores, label, dropped }   infer(binEvents(events).frames, seed)`,
    ]),
  ];
}

/** The lines of the header comment of model.ts (without the comment's stars). */
export function headerLines(plan: ModelPlan): string[] {
  const p = plan.program;
  const [c, h, w] = p.input.shape;
  return [
    `@fileoverview Bit-exact model of \`${safe(p.name)}\`, generated by snnc (ts target) from its fixed-point IR, version ${p.version}.`,
    'Do not edit: regenerate it from the model. It computes exactly the integers of the snnc golden runtime (docs/ir.md',
    'of snnc) and depends on nothing: no imports, the weights are embedded. It compiles under `tsc --strict` and runs',
    'unchanged in Node, Deno, Bun and browsers.',
    '',
    ...modelLines(p),
    '',
    'API',
    ...(p.encoder.kind === 'events' ? eventApiLines(p) : [
      `  infer(image, seed) -> { scores, label }   image: Uint8Array of ${c * h * w} pixels (${c}x${h}x${w}, CHW); seed: uint32`,
      '  trace(image, seed) -> { scores, label, inputs[t][i], layers[l].membrane[t][j], layers[l].output[t][j] }',
    ]),
    "  firstDifference(expected, actual) -> 't=3 layer0 membrane[17]: expected 5, got 6' | undefined",
    '  modelInfo -> name, input shape, timesteps, classes, layer names, program fingerprint',
    'All values are integers: inputs and outputs in their activation units, membranes in membrane units.',
    '',
    'As the golden model of a test bench',
    '  1. Copy this one file next to the bench and import it: `import { infer, trace, firstDifference } from \'./model.ts\';`',
    ...(p.encoder.kind === 'events' ? [
      '  2. Per test vector (frames, seed), or `binEvents(events).frames` for an event list: `const want = infer(frames, seed);`',
      '     and require the design under test to give exactly `want.scores` (and `want.label`).',
    ] : [
      '  2. Per test vector (pixels, seed): `const want = infer(pixels, seed);` and require the design under test to give',
      '     exactly `want.scores` (and `want.label`). The same seed gives the same jitter draws in every snnc target.',
    ]),
    '  3. On a mismatch, dump the design\'s visible values in the shape of `trace` and print',
    `     \`firstDifference(trace(${sampleName(plan.encoder) === 'frames' ? 'frames' : 'pixels'}, seed), dump)\`: it names the first differing timestep, layer and neuron.`,
    'A plain-JavaScript bench can use it after `tsc model.ts --target es2022` or any TypeScript-stripping loader.',
  ];
}
