/** @fileoverview snnc's version, read once from package.json: what `snnc --version` prints and the ONNX producer records. */
import { readFileSync } from 'node:fs';

export const SNNC_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
