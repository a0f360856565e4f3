/**
 * @fileoverview NIR graphs with event inputs for tests, written with nir-build.ts as Sinabs and snnTorch write them:
 * the NIR paper's N-MNIST CNN (Input [2, 34, 34]) and an SHD-shaped network (Input [700]), with random weights.
 */
import { affine, chain, f32, i64, int, sinabsIf, snntorchLif, uniform, type RawGraph, type RawNode } from './nir-build.ts';

function conv(filters: number, channels: number, kernel: number, stride: number, padding: number, inputShape: [number, number], seed: number, a: number): RawNode {
  return {
    type: 'Conv2d', input_shape: i64(inputShape), weight: f32(uniform(seed, filters * channels * kernel * kernel, a), [filters, channels, kernel, kernel]),
    stride: i64([stride, stride]), padding: i64([padding, padding]), dilation: i64([1, 1]), groups: int(1), bias: f32(uniform(seed + 1, filters, a / 8)),
  };
}

const sumPool = (k: number): RawNode => ({ type: 'SumPool2d', kernel_size: i64([k, k]), stride: i64([k, k]), padding: i64([0, 0]) });

/**
 * The NIR paper's N-MNIST CNN (Sinabs IAF, subtract reset, spike-count readout): Input [2,34,34] -> Conv2d 16x5x5
 * stride 2 pad 1 -> IF -> Conv2d 16x3x3 pad 1 -> IF -> SumPool2d 2 -> Conv2d 8x3x3 pad 1 -> IF -> SumPool2d 2 ->
 * Flatten -> Affine 128->256 -> IF -> Affine 256->10 -> IF.
 */
export function nmnistPaperCnn(seed = 41): RawGraph {
  return {
    nodes: {
      input: { type: 'Input', shape: i64([2, 34, 34]) },
      '0': conv(16, 2, 5, 2, 1, [34, 34], seed, 0.5),
      '1': sinabsIf([16, 16, 16], 1),
      '2': conv(16, 16, 3, 1, 1, [16, 16], seed + 2, 0.3),
      '3': sinabsIf([16, 16, 16], 1),
      '4': sumPool(2),
      '5': conv(8, 16, 3, 1, 1, [8, 8], seed + 4, 0.3),
      '6': sinabsIf([8, 8, 8], 1),
      '7': sumPool(2),
      '8': { type: 'Flatten', start_dim: int(0), end_dim: int(-1), input_type: i64([8, 4, 4]) },
      '9': affine(256, 128, seed + 6, 0.4),
      '10': sinabsIf([256], 1),
      '11': affine(10, 256, seed + 8, 0.4),
      '12': sinabsIf([10], 1),
      output: { type: 'Output', shape: i64([10]) },
    },
    edges: chain('input', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', 'output'),
  };
}

/**
 * An SHD-shaped network: Input [700] -> Affine 700->128 -> hidden -> Affine 128->20 -> readout; hidden and readout
 * are snnTorch Leaky (LIF, beta 0.9) and a leaky integrator LI, or Sinabs IF and IF.
 */
export function shdNet(neurons: 'lif-li' | 'if-if', seed = 51): RawGraph {
  const li: RawNode = { type: 'LI', tau: f32(new Array(20).fill(2e-3)), r: f32(new Array(20).fill(1)), v_leak: f32(new Array(20).fill(0)) };
  return {
    nodes: {
      input: { type: 'Input', shape: i64([700]) },
      fc1: affine(128, 700, seed, 0.3),
      hidden: neurons === 'lif-li' ? snntorchLif(0.9, 1) : sinabsIf([128], 1),
      fc2: affine(20, 128, seed + 2, 0.5),
      readout: neurons === 'lif-li' ? li : sinabsIf([20], 1),
      output: { type: 'Output', shape: i64([20]) },
    },
    edges: chain('input', 'fc1', 'hidden', 'fc2', 'readout', 'output'),
  };
}
