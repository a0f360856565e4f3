/** @fileoverview `snnc export MODEL --to nir --out FILE.nir`: write an snnc float model as a NIR graph (HDF5). */
import { SnncError } from '../../errors.ts';
import { requireSnn } from '../../lower.ts';
import { readModel } from '../../model/read-model.ts';
import { modelToNir } from '../../frontends/nir/export.ts';
import { writeNirFile } from '../../frontends/nir/write-nir.ts';
import { flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';

const flags: FlagSpecs = {
  to: { kind: 'string', choices: ['nir'], help: 'output format (nir)' },
  out: { kind: 'string', help: 'file to write (default <model name>.nir)' },
  dt: { kind: 'number', help: 'time step the NIR time constants assume (default 1); import with the same dt' },
};

export const exportCommand: Command = {
  name: 'export',
  usage: 'MODEL --to nir [--out FILE.nir] [--dt DT]',
  summary: 'export a float model as NIR (refuses what NIR cannot state exactly)',
  flags,
  async run(args, io) {
    const [modelPath] = positionals(args, ['MODEL'], 'export');
    if (flagString(args, 'to') === undefined) throw new SnncError('usage', 'snnc export: --to nir is required');
    const model = requireSnn(readModel(modelPath!), modelPath!);
    const dt = flagNumber(args, 'dt') ?? 1;
    const { graph, notes } = modelToNir(model, dt);
    const out = flagString(args, 'out') ?? `${model.metadata.name}.nir`;
    await writeNirFile(out, graph);
    for (const note of notes) io.log(`snnc: note: ${note}`);
    io.out(`exported ${modelPath} to ${out}: NIR ${graph.version}, ${graph.nodes.size} nodes, dt = ${dt}`);
    return 0;
  },
};
