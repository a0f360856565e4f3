/**
 * @fileoverview Simulation models of the two iCE40 primitives a board design instantiates, for the Verilator board
 * harness only (synthesis maps the real cells): SB_SPRAM256KA (16K x 16, one port, nibble write mask, registered read)
 * and SB_PLL40_PAD (the clock passes through and LOCK is high: the harness clocks the core at the PLL's rate directly).
 */
import { and, cat, if_, index, lit, lnot, ModuleBuilder, not, num, or, repeat, set, type Module } from '../netlist.ts';
import { markUnused } from '../cores/common.ts';

export function spramModel(): Module {
  const b = new ModuleBuilder('SB_SPRAM256KA', 'simulation model: 16K x 16 single-port RAM (not for synthesis)');
  const address = b.input('ADDRESS', num(14));
  const dataIn = b.input('DATAIN', num(16));
  const mask = b.input('MASKWREN', num(4));
  const wren = b.input('WREN');
  const chipSelect = b.input('CHIPSELECT');
  const clock = b.input('CLOCK');
  const standby = b.input('STANDBY');
  const sleep = b.input('SLEEP');
  const powerOff = b.input('POWEROFF');
  const dataOut = b.output('DATAOUT', num(16), { reg: true });
  markUnused(b, 'power', standby, sleep, powerOff);
  const mem = b.memory('mem', num(16), num(16384));
  const bits = b.wire('write_bits', num(16));
  b.assign(bits, cat(...[3, 2, 1, 0].map((i) => repeat(num(4), index(mask, i)))));
  b.always(clock, [
    if_(chipSelect, [
      if_(wren, [set(index(mem, address), or(and(index(mem, address), not(bits)), and(dataIn, bits)))], [set(dataOut, index(mem, address))]),
    ]),
  ]);
  return b.build();
}

export function pllModel(): Module {
  const b = new ModuleBuilder('SB_PLL40_PAD', 'simulation model: the clock passes through, LOCK is high (not for synthesis)');
  b.stringParam('FEEDBACK_PATH', 'SIMPLE');
  b.param('DIVR', num(0));
  b.param('DIVF', num(0));
  b.param('DIVQ', num(0));
  b.param('FILTER_RANGE', num(0));
  const pad = b.input('PACKAGEPIN');
  const resetB = b.input('RESETB');
  const bypass = b.input('BYPASS');
  const core = b.output('PLLOUTCORE');
  const lock = b.output('LOCK');
  markUnused(b, 'controls', resetB, bypass);
  b.assign(core, pad);
  b.assign(lock, lnot(lit(0, 1)));
  return b.build();
}
