/**
 * @fileoverview Picks the fastest tfjs backend available: tfjs-node if it imports, else wasm (threaded SIMD, then SIMD),
 * else the pure-JS cpu backend. Training and the tests call `initBackend` once before building tensors.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'tensorflow' | 'wasm-threaded-simd' | 'wasm-simd' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** What we run on, e.g. `wasm-simd`; recorded in model metadata and results. */
  readonly name: BackendName;
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  readonly tfBackend: string;
  readonly threads: number;
}

let chosen: BackendInfo | undefined;

/** The folder that holds the wasm binaries, so Emscripten reads them from disk rather than fetching a URL. */
function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
}

async function tryTfjsNode(): Promise<BackendInfo | undefined> {
  try {
    // A variable specifier keeps TypeScript from requiring the (uninstallable here) package's types.
    const name = '@tensorflow/tfjs-node';
    await import(name);
    if (await tf.setBackend('tensorflow')) return { name: 'tensorflow', tfBackend: 'tensorflow', threads: 0 };
  } catch {
    // not installed: libtensorflow could not be downloaded on this machine
  }
  return undefined;
}

async function tryWasm(threads: boolean): Promise<BackendInfo | undefined> {
  // tfjs reports a failed init through console.warn/error with a stack; a failed threaded attempt is expected under
  // Node, so it stays quiet and the caller falls back.
  const [warn, error] = [console.warn, console.error];
  if (threads) console.warn = console.error = () => {};
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDistDir());
    // tfjs turns threads off under Node (tfjs issue 3830); forcing the flag makes it try the pthread build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', threads);
    if (!(await tf.setBackend('wasm'))) return undefined;
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const name: BackendName = threads ? 'wasm-threaded-simd' : simd ? 'wasm-simd' : 'wasm';
    return { name, tfBackend: 'wasm', threads: threads ? wasm.getThreadsCount() : 1 };
  } catch {
    return undefined;
  } finally {
    [console.warn, console.error] = [warn, error];
  }
}

/**
 * Initialises tfjs once. `prefer` forces a backend (for benchmarks and reproducibility); otherwise the order is
 * tfjs-node, wasm threaded SIMD, wasm SIMD, cpu. `log` gets one line saying which backend runs.
 */
export async function initBackend(prefer?: 'tensorflow' | 'wasm' | 'wasm-threaded' | 'cpu', log: (line: string) => void = () => {}): Promise<BackendInfo> {
  if (chosen) return chosen;
  let info: BackendInfo | undefined;
  if (prefer === undefined || prefer === 'tensorflow') info = await tryTfjsNode();
  if (!info && (prefer === undefined || prefer === 'wasm-threaded')) info = await tryWasm(true);
  if (!info && prefer !== 'cpu') info = await tryWasm(false);
  if (!info) {
    await tf.setBackend('cpu');
    await tf.ready();
    info = { name: 'cpu', tfBackend: 'cpu', threads: 1 };
  }
  log(`backend: ${info.name}`);
  chosen = info;
  return info;
}
