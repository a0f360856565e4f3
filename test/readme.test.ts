/**
 * @fileoverview The README keeps up with the code: its command table has a row for every `snnc` command, and its
 * layout names every top-level source folder (the floors of docs/architecture.md).
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { commands } from '../cli/commands.ts';
import { FLOORS } from './support/import-graph.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');

test('the command table has a row for every snnc command, and no row for a command that does not exist', (t) => {
  const rows = [...README.matchAll(/^\| `snnc ([a-z]+)/gm)].map((m) => m[1]!);
  t.deepEqual([...new Set(rows)].sort(), commands.map((c) => c.name).sort());
});

test('the layout section names every top-level source folder', (t) => {
  const layout = README.slice(README.indexOf('## Layout'), README.indexOf('## Tests and goldens'));
  t.deepEqual(FLOORS.flat().filter((folder) => !layout.includes(`\`${folder}/\``)), []);
});
