/**
 * @fileoverview Checks that a NIR graph is one chain Input -> ... -> Output (the only shape snnc's layer list can
 * hold), whose neurons may each have one recurrent loop neuron -> Affine/Linear -> the same neuron (recurrence.ts),
 * and returns its nodes in order; branches, merges, other cycles, subgraphs, stray nodes and unknown primitives are
 * one-line errors naming the node.
 */
import { SnncError } from '../../../base/errors.ts';
import type { NirGraph, NirNode } from './graph.ts';
import { takeRecurrentLoops, type RecurrentLoop } from './recurrence.ts';

export const SUPPORTED_PRIMITIVES = ['Input', 'Output', 'Affine', 'Linear', 'Scale', 'Conv2d', 'SumPool2d', 'AvgPool2d', 'Flatten', 'LIF', 'IF', 'LI', 'I', 'CubaLIF', 'Threshold', 'Delay'] as const;

export interface ChainNode {
  readonly name: string;
  readonly node: NirNode;
  /** A neuron's recurrent synapse (its own output of the previous step into its input). */
  readonly recurrent?: RecurrentLoop;
}

const CYCLE_RULE = 'the only loop snnc imports is neuron -> Affine/Linear -> the same neuron';

const fail = (file: string, message: string): never => {
  throw new SnncError('model', `${file}: ${message}`);
};

/** A directed cycle among `edges` as a node list closing on its first node, or undefined (iterative DFS). */
function findCycle(edges: readonly (readonly [string, string])[]): string[] | undefined {
  const out = new Map<string, string[]>();
  for (const [a, b] of edges) out.set(a, [...(out.get(a) ?? []), b]);
  const state = new Map<string, 'open' | 'done'>();
  for (const start of out.keys()) {
    if (state.has(start)) continue;
    const stack: { node: string; i: number }[] = [{ node: start, i: 0 }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const succ = out.get(top.node) ?? [];
      if (top.i >= succ.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const n = succ[top.i++]!;
      if (state.get(n) === 'open') {
        const path = stack.map((s) => s.node);
        return [...path.slice(path.indexOf(n)), n];
      }
      if (!state.has(n)) {
        state.set(n, 'open');
        stack.push({ node: n, i: 0 });
      }
    }
  }
  return undefined;
}

export function nirChain(fullGraph: NirGraph, file: string): ChainNode[] {
  for (const [name, node] of fullGraph.nodes) {
    if (node.type !== 'unsupported') continue;
    if (node.nirType === 'NIRGraph') fail(file, `node '${name}' is a nested NIRGraph (a subgraph, e.g. a recurrent RLeaky/RSynaptic); snnc imports one flat graph, where a recurrent loop is neuron -> Affine/Linear -> the same neuron`);
    fail(file, `node '${name}' is a ${node.nirType}, which snnc does not map (supported: ${SUPPORTED_PRIMITIVES.join(', ')})`);
  }
  for (const [src, dst] of fullGraph.edges) {
    for (const end of [src, dst]) if (!fullGraph.nodes.has(end)) fail(file, `edge (${src}, ${dst}) names node '${end}', which is not in the graph`);
  }
  const { graph, loops } = takeRecurrentLoops(fullGraph, file);
  const inputs = [...graph.nodes].filter(([, n]) => n.type === 'Input').map(([k]) => k);
  const outputs = [...graph.nodes].filter(([, n]) => n.type === 'Output').map(([k]) => k);
  if (inputs.length !== 1) fail(file, inputs.length === 0 ? 'the graph has no Input node' : `the graph has ${inputs.length} Input nodes (${inputs.join(', ')}); snnc imports one input`);
  if (outputs.length !== 1) fail(file, outputs.length === 0 ? 'the graph has no Output node' : `the graph has ${outputs.length} Output nodes (${outputs.join(', ')}); snnc imports one output`);
  for (const [src, dst] of graph.edges) {
    if (src === dst) fail(file, `edge (${src}, ${dst}) is a recurrent self-connection on node '${src}'; ${CYCLE_RULE}`);
  }
  const cycle = findCycle(graph.edges);
  if (cycle) fail(file, `the edges form a cycle ${cycle.join(' -> ')} (a recurrent connection); ${CYCLE_RULE}`);
  const next = new Map<string, string>();
  const prev = new Map<string, string>();
  for (const [src, dst] of graph.edges) {
    const otherDst = next.get(src);
    if (otherDst !== undefined) fail(file, otherDst === dst ? `edge (${src}, ${dst}) appears twice` : `node '${src}' branches to '${otherDst}' and '${dst}'; snnc imports one chain, not branches`);
    const otherSrc = prev.get(dst);
    if (otherSrc !== undefined) fail(file, `node '${dst}' has two inputs ('${otherSrc}' and '${src}'); snnc imports one chain, not merges or recurrent edges`);
    next.set(src, dst);
    prev.set(dst, src);
  }
  const input = inputs[0]!;
  const output = outputs[0]!;
  if (prev.has(input)) fail(file, `the Input node '${input}' has an incoming edge from '${prev.get(input)}' (a recurrent edge)`);
  if (next.has(output)) fail(file, `the Output node '${output}' has an outgoing edge to '${next.get(output)}' (a recurrent edge)`);
  const chain: ChainNode[] = [];
  const seen = new Set<string>();
  for (let at: string | undefined = input; at !== undefined; at = next.get(at)) {
    if (seen.has(at)) fail(file, `the edges loop back to node '${at}' (a cycle)`);
    seen.add(at);
    const recurrent = loops.get(at);
    chain.push({ name: at, node: graph.nodes.get(at)!, ...(recurrent ? { recurrent } : {}) });
  }
  if (chain[chain.length - 1]!.name !== output) fail(file, `the chain from '${input}' ends at '${chain[chain.length - 1]!.name}', which is not the Output node '${output}'`);
  for (const name of graph.nodes.keys()) {
    if (seen.has(name)) continue;
    // A node off the chain: a cycle of its own (recurrent loop) or a dangling node.
    const loop = new Set<string>();
    let at: string | undefined = name;
    while (at !== undefined && !loop.has(at) && !seen.has(at)) {
      loop.add(at);
      at = next.get(at);
    }
    if (at !== undefined && loop.has(at)) fail(file, `nodes ${[...loop].map((n) => `'${n}'`).join(', ')} form a cycle off the Input -> Output chain (a recurrent loop)`);
    fail(file, `node '${name}' is not on the chain from '${input}' to '${output}'`);
  }
  return chain;
}
