/**
 * @fileoverview Writes examples/braille-rnn.nir: the NIR paper's Braille RNN shape with random seeded weights (not
 * trained), Input [12] -> Affine 12->38 -> CubaLIF(38) with a recurrent Affine 38->38 -> Affine 38->7 -> CubaLIF(7),
 * subtract reset, dt 1 (tau in steps, unit input gains); and examples/braille-rnn-bias.nir, the paper's variant "with
 * bias": the same weights, and seeded random biases on the three Affines (drawn from a second stream, so the bias-free
 * graph stays as it was). Reproducible: `npx tsx scripts/braille-rnn-example.ts`.
 */
import { ndarray, filled, NIR_WRITE_VERSION, type NirGraph, type NirNode } from '../compiler/frontends/nir/graph.ts';
import { RESET_METADATA_KEY } from '../compiler/frontends/nir/model-head.ts';
import { writeNirFile } from '../compiler/frontends/nir/write-nir.ts';
import { makeRandom } from '../ir/mulberry32.ts';

const SEED = 2024;
export const BRAILLE_EXAMPLE = new URL('../examples/braille-rnn.nir', import.meta.url).pathname;
export const BRAILLE_BIAS_EXAMPLE = new URL('../examples/braille-rnn-bias.nir', import.meta.url).pathname;
const NONE = new Map<string, never>();
/** The bias variant's Affine biases lie in [-BRAILLE_BIAS, BRAILLE_BIAS) (the threshold is 1). */
export const BRAILLE_BIAS = 0.2;

/**
 * The example's graph: the same nodes, parameters and edges on every call (HDF5 stamps the file's bytes with times).
 * `bias`: each Affine's bias uniform in [-bias, bias) (0: none, the shipped braille-rnn.nir).
 */
export function brailleExampleGraph(bias = 0): NirGraph {
  const random = makeRandom(SEED);
  const biasRandom = makeRandom(SEED + 1);
  const f32 = (a: number, r: () => number): number => Math.fround((r() * 2 - 1) * a);
  /** [out, inputs] weights uniform in [-a, a), rounded to float32 as a PyTorch export would be. */
  const affine = (out: number, inputs: number, a: number): NirNode => ({
    type: 'Affine', weight: ndarray([out, inputs], Array.from({ length: out * inputs }, () => f32(a, random))),
    bias: bias === 0 ? filled(out, 0) : ndarray([out], Array.from({ length: out }, () => f32(bias, biasRandom))), metadata: NONE,
  });
  const nodes = new Map<string, NirNode>([
    ['input', { type: 'Input', shape: [12], metadata: NONE }],
    ['fc1', affine(38, 12, 0.6)],
    ['lif1', cubaLif(38, 0.8, 0.9)],
    ['rec1', affine(38, 38, 0.3)],
    ['fc2', affine(7, 38, 0.5)],
    ['lif2', cubaLif(7, 0.8, 0.9)],
    ['output', { type: 'Output', shape: [7], metadata: NONE }],
  ]);
  const chain = ['input', 'fc1', 'lif1', 'fc2', 'lif2', 'output'];
  return {
    version: NIR_WRITE_VERSION,
    nodes,
    edges: [...chain.slice(1).map((name, i) => [chain[i]!, name] as const), ['lif1', 'rec1'], ['rec1', 'lif1']],
    metadata: NONE,
  };
}

/** snnTorch Synaptic(alpha, beta) at dt 1: tau = 1/(1 - decay), w_in = tau_syn and r = tau_mem give unit gains. */
function cubaLif(units: number, alpha: number, beta: number): NirNode {
  const tauSyn = 1 / (1 - alpha);
  const tauMem = 1 / (1 - beta);
  return {
    type: 'CubaLIF', tauSyn: filled(units, tauSyn), tauMem: filled(units, tauMem), r: filled(units, tauMem), vLeak: filled(units, 0),
    vThreshold: filled(units, 1), vReset: filled(units, 0), wIn: filled(units, tauSyn), metadata: new Map([[RESET_METADATA_KEY, 'subtract']]),
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  await writeNirFile(BRAILLE_EXAMPLE, brailleExampleGraph());
  console.log(`wrote ${BRAILLE_EXAMPLE}`);
  await writeNirFile(BRAILLE_BIAS_EXAMPLE, brailleExampleGraph(BRAILLE_BIAS));
  console.log(`wrote ${BRAILLE_BIAS_EXAMPLE}`);
}
