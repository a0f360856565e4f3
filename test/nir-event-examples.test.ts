/**
 * @fileoverview The shipped event NIR graphs (examples/*.nir) are the graphs test/support/nir-events-build.ts builds: the
 * NIR paper's N-MNIST CNN and an SHD-shaped IF network, random weights. UPDATE_GOLDEN=1 writes them again.
 */
import test from 'ava';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readNirFile } from '../compiler/frontends/nir/read-nir.ts';
import { tempDir } from './support/emit-to.ts';
import { writeRawNir, type RawGraph } from './support/nir-build.ts';
import { nmnistPaperCnn, shdNet } from './support/nir-events-build.ts';

const EXAMPLES = new URL('../examples/', import.meta.url).pathname;
const dir = tempDir('nir-event-examples');

const GRAPHS: readonly (readonly [string, () => RawGraph])[] = [
  ['nmnist-cnn.nir', () => nmnistPaperCnn()],
  ['shd-if.nir', () => shdNet('if-if')],
];

for (const [name, graph] of GRAPHS) {
  test(`examples/${name} is the graph its builder writes`, async (t) => {
    const fresh = join(dir, name);
    await writeRawNir(fresh, graph());
    const shipped = join(EXAMPLES, name);
    if (process.env.UPDATE_GOLDEN === '1') copyFileSync(fresh, shipped);
    t.true(existsSync(shipped), `${shipped} is missing; run UPDATE_GOLDEN=1 npx ava test/nir-event-examples.test.ts`);
    t.deepEqual(await readNirFile(shipped), await readNirFile(fresh));
  });
}
