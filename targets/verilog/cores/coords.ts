/**
 * @fileoverview snn_coords: {channel, row, column} of a spiking layer's outputs, for a conv or pool consumer. The neuron
 * core presents every unit once per step in increasing order (unit j = flat CHW index), so a counter that advances on
 * each presented unit and wraps after the last holds the coordinates of the unit being presented.
 */
import { add, cat, if_, ModuleBuilder, num, type Module } from '../netlist.ts';
import { chwCounter } from './common.ts';

export function coordsModule(): Module {
  const b = new ModuleBuilder('snn_coords', 'CHW coordinates of the units a neuron core presents in order');
  const channels = b.param('CHANNELS', num(1));
  const height = b.param('HEIGHT', num(1));
  const width = b.param('WIDTH', num(1));
  const chBits = b.param('CH_BITS', num(1));
  const rowBits = b.param('ROW_BITS', num(1));
  const colBits = b.param('COL_BITS', num(1));
  const clk = b.input('clk');
  const rst = b.input('rst');
  const advance = b.input('advance');
  const coords = b.output('coords', add(add(chBits, rowBits), colBits));
  const c = chwCounter(b, { channels, height, width, chBits, rowBits, colBits });
  b.assign(coords, cat(c.ch, c.row, c.col));
  b.always(clk, [if_(rst, [...c.clear], [if_(advance, [if_(c.last, [...c.clear], [c.step])])])]);
  return b.build();
}
