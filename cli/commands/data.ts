/** @fileoverview `snnc data fetch NAME`: download or copy a dataset into the cache, checksums verified. */
import { SnncError } from '../../base/errors.ts';
import { DATASET_NAMES, isDatasetName } from '../../data/datasets.ts';
import { fetchDataset } from '../../data/fetch.ts';
import type { Command } from '../command.ts';

export const dataCommand: Command = {
  name: 'data',
  usage: `fetch ${DATASET_NAMES.join('|')} [...]`,
  summary: 'fetch datasets into the cache (checksums verified)',
  flags: {},
  async run(args, io) {
    const [verb, ...names] = args.positional;
    if (verb !== 'fetch') throw new SnncError('usage', `snnc data: expected "fetch", got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
    if (names.length === 0) throw new SnncError('usage', `snnc data fetch: name a dataset (${DATASET_NAMES.join(', ')})`);
    for (const name of names) if (!isDatasetName(name)) throw new SnncError('usage', `snnc data fetch: unknown dataset "${name}" (${DATASET_NAMES.join(', ')})`);
    for (const name of names) {
      const dir = await fetchDataset(name as (typeof DATASET_NAMES)[number], io.log);
      io.out(`${name}: ${dir}`);
    }
    return 0;
  },
};
