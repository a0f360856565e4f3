/** @fileoverview One line of the benchmark table, and the throughput figures that feed the comparison table. */
export interface BenchRow {
  readonly what: string;
  readonly figure: string;
  readonly detail: string;
}

/** One measured throughput: `images` inferences of `target` at T = `timesteps` on `threads` threads. */
export interface Throughput {
  /** e.g. "ts", "wasm", "onnx", "golden", "pytorch (OpenBLAS 0.3.21)". */
  readonly target: string;
  readonly timesteps: number;
  readonly threads: number;
  readonly images: number;
  readonly wallSeconds: number;
  /** CPU time of the process (user + system) over the same interval. */
  readonly cpuSeconds: number;
  /** Anything that qualifies the figure (batch size, operator choice). */
  readonly detail?: string;
}

const recorded: Throughput[] = [];

/** Bench sections call this for every figure that belongs in the cross-target comparison. */
export function recordThroughput(t: Throughput): void {
  recorded.push(t);
}

export function recordedThroughput(): readonly Throughput[] {
  return recorded;
}
