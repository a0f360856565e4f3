/**
 * @fileoverview The PyTorch baseline: runs bench/pytorch/snn_bench.py (the same float model, batched, float32) on one
 * and on two threads with OMP_WAIT_POLICY=PASSIVE, and records its throughput as "pytorch (BLAS)". It needs a Python
 * that imports torch (bench/setup-pytorch.sh installs Debian's python3-torch with OpenBLAS); without one, the section
 * is one row saying why it was not measured.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { datasetDir } from '../data/cache.ts';
import { loadDataset } from '../data/load.ts';
import { recordThroughput, type BenchRow } from './row.ts';

const SCRIPT = fileURLToPath(new URL('./pytorch/snn_bench.py', import.meta.url));
/** Debian's python3-torch lives in the system interpreter, which a pyenv or venv `python3` on PATH does not see. */
const PYTHONS = [process.env.SNNC_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);

export interface PytorchRun {
  readonly torch: string;
  readonly python: string;
  readonly blas: string;
  /** The file whose sgemm_ torch calls. */
  readonly sgemmFrom: string | null;
  readonly blasLibraries: readonly string[];
  readonly blasInfo: string;
  readonly oneDnn: string;
  readonly parallelBackend: string;
  readonly threads: number;
  readonly ompWaitPolicy: string;
  readonly batch: number;
  readonly passes: number;
  readonly measurements: readonly { timesteps: number; images: number; wallSeconds: number; cpuSeconds: number }[];
  readonly accuracy?: { timesteps: number; images: number; correct: number };
}

/** The first interpreter that imports torch, or why none does. */
export function findTorchPython(): { python: string } | { missing: string } {
  const tried: string[] = [];
  for (const python of PYTHONS) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status === 0) return { python };
    tried.push(`${python}: ${probe.error ? 'not found' : (probe.stderr.trim().split('\n').pop() ?? 'failed')}`);
  }
  return { missing: `no Python imports torch (${tried.join('; ')}); run bench/setup-pytorch.sh as root` };
}

export interface PytorchOptions {
  readonly threads: number;
  readonly timesteps: readonly number[];
  readonly images: number;
  readonly batch?: number;
  readonly passes?: number;
  readonly accuracy?: boolean;
  /** Extra environment, e.g. LD_LIBRARY_PATH to put another libblas.so.3 first. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs the script once (threads and BLAS threads fixed through the environment before torch starts). */
export function runPytorch(python: string, modelDir: string, options: PytorchOptions): PytorchRun {
  loadDataset('mnist', 'test', { limit: 1 }); // fetches MNIST into the cache if it is not there yet
  const args = [SCRIPT, '--model', modelDir, '--mnist', datasetDir('mnist'), '--threads', `${options.threads}`, '--timesteps', options.timesteps.join(','), '--images', `${options.images}`];
  args.push('--batch', `${options.batch ?? 1000}`, '--passes', `${options.passes ?? 3}`, ...(options.accuracy ? ['--accuracy'] : []));
  const threads = `${options.threads}`;
  const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, MKL_NUM_THREADS: threads, ...options.env };
  const run = spawnSync(python, args, { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${python} ${SCRIPT} failed: ${run.stderr.trim().split('\n').pop() ?? run.error}`);
  return JSON.parse(run.stdout) as PytorchRun;
}

/** Debian's netlib reference BLAS: what `apt-get install --no-install-recommends python3-torch` leaves torch with. */
const NETLIB_DIR = '/usr/lib/x86_64-linux-gnu/blas';

/** The Debian package version of python3-torch (torch.__version__ says 1.13.0a0 for 1.13.1+dfsg), if dpkg knows it. */
function debianTorchVersion(): string {
  const q = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'python3-torch'], { encoding: 'utf8' });
  return q.status === 0 ? `, Debian python3-torch ${q.stdout.trim()}` : '';
}

const passesText = (n: number): string => (n === 1 ? 'one pass' : `best of ${n} passes`);

/** The target name of a run in the comparison: "pytorch (OpenBLAS 0.3.21 (Zen))". */
export const pytorchTarget = (run: PytorchRun): string => `pytorch (${run.blas})`;

/** Records every measurement of `run` as Throughput. */
export function recordPytorch(run: PytorchRun): void {
  for (const m of run.measurements) {
    recordThroughput({ target: pytorchTarget(run), timesteps: m.timesteps, threads: run.threads, images: m.images, wallSeconds: m.wallSeconds, cpuSeconds: m.cpuSeconds, detail: `torch ${run.torch}, batch ${run.batch}, float32, ${passesText(run.passes)}` });
  }
}

const row = (run: PytorchRun, m: PytorchRun['measurements'][number], label: string): BenchRow => ({
  what: `pytorch${label}, T=${m.timesteps}, ${run.threads} thread${run.threads > 1 ? 's' : ''}`,
  figure: `${(m.images / m.wallSeconds).toFixed(0)} images/s`,
  detail: `${(m.images / m.cpuSeconds).toFixed(0)} images per CPU second; ${run.blas}, batch ${run.batch}, ${m.images} images, ${passesText(run.passes)}`,
});

/**
 * The PyTorch rows of `npm run bench`: T=8 and T=128 on one and two threads, the float accuracy once, and, when
 * Debian's netlib reference BLAS is installed, one thread on it (LD_LIBRARY_PATH puts its libblas.so.3 first), to show
 * what the BLAS does to the baseline.
 */
export async function benchPytorch(modelDir: string, images: number): Promise<BenchRow[]> {
  const found = findTorchPython();
  if ('missing' in found) return [{ what: 'pytorch baseline', figure: 'not measured', detail: found.missing }];
  const rows: BenchRow[] = [];
  for (const threads of [1, 2]) {
    const run = runPytorch(found.python, modelDir, { threads, timesteps: [8, 128], images, accuracy: threads === 1 });
    recordPytorch(run);
    if (threads === 1) {
      rows.push({ what: 'pytorch: version and BLAS', figure: run.blas, detail: `torch ${run.torch}${debianTorchVersion()} (python ${run.python}); sgemm_ from ${run.sgemmFrom}; mapped: ${run.blasLibraries.join(', ')}; built with BLAS_INFO=${run.blasInfo} (libblas.so.3), oneDNN ${run.oneDnn}, ${run.parallelBackend}; OMP_WAIT_POLICY=${run.ompWaitPolicy}` });
      const a = run.accuracy!;
      rows.push({ what: `pytorch float accuracy, T=${a.timesteps}`, figure: `${((100 * a.correct) / a.images).toFixed(2)} %`, detail: `${a.correct}/${a.images} MNIST test images; jitter from torch.rand (seed 0), not snnc's xorshift32, so single images differ from the float reference` });
    }
    rows.push(...run.measurements.map((m) => row(run, m, '')));
  }
  if (existsSync(`${NETLIB_DIR}/libblas.so.3`)) {
    const netlib = runPytorch(found.python, modelDir, { threads: 1, timesteps: [8, 128], images: Math.min(images, 1000), passes: 1, env: { LD_LIBRARY_PATH: NETLIB_DIR } });
    recordPytorch(netlib);
    rows.push(...netlib.measurements.map((m) => row(netlib, m, ` with LD_LIBRARY_PATH=${NETLIB_DIR}`)));
  }
  return rows;
}
