// @fileoverview Worker thread entry for runGoldenBatch: loads the TypeScript golden runtime through tsx.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';
register();
const { runGoldenInline } = await import('./golden-batch.ts');
const { program, images, seeds, evaluator } = workerData;
parentPort.postMessage(runGoldenInline(program, { images, seeds }, evaluator));
