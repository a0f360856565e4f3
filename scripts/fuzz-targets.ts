/**
 * @fileoverview `npm run fuzz -- [--models N] [--seed S] [--images K] [--targets ts,onnx,verilog] [--recurrence]`: differential fuzzing of
 * every target against the golden runtime (every other model uses the extended IR: strides, pools, identity synapses...; every third takes event frames; with --recurrence every model has recurrent synapses, synaptic currents or both, in turn); shrunk failures go to test/fixtures/regressions/ as regression fixtures.
 */
import { parseArgs } from 'node:util';
import { fuzzTarget } from '../verify/fuzz-targets.ts';
import { targets } from '../targets/registry.ts';

const { values } = parseArgs({ options: { models: { type: 'string', default: '100' }, seed: { type: 'string', default: '1' }, images: { type: 'string', default: '3' }, targets: { type: 'string' }, recurrence: { type: 'boolean', default: false } } });
const names = values.targets?.split(',') ?? targets.map((t) => t.name);
let bad = 0;
for (const target of targets.filter((t) => names.includes(t.name))) {
  const started = performance.now();
  const s = await fuzzTarget(target, { models: Number(values.models), seed: Number(values.seed), imagesPerModel: Number(values.images), extended: true, events: true, recurrence: values.recurrence, fixtures: 'test/fixtures/regressions', log: (l) => console.error(l) });
  const seconds = (performance.now() - started) / 1000;
  console.log(`${s.target}: ${s.models} models, ${s.images} images, ${s.mismatches} mismatches, ${s.crashes} crashes, ${s.unsupported} refused as unsupported, ${seconds.toFixed(1)} s (seed ${values.seed}${values.recurrence ? ', recurrence' : ''})`);
  bad += s.mismatches + s.crashes;
}
process.exit(bad > 0 ? 1 : 0);
