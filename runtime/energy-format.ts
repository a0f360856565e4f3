/** @fileoverview The activity and energy estimate as text lines for `snnc report` (the JSON is the estimate itself). */
import type { Cost, EnergyEstimate, LayerEnergy } from './energy.ts';

/** A count per sample: integers as they are, means with one decimal, thousands separated. */
function n(x: number): string {
  return x.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(x) ? 0 : 1, minimumFractionDigits: Number.isInteger(x) ? 0 : 1 });
}

/** Energy in nJ with 3 significant decimals. */
function nj(pJ: number): string {
  return (pJ / 1000).toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

function costLine(label: string, c: Cost): string {
  if (c.terms.length === 0) return `${label} none`;
  return `${label} ${c.terms.map((t) => `${t.what} ${t.pJ.toFixed(3)}`).join(' + ')}${c.terms.length > 1 ? ` = ${c.pJ.toFixed(3)}` : ''} pJ`;
}

const share = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '-');

const perStep = (x: number, T: number, of: number): string => `${n(Math.round((10 * x) / T) / 10)}/${of}`;

/** Activity, the memory reads by width and the energy estimate, per layer and total. */
export function formatEnergy(e: EnergyEstimate, imagesSource: string): string[] {
  const T = e.timesteps;
  const t = e.total;
  const lines = [
    `activity     ${e.program}, T=${T}, per sample: mean over ${e.images} ${imagesSource}, counted event-driven on the golden runtime's integers`,
    ...table([
      ['layer', 'kind', 'in nz/step', 'out nz/step', 'spikes', 'synops', 'dense synops', 'updates', 'weight reads', 'membrane reads+writes'],
      ...e.layers.map((l) => [
        l.name, kindOf(l), perStep(l.nonzeroInputs, T, l.inputs), perStep(l.nonzeroOutputs, T, l.units), n(l.fires), n(l.synops), n(l.denseSynops), n(l.updates),
        l.weightBits ? `${n(l.weightReads)} x ${l.weightBits}b` : '-', l.membraneBits ? `2 x ${n(l.membraneReads)} x ${l.membraneBits}b` : '-',
      ]),
      ['total', '', '', '', n(t.fires), n(t.synops), n(t.denseSynops), n(t.updates), n(t.weightReads), `2 x ${n(t.membraneReads)}`],
    ]).map((line) => `  ${line}`),
    '  (nz/step: nonzero values per timestep / size; spikes: units above threshold; the other columns per sample)',
    `reads        per sample by width: ${e.readsByWidth.map((r) => `${n(r.reads)} x ${r.bits}b`).join(', ')} (weights and membranes; as many membrane writes)`,
    `ANN-equiv.   ${n(t.annMacs)} MACs in one pass of the conv and dense layers (every input times every weight once)`,
    '',
    `energy       ESTIMATE per sample, arithmetic and on-chip SRAM only, from the 45 nm figures of ${e.source}`,
    ...table([
      ['layer', 'kind', 'synops nJ', 'updates nJ', 'spikes nJ', 'event-driven nJ', 'of it SRAM', 'dense-equivalent nJ', 'ANN int nJ (1 pass)', 'ANN float32 nJ (1 pass)'],
      ...e.layers.map((l) => [l.name, kindOf(l), nj(l.synopPj), nj(l.updatePj), nj(l.firePj), nj(l.eventPj), share(l.eventMemoryPj, l.eventPj), nj(l.densePj), nj(l.annIntPj), nj(l.annFloatPj)]),
      ['total', '', nj(t.synopPj), nj(t.updatePj), nj(t.firePj), nj(t.eventPj), share(t.eventMemoryPj, t.eventPj), nj(t.densePj), nj(t.annIntPj), nj(t.annFloatPj)],
    ]).map((line) => `  ${line}`),
    'per operation (event synop: only nonzero inputs, multiply only for inputs wider than 1 bit; dense synop: always multiplies)',
    ...e.layers.flatMap((l) => costLines(l)),
  ];
  return lines;
}

function kindOf(l: LayerEnergy): string {
  return l.kind === 'spiking' ? (l.weightBits ? 'dense' : 'identity') : l.kind;
}

function costLines(l: LayerEnergy): string[] {
  const c = l.cost;
  return [
    `  ${l.name}: ${costLine('event synop', c.synop)}`,
    `  ${' '.repeat(l.name.length)}  ${costLine('dense synop', c.denseSynop)}`,
    ...(c.recurrentSynop.terms.length ? [`  ${' '.repeat(l.name.length)}  ${costLine('recurrent synop', c.recurrentSynop)}`] : []),
    `  ${' '.repeat(l.name.length)}  ${costLine('update', c.update)}`,
    ...(c.fire.terms.length ? [`  ${' '.repeat(l.name.length)}  ${costLine('fire', c.fire)}`] : []),
  ];
}
