/**
 * @fileoverview The cross-target comparison of results/bench.md: every recorded throughput at T=8 and T=128 against
 * the best PyTorch configuration at the same T, per second of wall clock and per second of CPU time.
 *
 * ratio = (images per CPU second of the row) / (images per CPU second of the best PyTorch row at that T), where the
 * best PyTorch row is the one with the most images per CPU second. CPU time (user + system, every thread of the
 * process) is robust to other load on the machine, which only stretches the wall clock.
 */
import type { Throughput } from './row.ts';

export const COMPARED_TIMESTEPS = [8, 128] as const;

const isPytorch = (t: Throughput): boolean => t.target.startsWith('pytorch');
export const perWallSecond = (t: Throughput): number => t.images / t.wallSeconds;
export const perCpuSecond = (t: Throughput): number => t.images / t.cpuSeconds;

/** The PyTorch entry with the most images per CPU second at T = `timesteps`, if PyTorch was measured. */
export function bestPytorch(all: readonly Throughput[], timesteps: number): Throughput | undefined {
  return all.filter((t) => isPytorch(t) && t.timesteps === timesteps).reduce<Throughput | undefined>((best, t) => (!best || perCpuSecond(t) > perCpuSecond(best) ? t : best), undefined);
}

/** The "have we measured this" key of an entry. */
export const throughputKey = (target: string, timesteps: number, threads: number): string => `${target} T=${timesteps} ${threads}`;

/** Markdown lines: one table per compared T, snnc targets first, then the PyTorch rows. */
export function comparisonTable(all: readonly Throughput[]): string[] {
  const lines = [
    '| target | T | threads | images | images/s | images per CPU second | per CPU second vs best PyTorch | detail |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const timesteps of COMPARED_TIMESTEPS) {
    const best = bestPytorch(all, timesteps);
    const rows = all.filter((t) => t.timesteps === timesteps);
    const ordered = [...rows.filter((t) => !isPytorch(t)), ...rows.filter(isPytorch)];
    for (const t of ordered) {
      const ratio = best ? `${(perCpuSecond(t) / perCpuSecond(best)).toFixed(2)}x` : 'n/a (PyTorch not measured)';
      const marked = t === best ? `**${t.target}** (best)` : t.target;
      lines.push(`| ${marked} | ${t.timesteps} | ${t.threads} | ${t.images} | ${perWallSecond(t).toFixed(0)} | ${perCpuSecond(t).toFixed(0)} | ${ratio} | ${t.detail ?? ''} |`);
    }
  }
  return lines;
}
