#!/usr/bin/env node
// @fileoverview The `snnc` executable: loads the TypeScript CLI through tsx (ESM and CommonJS hooks, so emitted
// .ts modules anywhere on disk can be imported too).
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
register();
registerCjs();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
