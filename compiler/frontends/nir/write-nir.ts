/**
 * @fileoverview Writes a NirGraph as NIR's HDF5 layout (as the NIR package's `nir.write` does): "version", and a
 * "node" group with type "NIRGraph", "nodes/<name>/{type, params...}" and "edges" [E, 2] strings. Parameters are
 * float64 arrays, shapes and integer hyper-parameters int64, names utf-8 variable-length strings.
 */
import { unreachable } from '../../../ir/registry.ts';
import type { MetadataValue, NdArray, NirGraph, NirNode } from './graph.ts';
import { writeHdf5, type H5WriteGroup, type H5WriteValue } from './hdf5.ts';

type Entry = readonly [string, H5WriteGroup | H5WriteValue];

const str = (s: string): H5WriteValue => ({ kind: 'strings', shape: [], data: [s] });
const ints = (v: readonly number[]): H5WriteValue => ({ kind: 'int64', shape: [v.length], data: v });
const int = (v: number): H5WriteValue => ({ kind: 'int64', shape: [], data: [v] });
const arr = (a: NdArray): H5WriteValue => ({ kind: 'float64', shape: a.shape, data: a.data });

function metadataGroup(metadata: ReadonlyMap<string, MetadataValue>): Entry[] {
  if (metadata.size === 0) return []; // NIR skips an empty metadata dict
  const entries: Entry[] = [...metadata].map(([k, v]) => [k, typeof v === 'string' ? str(v) : { kind: 'float64', shape: [v.length], data: v }]);
  return [['metadata', { kind: 'group', entries }]];
}

function nodeEntries(node: NirNode): Entry[] {
  switch (node.type) {
    case 'Input':
    case 'Output':
      return [['shape', ints(node.shape)]];
    case 'Affine':
      return [['weight', arr(node.weight)], ['bias', arr(node.bias)]];
    case 'Linear':
      return [['weight', arr(node.weight)]];
    case 'Scale':
      return [['scale', arr(node.scale)]];
    case 'Conv2d':
      return [
        ...(node.inputShape ? [['input_shape', ints(node.inputShape)] as Entry] : []),
        ['weight', arr(node.weight)],
        ['stride', ints(node.stride)],
        ['padding', typeof node.padding === 'string' ? str(node.padding) : ints(node.padding)],
        ['dilation', ints(node.dilation)],
        ['groups', int(node.groups)],
        ['bias', arr(node.bias)],
      ];
    case 'SumPool2d':
    case 'AvgPool2d':
      return [['kernel_size', ints(node.kernelSize)], ['stride', ints(node.stride)], ['padding', ints(node.padding)]];
    case 'Flatten':
      return [...(node.inputType ? [['input_type', ints(node.inputType)] as Entry] : []), ['start_dim', int(node.startDim)], ['end_dim', int(node.endDim)]];
    case 'LIF':
      return [['tau', arr(node.tau)], ['r', arr(node.r)], ['v_leak', arr(node.vLeak)], ['v_threshold', arr(node.vThreshold)], ...(node.vReset ? [['v_reset', arr(node.vReset)] as Entry] : [])];
    case 'IF':
      return [['r', arr(node.r)], ['v_threshold', arr(node.vThreshold)], ...(node.vReset ? [['v_reset', arr(node.vReset)] as Entry] : [])];
    case 'LI':
      return [['tau', arr(node.tau)], ['r', arr(node.r)], ['v_leak', arr(node.vLeak)]];
    case 'I':
      return [['r', arr(node.r)]];
    case 'CubaLIF':
      return [
        ['tau_syn', arr(node.tauSyn)], ['tau_mem', arr(node.tauMem)], ['r', arr(node.r)], ['v_leak', arr(node.vLeak)], ['v_threshold', arr(node.vThreshold)],
        ...(node.vReset ? [['v_reset', arr(node.vReset)] as Entry] : []), ...(node.wIn ? [['w_in', arr(node.wIn)] as Entry] : []),
      ];
    case 'Threshold':
      return [['threshold', arr(node.threshold)]];
    case 'Delay':
      return [['delay', arr(node.delay)]];
    case 'unsupported':
      throw new Error(`internal: cannot write an unsupported node (${node.nirType})`);
    default:
      return unreachable(node, 'NIR node type');
  }
}

export function nirTree(graph: NirGraph): H5WriteGroup {
  const nodes: Entry[] = [...graph.nodes].map(([name, node]) => [
    name,
    { kind: 'group', entries: [['type', str(node.type)], ...nodeEntries(node), ...metadataGroup(node.metadata)] },
  ]);
  return {
    kind: 'group',
    entries: [
      ['version', str(graph.version)],
      [
        'node',
        {
          kind: 'group',
          entries: [
            ['type', str('NIRGraph')],
            ['nodes', { kind: 'group', entries: nodes }],
            ['edges', { kind: 'strings', shape: [graph.edges.length, 2], data: graph.edges.flat() }],
            ...metadataGroup(graph.metadata),
          ],
        },
      ],
    ],
  };
}

export async function writeNirFile(path: string, graph: NirGraph): Promise<void> {
  await writeHdf5(path, nirTree(graph));
}
