/**
 * @fileoverview snn_coords: {channel, row, column} of a spiking layer's outputs, for a conv or pool consumer. The neuron
 * core presents every unit once per step in increasing order (unit j = flat CHW index), so a counter that advances on
 * each presented unit and wraps after the last holds the coordinates of the unit being presented.
 */
import { add, cat, eq, if_, land, ModuleBuilder, ne, num, set, type Module } from '../netlist.ts';
import { sized } from './common.ts';

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
  const lastCh = sized(b, 'LAST_CH', chBits, channels, 1);
  const lastRow = sized(b, 'LAST_ROW', rowBits, height, 1);
  const lastCol = sized(b, 'LAST_COL', colBits, width, 1);
  const ch = b.reg('ch', chBits);
  const row = b.reg('row', rowBits);
  const col = b.reg('col', colBits);
  b.assign(coords, cat(ch, row, col));
  const last = land(land(eq(ch, lastCh), eq(row, lastRow)), eq(col, lastCol));
  b.always(clk, [
    if_(rst, [set(ch, num(0)), set(row, num(0)), set(col, num(0))], [
      if_(advance, [
        if_(last, [set(ch, num(0)), set(row, num(0)), set(col, num(0))], [
          if_(ne(col, lastCol), [set(col, add(col, num(1)))], [
            set(col, num(0)),
            if_(ne(row, lastRow), [set(row, add(row, num(1)))], [set(row, num(0)), set(ch, add(ch, num(1)))]),
          ]),
        ]),
      ]),
    ]),
  ]);
  return b.build();
}
