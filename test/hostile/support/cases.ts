/** @fileoverview Scratch folders for the hostile output tests: one folder per case, with a tiny model in it. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModel } from '../../../model/write-model.ts';
import type { SnnModel } from '../../../model/format.ts';
import { tinyModel } from '../../support/tiny-model.ts';

/** A fresh folder holding `model/` (a tiny SNN, or `model` when given). */
export function caseWithModel(label: string, model: SnnModel = tinyModel(3)): { dir: string; model: string } {
  const dir = mkdtempSync(join(tmpdir(), `snnc-hostile-${label}-`));
  writeModel(model, join(dir, 'model'));
  return { dir, model: join(dir, 'model') };
}
