/** @fileoverview `npm run fuzz:models -- [--mutations N] [--seed S] [--model DIR ...]`: model-file robustness fuzzing. */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fuzzModels } from '../verify/fuzz-models.ts';

const { values } = parseArgs({ options: { mutations: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' }, model: { type: 'string', multiple: true } } });
const models = values.model ?? readdirSync('examples').map((d) => join('examples', d)).filter((d) => existsSync(join(d, 'model.json')));
if (models.length === 0) {
  console.error('fuzz-models: no model directories (examples/*/model.json)');
  process.exit(2);
}
const started = performance.now();
const s = await fuzzModels(models, Number(values.mutations), Number(values.seed));
const seconds = (performance.now() - started) / 1000;
for (const report of s.crashReports) console.error(`crash: ${report}`);
console.log(`fuzz-models: ${s.tried} mutations of ${models.join(', ')} in ${seconds.toFixed(1)} s (seed ${values.seed})`);
console.log(`  read as valid ${s.accepted} (lowered ${s.lowered}, refused by the lowering ${s.loweringRefused}); refused in one line ${s.refused}; multi-line errors ${s.multiline}; crashes ${s.crashes}`);
for (const m of s.refusalSamples) console.log(`  sample lowering refusal: ${m}`);
console.log(`  by kind: ${[...s.perKind].map(([k, n]) => `${k} ${n}`).join(', ')}`);
process.exit(s.crashes + s.multiline > 0 ? 1 : 0);
