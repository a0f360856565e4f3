/** @fileoverview `snnc data fetch NAME` / `snnc data add NAME PATH`: put a dataset in the cache, checksums verified. */
import { SnncError } from '../../base/errors.ts';
import { addEventDataset, ADDABLE_NAMES, isAddableName } from '../../data/add.ts';
import { FETCHABLE_NAMES } from '../../data/datasets.ts';
import { fetchDataset } from '../../data/fetch.ts';
import type { Command } from '../command.ts';

/** smnist is a view of mnist (row t of the image is frame t), so fetching it fetches mnist. */
const FETCH_NAMES = [...FETCHABLE_NAMES, 'smnist'] as const;

export const dataCommand: Command = {
  name: 'data',
  usage: `fetch ${FETCH_NAMES.join('|')} [...] | add ${ADDABLE_NAMES.join('|')} PATH`,
  summary: 'fetch datasets into the cache, or add event recordings you downloaded (checksums verified)',
  flags: {},
  async run(args, io) {
    const [verb, ...rest] = args.positional;
    if (verb === 'add') {
      const [name, path, ...extra] = rest;
      if (name === undefined || path === undefined || extra.length > 0) throw new SnncError('usage', `snnc data add: expected NAME PATH (NAME: ${ADDABLE_NAMES.join(', ')})`);
      if (!isAddableName(name)) throw new SnncError('usage', `snnc data add: "${name}" is not one of ${ADDABLE_NAMES.join(', ')}`);
      const dir = await addEventDataset(name, path, io.log);
      io.out(`${name}: ${dir}`);
      return 0;
    }
    if (verb !== 'fetch') throw new SnncError('usage', `snnc data: expected "fetch" or "add", got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
    const names = rest;
    if (names.length === 0) throw new SnncError('usage', `snnc data fetch: name a dataset (${FETCH_NAMES.join(', ')})`);
    for (const name of names) {
      if ((ADDABLE_NAMES as readonly string[]).includes(name)) throw new SnncError('usage', `snnc data fetch: ${name} cannot be downloaded here; download it yourself, then: snnc data add ${name} PATH`);
      if (!(FETCH_NAMES as readonly string[]).includes(name)) throw new SnncError('usage', `snnc data fetch: unknown dataset "${name}" (${FETCH_NAMES.join(', ')})`);
    }
    for (const name of names as (typeof FETCH_NAMES)[number][]) {
      const dir = await fetchDataset(name === 'smnist' ? 'mnist' : name, io.log);
      io.out(name === 'smnist' ? `smnist: a view of mnist (row t is frame t): ${dir}` : `${name}: ${dir}`);
    }
    return 0;
  },
};
