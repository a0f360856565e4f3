/**
 * @fileoverview Every example has its own model name, so `snnc compile examples/X` (default out build/<name>) never
 * writes two examples into one build folder; the name is the example's folder name.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const EXAMPLES = 'examples';

function exampleNames(): { dir: string; name: string }[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ dir: e.name, name: (JSON.parse(readFileSync(join(EXAMPLES, e.name, 'model.json'), 'utf8')) as { metadata: { name: string } }).metadata.name }));
}

test('model names are unique among examples', (t) => {
  const examples = exampleNames();
  t.true(examples.length >= 18);
  const byName = new Map<string, string[]>();
  for (const { dir, name } of examples) byName.set(name, [...(byName.get(name) ?? []), dir]);
  t.deepEqual([...byName].filter(([, dirs]) => dirs.length > 1), []);
});

test("each example's model name is its folder name", (t) => {
  for (const { dir, name } of exampleNames()) t.is(name, dir);
});
