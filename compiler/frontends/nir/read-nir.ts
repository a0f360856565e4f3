/**
 * @fileoverview Reads a NIR HDF5 file into a NirGraph. Layout (NIR's `nir.write`): a "version" string dataset and a
 * "node" group holding the NIRGraph: "type" = "NIRGraph", "nodes" (one group per node, each with a "type" string and
 * its parameter datasets, optionally a "metadata" group) and "edges" (an [E, 2] string dataset of (src, dst)).
 */
import { SnncError } from '../../../base/errors.ts';
import type { MetadataValue, NdArray, NirGraph, NirNode, Pair } from './graph.ts';
import { readHdf5, type H5Group, type H5Value } from './hdf5.ts';

/** Node types NIR defines that snnc does not map; anything else is an unknown type. */
const KNOWN_UNMAPPED = new Set(['Conv1d', 'CubaLI', 'NIRGraph']);

class Fields {
  constructor(
    readonly group: H5Group,
    readonly where: string,
  ) {}

  private fail(message: string): never {
    throw new SnncError('model', `${this.where}: ${message}`);
  }

  has(name: string): boolean {
    return this.group.entries.has(name);
  }

  value(name: string): H5Value {
    const v = this.group.entries.get(name);
    if (v === undefined) this.fail(`missing dataset "${name}"`);
    if (v.kind === 'group') this.fail(`"${name}" is a group, expected a dataset`);
    return v;
  }

  string(name: string): string {
    const v = this.value(name);
    if (v.kind !== 'strings' || v.data.length !== 1) this.fail(`"${name}" must be one string`);
    return v.data[0]!;
  }

  array(name: string): NdArray {
    const v = this.value(name);
    if (v.kind !== 'numbers') this.fail(`"${name}" must be numeric, got strings`);
    for (let i = 0; i < v.data.length; i++) if (!Number.isFinite(v.data[i]!)) this.fail(`"${name}" element ${i} is ${v.data[i]} (parameters must be finite)`);
    return { shape: v.shape, data: v.data };
  }

  optionalArray(name: string): NdArray | undefined {
    return this.has(name) ? this.array(name) : undefined;
  }

  integers(name: string): number[] {
    const a = this.array(name);
    const out = [...a.data];
    if (!out.every(Number.isInteger)) this.fail(`"${name}" must hold integers, got [${out.join(', ')}]`);
    return out;
  }

  integer(name: string): number {
    const v = this.integers(name);
    if (v.length !== 1) this.fail(`"${name}" must be one integer, got [${v.join(', ')}]`);
    return v[0]!;
  }

  /** A (height, width) pair; a scalar means the same on both axes, as PyTorch allows. */
  pair(name: string): Pair {
    const v = this.integers(name);
    if (v.length === 1) return [v[0]!, v[0]!];
    if (v.length !== 2) this.fail(`"${name}" must be an int or an (height, width) pair, got [${v.join(', ')}]`);
    return [v[0]!, v[1]!];
  }
}

function readMetadata(group: H5Group, where: string): Map<string, MetadataValue> {
  const out = new Map<string, MetadataValue>();
  const meta = group.entries.get('metadata');
  if (meta === undefined) return out;
  if (meta.kind !== 'group') throw new SnncError('model', `${where}: "metadata" must be a group`);
  for (const [key, v] of meta.entries) {
    if (v.kind === 'group') continue; // nested tool-specific metadata: not ours to interpret
    out.set(key, v.kind === 'strings' ? v.data.join(',') : [...v.data]);
  }
  return out;
}

function readNode(group: H5Group, where: string): NirNode {
  const f = new Fields(group, where);
  const type = f.string('type');
  const metadata = readMetadata(group, where);
  switch (type) {
    case 'Input':
    case 'Output':
      return { type, shape: f.integers('shape'), metadata };
    case 'Affine':
      return { type, weight: f.array('weight'), bias: f.array('bias'), metadata };
    case 'Linear':
      return { type, weight: f.array('weight'), metadata };
    case 'Scale':
      return { type, scale: f.array('scale'), metadata };
    case 'Conv2d': {
      const padding = f.value('padding').kind === 'strings' ? f.string('padding') : f.pair('padding');
      if (typeof padding === 'string' && padding !== 'same' && padding !== 'valid') throw new SnncError('model', `${where}: padding "${padding}" is not an int pair, 'same' or 'valid'`);
      const inputShape = f.has('input_shape') ? f.pair('input_shape') : undefined;
      return {
        type, weight: f.array('weight'), bias: f.array('bias'), stride: f.pair('stride'), padding: padding as Pair | 'same' | 'valid',
        dilation: f.pair('dilation'), groups: f.integer('groups'), ...(inputShape ? { inputShape } : {}), metadata,
      };
    }
    case 'SumPool2d':
    case 'AvgPool2d':
      return { type, kernelSize: f.pair('kernel_size'), stride: f.pair('stride'), padding: f.pair('padding'), metadata };
    case 'Flatten': {
      const inputType = f.has('input_type') && f.value('input_type').kind === 'numbers' ? f.integers('input_type') : undefined;
      return { type, startDim: f.integer('start_dim'), endDim: f.integer('end_dim'), ...(inputType ? { inputType } : {}), metadata };
    }
    case 'LIF': {
      const vReset = f.optionalArray('v_reset');
      return { type, tau: f.array('tau'), r: f.array('r'), vLeak: f.array('v_leak'), vThreshold: f.array('v_threshold'), ...(vReset ? { vReset } : {}), metadata };
    }
    case 'IF': {
      const vReset = f.optionalArray('v_reset');
      return { type, r: f.array('r'), vThreshold: f.array('v_threshold'), ...(vReset ? { vReset } : {}), metadata };
    }
    case 'LI':
      return { type, tau: f.array('tau'), r: f.array('r'), vLeak: f.array('v_leak'), metadata };
    case 'I':
      return { type, r: f.array('r'), metadata };
    case 'CubaLIF': {
      const vReset = f.optionalArray('v_reset');
      const wIn = f.optionalArray('w_in');
      return {
        type, tauSyn: f.array('tau_syn'), tauMem: f.array('tau_mem'), r: f.array('r'), vLeak: f.array('v_leak'), vThreshold: f.array('v_threshold'),
        ...(vReset ? { vReset } : {}), ...(wIn ? { wIn } : {}), metadata,
      };
    }
    case 'Threshold':
      return { type, threshold: f.array('threshold'), metadata };
    case 'Delay':
      return { type, delay: f.array('delay'), metadata };
    default:
      return { type: 'unsupported', nirType: KNOWN_UNMAPPED.has(type) ? type : `${type} (not a NIR primitive snnc knows)`, metadata };
  }
}

/** Parses the HDF5 tree of a NIR file; `file` names it in errors. */
export function parseNir(root: H5Group, file: string): NirGraph {
  const version = root.entries.get('version');
  const graph = root.entries.get('node');
  if (graph === undefined || graph.kind !== 'group') throw new SnncError('model', `${file}: no "node" group, so not a NIR file`);
  const g = new Fields(graph, `${file}: node`);
  const type = g.string('type');
  if (type !== 'NIRGraph') throw new SnncError('model', `${file}: the top-level node is a ${type}, expected a NIRGraph`);
  const nodesGroup = graph.entries.get('nodes');
  if (nodesGroup === undefined || nodesGroup.kind !== 'group') throw new SnncError('model', `${file}: the NIRGraph has no "nodes" group`);
  const nodes = new Map<string, NirNode>();
  for (const [name, node] of nodesGroup.entries) {
    if (node.kind !== 'group') throw new SnncError('model', `${file}: node '${name}' is a dataset, expected a group`);
    nodes.set(name, readNode(node, `${file}: node '${name}'`));
  }
  const edges: [string, string][] = [];
  if (graph.entries.has('edges')) {
    const e = g.value('edges');
    const emptyNumeric = e.kind === 'numbers' && e.data.length === 0;
    if (!emptyNumeric) {
      if (e.kind !== 'strings' || e.data.length % 2 !== 0 || (e.shape.length === 2 && e.shape[1] !== 2)) {
        throw new SnncError('model', `${file}: "edges" must be an [E, 2] string dataset of (source, destination) names`);
      }
      for (let i = 0; i < e.data.length; i += 2) edges.push([e.data[i]!, e.data[i + 1]!]);
    }
  }
  return {
    version: version !== undefined && version.kind === 'strings' ? (version.data[0] ?? '') : '',
    nodes, edges, metadata: readMetadata(graph, `${file}: node`),
  };
}

export async function readNirFile(path: string): Promise<NirGraph> {
  return parseNir(await readHdf5(path), path);
}
