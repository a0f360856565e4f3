/**
 * @fileoverview The import graph of the source tree and the floor rule over it (docs/architecture.md): a file imports
 * only from its own folder and from floors below; folders on one floor do not import each other; target plug-ins do
 * not import each other; nothing but a test imports a test; and no files import each other in a circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/** The floors, lowest first. A file's floor is its top-level folder; tests sit above every floor. */
export const FLOORS: readonly (readonly string[])[] = [
  ['base'],
  ['ir'],
  ['model', 'data'],
  ['runtime'],
  ['compiler', 'targets'],
  ['verify', 'training'],
  ['cli'],
  ['bin', 'bench', 'scripts'],
];

/** file (relative to the root, `/`-separated) -> relative specifiers it imports, as written. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SOURCE = /\.(ts|mjs)$/;

export function readImportGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'golden') continue;
      if (entry.isDirectory()) walk(rel);
      else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) graph.set(rel, importsOf(readFileSync(join(root, rel), 'utf8')));
    }
  };
  for (const top of readdirSync(root, { withFileTypes: true })) {
    if (top.isDirectory() && !top.name.startsWith('.') && top.name !== 'node_modules') walk(top.name);
  }
  return graph;
}

/** Relative specifiers of one source text: static imports, re-exports and dynamic `import('...')`. */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.'));
}

export const isTest = (file: string): boolean => file.startsWith('test/') || file.includes('/test/');

function floorOf(file: string): number {
  const top = file.split('/')[0]!;
  return FLOORS.findIndex((floor) => floor.includes(top));
}

function pluginOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'targets' && parts.length > 2 ? parts[1] : undefined;
}

/** Every breach of the floor rule, one line each: "FILE imports SPEC: WHY". */
export function floorViolations(graph: ImportGraph): string[] {
  const found: string[] = [];
  for (const [file, specs] of graph) {
    for (const spec of specs) {
      const target = normalize(join(dirname(file), spec)).split('\\').join('/');
      const why = breach(file, target);
      if (why) found.push(`${file} imports ${spec}: ${why}`);
    }
  }
  return found;
}

function breach(file: string, target: string): string | undefined {
  if (isTest(file)) return undefined;
  if (isTest(target)) return 'only tests import test files';
  const from = floorOf(file), to = floorOf(target);
  if (from < 0) return `${file.split('/')[0]} is on no floor`;
  if (to < 0) return `${target} is on no floor`;
  const [fromTop, toTop] = [file.split('/')[0], target.split('/')[0]];
  if (to > from) return `runs up from ${fromTop} (floor ${from}) to ${toTop} (floor ${to})`;
  if (to === from && fromTop !== toTop) return `${fromTop} and ${toTop} share floor ${from} and may not import each other`;
  const [a, b] = [pluginOf(file), pluginOf(target)];
  if (a && b && a !== b) return `target ${a} imports target ${b}; plug-ins share only targets/*.ts`;
  return undefined;
}

/** Import circles among non-test files, each as "a -> b -> ... -> a" (Tarjan's strongly connected components). */
export function importCircles(graph: ImportGraph): string[] {
  const edges = new Map<string, string[]>();
  for (const [file, specs] of graph) {
    if (isTest(file)) continue;
    edges.set(file, specs.map((s) => normalize(join(dirname(file), s)).split('\\').join('/')).filter((t) => graph.has(t) && !isTest(t)));
  }
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const circles: string[] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next); low.set(v, next); next++; stack.push(v); onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const members: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) { onStack.delete(w); members.push(w); if (w === v) break; }
    if (members.length > 1 || edges.get(v)!.includes(v)) circles.push(describeCircle(members.sort(), edges));
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return circles;
}

/** One concrete loop through the component, starting at its first file. */
function describeCircle(members: string[], edges: Map<string, string[]>): string {
  const inside = new Set(members);
  const path = [members[0]!];
  const seen = new Set(path);
  for (;;) {
    const step = edges.get(path[path.length - 1]!)!.filter((t) => inside.has(t));
    const back = step.find((t) => t === path[0]);
    const onward = step.find((t) => !seen.has(t));
    if (back && (!onward || path.length === members.length)) return [...path, back].join(' -> ');
    if (!onward) return [...path, step[0]!].join(' -> ');
    path.push(onward); seen.add(onward);
  }
}

export const relativeTo = (root: string, file: string): string => relative(root, file).split('\\').join('/');
