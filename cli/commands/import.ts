/** @fileoverview `snnc import MODEL.nir --out DIR`: read a NIR graph and write it as an snnc float model directory. */
import { SnncError } from '../../base/errors.ts';
import { prepareOutputDir, writeDirAtomic, type OutputGuard } from '../../base/fs-atomic.ts';
import { MODEL_JSON, WEIGHTS_BIN, type SnnModel } from '../../model/format.ts';
import { serializeModel } from '../../model/write-model.ts';
import { importNir, isNirPath, nirFlags, nirDatasetFlag } from '../load-model-arg.ts';
import { flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';

const flags: FlagSpecs = {
  out: { kind: 'string', help: 'model directory to write (default: MODEL without .nir); replaced only if snnc wrote it' },
  dataset: nirDatasetFlag,
  timesteps: { kind: 'int', min: 1, max: 4096, help: 'timesteps of the model (default: the file\'s snnc head, else 25; events: dvs 30, channels 100)' },
  ...nirFlags,
};

export const importCommand: Command = {
  name: 'import',
  usage: 'MODEL.nir [--out DIR] [--dt DT] [--dataset mnist] [--input-scale S] [--encoder direct|jitter] [--timesteps T] [--events dvs|channels|frames] [--bin-us US] [--count-bits B]',
  summary: 'import a NIR graph (snnTorch, Sinabs, Norse, ...) as an snnc float model',
  flags,
  async run(args, io) {
    const [file] = positionals(args, ['MODEL.nir'], 'import');
    // Without the .nir suffix the default output would be the input itself (the file replaced by a folder).
    if (flagString(args, 'out') === undefined && !isNirPath(file!)) throw new SnncError('usage', `snnc import: ${file} does not end in .nir; give --out DIR`);
    const out = flagString(args, 'out') ?? file!.replace(/\.nir$/i, '');
    const guard: OutputGuard = { kind: 'model', inputs: [file!] };
    prepareOutputDir(out, guard);
    const model = await importNir(file!, args);
    const { json, weights } = serializeModel(model);
    writeDirAtomic(out, [[MODEL_JSON, json], [WEIGHTS_BIN, weights]], guard);
    const kinds = model.layers.map((l) => (l.kind === 'spiking' ? `${l.name}(${l.weights ? 'dense' : 'identity'} ${l.output}${l.recurrent ? ', recurrent' : ''}${l.synapticDecay !== undefined ? `, synaptic current${l.synapticBias ? ' with a bias' : ''}` : ''})` : `${l.name}(${l.kind})`));
    io.out(`imported ${file} to ${out}: ${model.layers.length} layers ${kinds.join(' -> ')}, ${model.classes} classes, T=${model.timesteps}${inputNote(model)}`);
    return 0;
  },
};

/** For an event input: its source, shape, bins and count bits (the defaults the import chose are visible). */
function inputNote(model: SnnModel): string {
  if (model.encoder.kind !== 'events') return '';
  const { source, binUs, startUs } = model.encoder.binning;
  return `, ${source} events [${model.input.shape.join(', ')}]${source === 'frames' ? '' : ` in ${binUs} us bins from ${startUs} us`}, ${model.encoder.countBits}-bit counts`;
}
