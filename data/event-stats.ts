/**
 * @fileoverview Event statistics of a dataset split (events per sample, per polarity, duration), and the samples they
 * are taken over. mnist-dvs-sim not in the cache is emulated on the spot from MNIST with the cache's seeds
 * (dvsSimSeed), which gives the very events `snnc data fetch mnist-dvs-sim` writes, so a statistic or figure needs no
 * 70,000-sample fetch.
 */
import { existsSync } from 'node:fs';
import { datasetDir } from './cache.ts';
import type { Split } from './datasets.ts';
import { emulateDvs } from './dvs-emulator.ts';
import { dvsSimSeed } from './dvs-sim-stage.ts';
import { loadEventDataset, type EventDatasetName } from './event-datasets.ts';
import type { EventSample } from './events.ts';
import { loadDataset } from './load.ts';
import { SnncError } from '../base/errors.ts';

export interface EventSamples {
  readonly count: number;
  readonly labels: Uint8Array;
  /** Where the samples came from, for the printout. */
  readonly origin: string;
  sample(i: number): EventSample;
}

/** Samples [offset, offset + limit) of an event dataset (not smnist, which has no events). */
export async function eventSamples(name: EventDatasetName, split: Split, offset: number, limit: number | undefined): Promise<EventSamples> {
  if (name === 'smnist') throw new SnncError('usage', 'smnist is a sequence of image rows, not events; it has no event statistics');
  if (name === 'mnist-dvs-sim' && !existsSync(datasetDir(name))) {
    const mnist = loadDataset('mnist', split, { offset, limit });
    return { count: mnist.count, labels: mnist.labels, origin: 'emulated now from the cached MNIST (the events the fetch writes)', sample: (i) => emulateDvs(mnist.image(i), dvsSimSeed(split, offset + i)) };
  }
  const data = await loadEventDataset(name, split, { offset, limit });
  if (data.kind !== 'events') throw new Error('internal: an event dataset without events');
  return { count: data.count, labels: data.labels, origin: `read from ${datasetDir(name)}`, sample: (i) => data.sample(i) };
}

export interface Moments {
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

function moments(values: readonly number[]): Moments {
  const n = Math.max(1, values.length);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  return { mean, std, min: values.reduce((a, b) => Math.min(a, b), Infinity), max: values.reduce((a, b) => Math.max(a, b), -Infinity) };
}

export interface EventStatistics {
  readonly samples: number;
  readonly events: Moments;
  /** DVS only: ON (polarity 1) and OFF (polarity 0) events per sample. */
  readonly on?: Moments;
  readonly off?: Moments;
  /** Time of the last event, microseconds. */
  readonly lastUs: Moments;
}

export function eventStatistics(source: EventSamples): EventStatistics {
  const events: number[] = [];
  const on: number[] = [];
  const lastUs: number[] = [];
  let dvs = false;
  for (let i = 0; i < source.count; i++) {
    const s = source.sample(i);
    events.push(s.t.length);
    lastUs.push(s.t.length > 0 ? s.t[s.t.length - 1]! : 0);
    if (s.kind === 'dvs') {
      dvs = true;
      on.push(s.p.reduce((a, p) => a + p, 0));
    }
  }
  const polarity = dvs ? { on: moments(on), off: moments(events.map((n, i) => n - on[i]!)) } : {};
  return { samples: source.count, events: moments(events), ...polarity, lastUs: moments(lastUs) };
}
