/**
 * @fileoverview The weight-load port of a design with loaded weights (plan.load, the board flow's SPRAM form): the
 * words a boot loader writes into the first layer's weight memory before the first sample. snn_top, snn_axis and
 * snn_uart each declare it and pass it down unchanged.
 */
import { type Expr, type ModuleBuilder, num } from './netlist.ts';
import type { LoadPlan } from './load-plan.ts';

/** Declares load_we, load_addr, load_data as inputs of `b`; the record connects them to an instance below. */
export function loadInputs(b: ModuleBuilder, load: LoadPlan | undefined): Record<string, Expr> {
  if (!load) return {};
  return {
    load_we: b.input('load_we'),
    load_addr: b.input('load_addr', num(load.addrBits)),
    load_data: b.input('load_data', num(load.width)),
  };
}
