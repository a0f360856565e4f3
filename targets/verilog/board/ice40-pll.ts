/**
 * @fileoverview The iCE40 PLL (SB_PLL40_PAD, simple feedback) settings for a wanted core clock from the board's
 * oscillator: fout = fin * (DIVF + 1) / ((DIVR + 1) * 2^DIVQ), with the phase detector at 10..133 MHz and the VCO at
 * 533..1066 MHz (the iCE40 sysCLOCK PLL limits, the ones icepll applies). The closest setting wins; `--clock-mhz`
 * values it cannot make within 1 % are refused.
 */
import { SnncError } from '../../../base/errors.ts';

export interface PllSetting {
  readonly divr: number;
  readonly divf: number;
  readonly divq: number;
  readonly filterRange: number;
  readonly hz: number;
}

/** The core clocks snnc offers on the iCE40 (MHz): below 16 the PLL cannot go, above 100 nothing here closes timing. */
export const CLOCK_MHZ_RANGE = { min: 16, max: 100 } as const;
const MAX_ERROR = 0.01;

function filterRange(pfdHz: number): number {
  const mhz = pfdHz / 1e6;
  return mhz < 17 ? 1 : mhz < 26 ? 2 : mhz < 44 ? 3 : mhz < 66 ? 4 : mhz < 101 ? 5 : 6;
}

export function pllSetting(inHz: number, wantedHz: number): PllSetting {
  const mhz = wantedHz / 1e6;
  if (!(mhz >= CLOCK_MHZ_RANGE.min && mhz <= CLOCK_MHZ_RANGE.max)) {
    throw new SnncError('usage', `--clock-mhz: ${mhz} is outside ${CLOCK_MHZ_RANGE.min}..${CLOCK_MHZ_RANGE.max}`);
  }
  let best: PllSetting | undefined;
  for (let divr = 0; divr < 16; divr++) {
    const pfd = inHz / (divr + 1);
    if (pfd < 10e6 || pfd > 133e6) continue;
    for (let divf = 0; divf < 128; divf++) {
      const vco = pfd * (divf + 1);
      if (vco < 533e6 || vco > 1066e6) continue;
      for (let divq = 1; divq <= 6; divq++) {
        const hz = vco / 2 ** divq;
        if (!best || Math.abs(hz - wantedHz) < Math.abs(best.hz - wantedHz)) best = { divr, divf, divq, filterRange: filterRange(pfd), hz };
      }
    }
  }
  if (!best || Math.abs(best.hz - wantedHz) > MAX_ERROR * wantedHz) {
    throw new SnncError('usage', `--clock-mhz: the PLL cannot make ${mhz} MHz from ${inHz / 1e6} MHz within 1 %`);
  }
  return best;
}
