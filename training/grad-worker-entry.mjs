// @fileoverview Gradient worker bootstrap: module hooks do not reach worker threads, so register tsx here, then load the TypeScript worker.
import { register } from 'tsx/esm/api';
register();
await import('./grad-worker.ts');
