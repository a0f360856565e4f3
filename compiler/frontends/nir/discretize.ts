/**
 * @fileoverview The time discretization between NIR's continuous-time neurons and snnc's per-step layers, and its
 * exact inverses for export. Forward Euler with step dt, the current I_t of the same step driving v (snnTorch's and
 * Norse's convention; snnTorch exports beta as tau = dt/(1-beta), r = tau/dt):
 *   LIF / LI:  tau dv/dt = (v_leak - v) + R I   ->  v_t = (1 - dt/tau) v_{t-1} + (dt R/tau) I_t + (dt/tau) v_leak
 *   IF  / I:   dv/dt = R I                       ->  v_t = v_{t-1} + (dt R) I_t
 *   CubaLIF:   tau_syn dI/dt = -I + w_in S       ->  I_t = (1 - dt/tau_syn) I_{t-1} + (dt w_in/tau_syn) S_t
 * so decay = 1 - dt/tau, input gain g = dt R/tau (dt R without leak), bias += (dt/tau) v_leak.
 */

export const eulerDecay = (tau: number, dt: number): number => 1 - dt / tau;
export const leakyGain = (r: number, tau: number, dt: number): number => (dt * r) / tau;
export const integratorGain = (r: number, dt: number): number => dt * r;
export const leakBias = (vLeak: number, tau: number, dt: number): number => (dt * vLeak) / tau;

/** Largest number of float64 steps the inverses try on each side of the naive inverse. */
const SEARCH_ULPS = 64;

function stepUlps(x: number, ulps: number): number {
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = bits[0]! + BigInt(ulps) * (x >= 0 ? 1n : -1n);
  return f[0]!;
}

/** The float64 nearest `start` (stepping by ulps) for which `ok` holds, or undefined. */
function searchNear(start: number, ok: (x: number) => boolean): number | undefined {
  for (let k = 0; k <= SEARCH_ULPS; k++) {
    for (const s of k === 0 ? [0] : [k, -k]) {
      const x = stepUlps(start, s);
      if (Number.isFinite(x) && x > 0 && ok(x)) return x;
    }
  }
  return undefined;
}

/** tau with eulerDecay(tau, dt) === decay exactly (decay in [0, 1)); undefined when no float64 tau gives it. */
export function tauForDecay(decay: number, dt: number): number | undefined {
  return searchNear(dt / (1 - decay), (tau) => eulerDecay(tau, dt) === decay);
}

/** r with leakyGain(r, tau, dt) === 1 exactly. */
export function rForUnitLeakyGain(tau: number, dt: number): number | undefined {
  return searchNear(tau / dt, (r) => leakyGain(r, tau, dt) === 1);
}

/** r with integratorGain(r, dt) === 1 exactly. */
export function rForUnitIntegratorGain(dt: number): number | undefined {
  return searchNear(1 / dt, (r) => integratorGain(r, dt) === 1);
}

/** v_leak with float32(leakBias(v_leak, tau, dt)) === bias (bias is float32, as model tensors are). */
export function vLeakForBias(bias: number, tau: number, dt: number): number | undefined {
  if (bias === 0) return bias; // +0 or -0: leakBias keeps the sign
  const start = (bias * tau) / dt;
  const f = new Float64Array([start]);
  if (Math.fround(leakBias(f[0]!, tau, dt)) === bias) return start;
  for (let k = 1; k <= SEARCH_ULPS; k++) {
    for (const s of [k, -k]) {
      const v = stepUlps(start, s);
      if (Math.fround(leakBias(v, tau, dt)) === bias) return v;
    }
  }
  return undefined;
}
