/**
 * @fileoverview The one table of per-operation energies the estimate uses (docs/energy.md), with its source, and the
 * rule that maps an operation of some width to a row of it. Figures are in picojoules (pJ) at 45 nm, 0.9 V.
 *
 *   add of b bits       b <= 8: the 8-bit figure, b <= 32: the 32-bit figure, wider: 32-bit figure * b/32
 *   multiply a x b      w = max(a, b); w <= 8: 8-bit, w <= 32: 32-bit, wider: 32-bit figure * (w/32)^2
 *   read of b bits      the 64-bit read of the smallest listed SRAM holding the array (the largest one beyond it),
 *                       times b/64; a write is costed as a read of the same width
 */

export const ENERGY_SOURCE = 'M. Horowitz, "Computing\'s energy problem (and what we can do about it)", ISSCC 2014, 45 nm, 0.9 V';

export const ENERGY_FIGURES = {
  /** Integer add, by width. */
  intAdd: [{ bits: 8, pJ: 0.03 }, { bits: 32, pJ: 0.1 }],
  /** Integer multiply, by width. */
  intMult: [{ bits: 8, pJ: 0.2 }, { bits: 32, pJ: 3.1 }],
  floatAdd32: 0.9,
  floatMult32: 3.7,
  /** A 64-bit read from an SRAM cache of this size. */
  sramRead64: [{ bytes: 8 * 1024, pJ: 10 }, { bytes: 32 * 1024, pJ: 20 }, { bytes: 1024 * 1024, pJ: 100 }],
} as const;

/** One costed operation: what it is (which figure it used) and its energy in pJ. */
export interface Term {
  readonly what: string;
  readonly pJ: number;
  /** True for a memory read or write (the rest is arithmetic). */
  readonly memory?: true;
}

function byWidth(rows: readonly { bits: number; pJ: number }[], bits: number, exponent: number): number {
  const row = rows.find((r) => bits <= r.bits);
  if (row) return row.pJ;
  const widest = rows[rows.length - 1]!;
  return widest.pJ * (bits / widest.bits) ** exponent;
}

export function addTerm(bits: number, role = 'add'): Term {
  return { what: `${role} ${bits}b`, pJ: byWidth(ENERGY_FIGURES.intAdd, bits, 1) };
}

export function multTerm(a: number, b: number, role = 'mult'): Term {
  return { what: `${role} ${a}x${b}b`, pJ: byWidth(ENERGY_FIGURES.intMult, Math.max(a, b), 2) };
}

export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} B`;
}

/** A read (or write) of `bits` from an array of `arrayBytes` bytes. */
export function memoryTerm(bits: number, arrayBytes: number, role: string): Term {
  const rows = ENERGY_FIGURES.sramRead64;
  const row = rows.find((r) => arrayBytes <= r.bytes) ?? rows[rows.length - 1]!;
  return { what: `${role} ${bits}b of ${formatBytes(arrayBytes)} (${formatBytes(row.bytes)} SRAM)`, pJ: (row.pJ * bits) / 64, memory: true };
}

export function floatMacTerms(weightArrayBytes: number): Term[] {
  return [
    { what: 'fmult 32b', pJ: ENERGY_FIGURES.floatMult32 },
    { what: 'fadd 32b', pJ: ENERGY_FIGURES.floatAdd32 },
    memoryTerm(32, weightArrayBytes, 'weight read'),
  ];
}
