/**
 * @fileoverview `snnc data`: fetch datasets into the cache, add event recordings the user downloaded (checksums
 * verified), and look at event datasets (statistics, a raster figure). docs/events.md describes the event datasets.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SnncError } from '../../base/errors.ts';
import { checkOutputFile } from '../../base/output-guard.ts';
import { addEventDataset, ADDABLE_NAMES, isAddableName } from '../../data/add.ts';
import { FETCHABLE_NAMES, type Split } from '../../data/datasets.ts';
import { EVENT_DATASET_NAMES, EVENT_DATASETS, isEventDatasetName, type EventDatasetName } from '../../data/event-datasets.ts';
import { eventSamples, eventStatistics, type Moments } from '../../data/event-stats.ts';
import { fetchDataset } from '../../data/fetch.ts';
import { PNG_SIGNATURE } from '../../data/png.ts';
import { flagNumber, flagString, type ParsedArgs } from '../args.ts';
import type { Command, CommandIO } from '../command.ts';
import { eventRasterFigure } from './data-figure.ts';

/** smnist is a view of mnist (row t of the image is frame t), so fetching it fetches mnist. */
const FETCH_NAMES = [...FETCHABLE_NAMES, 'smnist'] as const;
const VIEWABLE = EVENT_DATASET_NAMES.filter((n) => n !== 'smnist');

async function fetch(names: readonly string[], io: CommandIO): Promise<number> {
  if (names.length === 0) throw new SnncError('usage', `snnc data fetch: name a dataset (${FETCH_NAMES.join(', ')})`);
  for (const name of names) {
    if (isAddableName(name)) throw new SnncError('usage', `snnc data fetch: ${name} cannot be downloaded here; download it yourself, then: snnc data add ${name} PATH`);
    if (!(FETCH_NAMES as readonly string[]).includes(name)) throw new SnncError('usage', `snnc data fetch: unknown dataset "${name}" (${FETCH_NAMES.join(', ')})`);
  }
  for (const name of names as (typeof FETCH_NAMES)[number][]) {
    const dir = await fetchDataset(name === 'smnist' ? 'mnist' : name, io.log);
    io.out(name === 'smnist' ? `smnist: a view of mnist (row t is frame t): ${dir}` : `${name}: ${dir}`);
  }
  return 0;
}

async function add(rest: readonly string[], io: CommandIO): Promise<number> {
  const [name, path, ...extra] = rest;
  if (name === undefined || path === undefined || extra.length > 0) throw new SnncError('usage', `snnc data add: expected NAME PATH (NAME: ${ADDABLE_NAMES.join(', ')})`);
  if (!isAddableName(name)) throw new SnncError('usage', `snnc data add: "${name}" is not one of ${ADDABLE_NAMES.join(', ')}`);
  io.out(`${name}: ${await addEventDataset(name, path, io.log)}`);
  return 0;
}

function eventDataset(verb: string, rest: readonly string[]): EventDatasetName {
  const [name, ...extra] = rest;
  if (name === undefined || extra.length > 0 || !isEventDatasetName(name) || name === 'smnist') throw new SnncError('usage', `snnc data ${verb}: name one event dataset (${VIEWABLE.join(', ')})`);
  return name;
}

const show = (m: Moments, digits = 0): string => `mean ${m.mean.toFixed(digits)}, std ${m.std.toFixed(digits)}, min ${m.min}, max ${m.max}`;

async function stats(rest: readonly string[], args: ParsedArgs, io: CommandIO): Promise<number> {
  const name = eventDataset('stats', rest);
  const split = (flagString(args, 'split') ?? 'train') as Split;
  const source = await eventSamples(name, split, flagNumber(args, 'offset') ?? 0, flagNumber(args, 'limit') ?? 1000);
  const s = eventStatistics(source);
  io.out(`${name} ${split}: ${s.samples} samples, ${source.origin}`);
  io.out(`events per sample: ${show(s.events, 1)}`);
  if (s.on && s.off) {
    io.out(`ON (polarity 1) per sample: ${show(s.on, 1)}`);
    io.out(`OFF (polarity 0) per sample: ${show(s.off, 1)}`);
  }
  io.out(`last event at (us): ${show(s.lastUs)}`);
  return 0;
}

async function raster(rest: readonly string[], args: ParsedArgs, io: CommandIO): Promise<number> {
  const name = eventDataset('raster', rest);
  const out = flagString(args, 'out');
  if (out === undefined) throw new SnncError('usage', 'snnc data raster: --out FILE.png is required');
  checkOutputFile(out, { parents: 'create', inputs: [], recognise: { what: 'PNG file', test: (head) => head.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) } });
  const split = (flagString(args, 'split') ?? 'test') as Split;
  const index = flagNumber(args, 'sample') ?? 0;
  const source = await eventSamples(name, split, index, 1);
  const sample = source.sample(0);
  const on = sample.kind === 'dvs' ? `, ${sample.p.reduce((a, p) => a + p, 0)} ON` : '';
  const title = `${name} ${split} sample ${index}: label ${source.labels[0]}, ${sample.t.length} events${on}`.toUpperCase();
  const canvas = eventRasterFigure(title, sample, EVENT_DATASETS[name].shape);
  mkdirSync(dirname(out), { recursive: true });
  canvas.save(out);
  io.out(`${out}: ${canvas.width}x${canvas.height} raster of ${name} ${split} sample ${index}`);
  return 0;
}

export const dataCommand: Command = {
  name: 'data',
  usage: `fetch ${FETCH_NAMES.join('|')} [...] | add ${ADDABLE_NAMES.join('|')} PATH | stats|raster ${VIEWABLE.join('|')}`,
  summary: 'fetch datasets into the cache, add event recordings you downloaded (checksums verified), event statistics and rasters',
  flags: {
    split: { kind: 'string', choices: ['train', 'test'], help: 'stats, raster: the split (default train for stats, test for raster)' },
    offset: { kind: 'int', min: 0, help: 'stats: first sample (default 0)' },
    limit: { kind: 'int', min: 1, help: 'stats: number of samples (default 1000)' },
    sample: { kind: 'int', min: 0, help: 'raster: index of the sample in the split (default 0)' },
    out: { kind: 'string', help: 'raster: PNG file to write' },
  },
  async run(args, io) {
    const [verb, ...rest] = args.positional;
    if (verb === 'fetch') return fetch(rest, io);
    if (verb === 'add') return add(rest, io);
    if (verb === 'stats') return stats(rest, args, io);
    if (verb === 'raster') return raster(rest, args, io);
    throw new SnncError('usage', `snnc data: expected fetch, add, stats or raster, got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  },
};
