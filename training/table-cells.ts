/** @fileoverview The cells the results tables share: fixed-point accuracy (cached), percentages, wall time, commands. */
import type { EpochRecord } from './checkpoint.ts';
import { cachedAccuracy, fixedAccuracy, percent } from './fixed-accuracy.ts';

/** measure: use the cache, measure what is missing; fresh: measure everything again; cached: never measure. */
export type FixedMode = 'measure' | 'fresh' | 'cached';

export async function fixedCell(dir: string, mode: FixedMode): Promise<string> {
  if (mode === 'cached') {
    const hit = cachedAccuracy(dir, 8);
    return hit ? percent(hit) : `not measured this session (\`npx snnc eval ${dir}\`)`;
  }
  return percent(await fixedAccuracy(dir, 8, { fresh: mode === 'fresh', log: (line) => console.error(line) }));
}

export interface TrainingLog {
  readonly seconds?: number;
  readonly backend?: string;
  readonly threads?: number;
  readonly history?: readonly EpochRecord[];
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

export function wall(seconds: number | undefined): string {
  if (seconds === undefined) return '?';
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${Math.round(seconds / 60)} min`;
}

/** The recorded train command with its `--out` pointed at the examples/ folder the model was copied to. */
export function reproduceCommand(trainCommand: string, dir: string): string {
  const out = /--out\s+\S+/.test(trainCommand) ? trainCommand.replace(/--out\s+\S+/, `--out ${dir}`) : `${trainCommand} --out ${dir}`;
  return `npx ${out}`;
}

