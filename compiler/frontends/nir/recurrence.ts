/**
 * @fileoverview NIR's form of recurrence: a neuron node N with an edge N -> S and S -> N, where S is an Affine or
 * Linear with no other edge. N then has two incoming edges whose currents add: its feed-forward synapse and S, which
 * carries N's own output of the previous step (docs/nir.md "Recurrence"). This file takes such loops out of the graph,
 * so that what is left must be one chain (chain.ts); any other cycle stays in the graph and is refused there.
 */
import { SnncError } from '../../../base/errors.ts';
import type { NirGraph, NirNode } from './graph.ts';

export type RecurrentSynapseNode = Extract<NirNode, { type: 'Affine' | 'Linear' }>;

/** The recurrent synapse S of a neuron N: its node name and node. */
export interface RecurrentLoop {
  readonly name: string;
  readonly node: RecurrentSynapseNode;
}

const NEURONS: ReadonlySet<string> = new Set(['LIF', 'IF', 'LI', 'I', 'CubaLIF', 'Threshold']);

/** Splits `graph` into its recurrent loops (keyed by the neuron's name) and the graph without them. */
export function takeRecurrentLoops(graph: NirGraph, file: string): { readonly graph: NirGraph; readonly loops: ReadonlyMap<string, RecurrentLoop> } {
  const inEdges = new Map<string, string[]>();
  const outEdges = new Map<string, string[]>();
  for (const [src, dst] of graph.edges) {
    outEdges.set(src, [...(outEdges.get(src) ?? []), dst]);
    inEdges.set(dst, [...(inEdges.get(dst) ?? []), src]);
  }
  const loops = new Map<string, RecurrentLoop>();
  for (const [name, node] of graph.nodes) {
    if (node.type !== 'Affine' && node.type !== 'Linear') continue;
    const from = inEdges.get(name) ?? [];
    const to = outEdges.get(name) ?? [];
    if (from.length !== 1 || to.length !== 1 || from[0] !== to[0] || from[0] === name) continue;
    const neuron = from[0]!;
    if (!NEURONS.has(graph.nodes.get(neuron)?.type ?? '')) continue;
    const other = loops.get(neuron);
    if (other) throw new SnncError('model', `${file}: node '${neuron}' has two recurrent synapses ('${other.name}' and '${name}'); snnc sums one recurrent Affine or Linear per neuron`);
    loops.set(neuron, { name, node });
  }
  if (loops.size === 0) return { graph, loops };
  const synapses = new Set([...loops.values()].map((l) => l.name));
  return {
    graph: {
      ...graph,
      nodes: new Map([...graph.nodes].filter(([name]) => !synapses.has(name))),
      edges: graph.edges.filter(([src, dst]) => !synapses.has(src) && !synapses.has(dst)),
    },
    loops,
  };
}
