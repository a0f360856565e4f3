/** @fileoverview `snnc export MODEL --to nir --out FILE.nir`: write an snnc float model as a NIR graph (HDF5). */
import { SnncError } from '../../base/errors.ts';
import { requireSnn } from '../../compiler/lower.ts';
import { readModel } from '../../model/read-model.ts';
import { modelToNir } from '../../compiler/frontends/nir/export.ts';
import { writeNirFile } from '../../compiler/frontends/nir/write-nir.ts';
import { HDF5_SIGNATURE } from '../../compiler/frontends/nir/hdf5.ts';
import { makeParentFolders } from '../../base/fs-atomic.ts';
import { checkOutputFile, modelInput, namedOutputPath, type OutputFileGuard } from '../../base/output-guard.ts';
import { flagNumber, flagString, positionals, type FlagSpecs } from '../args.ts';
import type { Command } from '../command.ts';

/** Every HDF5 file (a NIR file is one) starts with this signature; an existing file without it is not replaced. */

const flags: FlagSpecs = {
  to: { kind: 'string', choices: ['nir'], help: 'output format (nir)' },
  out: { kind: 'string', help: 'file to write (default <model name>.nir); an existing file is replaced only if it is HDF5' },
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
    const out = flagString(args, 'out') ?? namedOutputPath('.', model.metadata.name, '.nir');
    const guard: OutputFileGuard = { inputs: [modelInput(modelPath!)], parents: 'create', recognise: { what: 'NIR (HDF5) file', test: (head) => head.subarray(0, 8).equals(HDF5_SIGNATURE) } };
    checkOutputFile(out, guard);
    makeParentFolders(out);
    await writeNirFile(out, graph); // staged beside `out` and renamed over it (hdf5.ts)
    for (const note of notes) io.log(`snnc: note: ${note}`);
    io.out(`exported ${modelPath} to ${out}: NIR ${graph.version}, ${graph.nodes.size} nodes, dt = ${dt}`);
    return 0;
  },
};
