/** @fileoverview One line of the benchmark table. */
export interface BenchRow {
  readonly what: string;
  readonly figure: string;
  readonly detail: string;
}
