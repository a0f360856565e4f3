// @fileoverview Worker thread entry for runGoldenBatch: loads the TypeScript golden runtime through tsx.
import { register } from 'tsx/esm/api';
import { parentPort, workerData } from 'node:worker_threads';
register();
const { runGolden } = await import('./golden.ts');
const { program, images, seeds } = workerData;
const scores = [];
const labels = [];
images.forEach((image, i) => {
  const r = runGolden(program, image, seeds[i]);
  scores.push(r.scores);
  labels.push(r.label);
});
parentPort.postMessage({ scores, labels });
