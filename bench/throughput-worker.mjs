// @fileoverview Worker thread entry of bench/throughput.ts: loads the TypeScript job through tsx.
import { register } from 'tsx/esm/api';
register();
await import('./throughput-job.ts');
