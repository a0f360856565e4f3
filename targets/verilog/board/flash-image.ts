/**
 * @fileoverview flash.bin: the loaded layer's weight words (the same words as its $readmemh image, mem-files.ts) as
 * the bytes snn_flash_loader reads from the board's SPI flash at FLASH_OFFSET: word after word in address order, each
 * in WORD_BYTES bytes, most significant byte first. The file holds only the image; it is written at the offset
 * (`iceprog -o 1M flash.bin`), beside the bitstream at offset 0.
 */
import { memFileName, spikingWeights } from '../mem-files.ts';
import type { DesignPlan, SpikingPlan } from '../plan.ts';
import { wordBytes } from './flash-loader.ts';

/** 1 MiB: past the UP5K bitstream (about 104 KB) and inside every flash the iCEBreaker has shipped with. */
export const FLASH_OFFSET = 0x100000;

export function flashImage(plan: DesignPlan): Uint8Array {
  const load = plan.load;
  if (!load) throw new Error('flashImage: the plan has no loaded layer');
  const stage = plan.stages[load.layer] as SpikingPlan;
  const bytes = wordBytes(load);
  const words = spikingWeights(stage).trimEnd().split('\n');
  if (words.length !== load.words) throw new Error(`flashImage: ${memFileName(load.layer, 'weights')} has ${words.length} words, the plan ${load.words}`);
  const image = new Uint8Array(words.length * bytes);
  words.forEach((hex, w) => {
    let v = BigInt(`0x${hex}`);
    for (let k = bytes - 1; k >= 0; k--) {
      image[w * bytes + k] = Number(v & 0xffn);
      v >>= 8n;
    }
  });
  return image;
}
