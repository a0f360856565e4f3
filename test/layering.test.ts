/**
 * @fileoverview The floors hold: every import in the source tree runs down a floor or stays in its folder, and no files
 * import each other in a circle (docs/architecture.md). The last tests add a forbidden import to the real graph and
 * check that the rule catches it.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FLOORS, floorViolations, importCircles, importsOf, readImportGraph } from './support/import-graph.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const graph = readImportGraph(ROOT);
/** Violations in an edited graph that the real one does not have, so these tests hold even while the real one fails. */
const added = (edited: Map<string, readonly string[]>): string[] => {
  const before = new Set(floorViolations(graph));
  return floorViolations(edited).filter((v) => !before.has(v));
};

test('every top-level source folder is on a floor', (t) => {
  const tops = new Set([...graph.keys()].map((f) => f.split('/')[0]!));
  t.deepEqual([...tops].filter((top) => top !== 'test' && !FLOORS.flat().includes(top)), []);
  t.true(graph.size > 250, `read ${graph.size} source files`);
});

test('docs/architecture.md draws exactly these floors', (t) => {
  const doc = readFileSync(`${ROOT}docs/architecture.md`, 'utf8');
  const rows = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => ({ floor: Number(m[1]), folders: [...m[2]!.matchAll(/`([a-z]+)\/`/g)].map((f) => f[1]!) }));
  t.deepEqual(rows, FLOORS.map((folders, floor) => ({ floor, folders: [...folders] })));
});

test('no import runs up a floor, across a floor, between target plug-ins, or into a test', (t) => {
  t.deepEqual(floorViolations(graph), []);
});

test('no source files import each other in a circle', (t) => {
  t.deepEqual(importCircles(graph), []);
});

test('the reader sees static, re-exported and dynamic imports', (t) => {
  const text = "import a from './a.ts';\nexport { b } from '../b.ts';\nconst c = await import('./c.ts');\nimport 'node:fs';";
  t.deepEqual(importsOf(text), ['./a.ts', '../b.ts', './c.ts']);
});

test('an upward import added to the real graph is named, with both floors', (t) => {
  const edited = new Map(graph);
  edited.set('ir/program.ts', [...graph.get('ir/program.ts')!, '../cli/main.ts']);
  t.deepEqual(added(edited), ['ir/program.ts imports ../cli/main.ts: runs up from ir (floor 1) to cli (floor 6)']);
});

test('imports across one floor, between plug-ins and into tests are refused too', (t) => {
  const edited = new Map(graph);
  edited.set('model/format.ts', [...graph.get('model/format.ts')!, '../data/datasets.ts']);
  edited.set('targets/onnx/emit.ts', [...graph.get('targets/onnx/emit.ts')!, '../ts/emit.ts']);
  edited.set('runtime/golden.ts', [...graph.get('runtime/golden.ts')!, '../test/support/golden.ts']);
  t.deepEqual(added(edited).sort(), [
    'model/format.ts imports ../data/datasets.ts: model and data share floor 2 and may not import each other',
    'runtime/golden.ts imports ../test/support/golden.ts: only tests import test files',
    'targets/onnx/emit.ts imports ../ts/emit.ts: target onnx imports target ts; plug-ins share only targets/*.ts',
  ]);
});

test('a circle of imports is found and drawn as a loop', (t) => {
  const edited = new Map(graph);
  edited.set('base/errors.ts', [...graph.get('base/errors.ts')!, './output-guard.ts']);
  const before = new Set(importCircles(graph));
  t.deepEqual(importCircles(edited).filter((c) => !before.has(c)), ['base/errors.ts -> base/output-guard.ts -> base/errors.ts']);
});
