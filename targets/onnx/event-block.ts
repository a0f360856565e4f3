/**
 * @fileoverview The events encoder of the integer graph, for a block of B timesteps at once: x_t = frame t of the
 * `frames` input (docs/ir.md "Event input"), no random draws.
 *
 * Main graph, once: frames uint8 [N, T, C, H, W] -> [N, T / B, B, P] -> Transpose -> [T / B, B, N, P], so block b's
 * inputs are one Gather at b, already timestep-major as the block's rows want them. Per block (Loop iteration or
 * unrolled call b): Gather, Cast to float32 (counts 0..255 are exact), Reshape to [B * N, P]. The bytes are converted
 * one block at a time, so the whole sample is held only as uint8.
 */
import type { GraphBuilder } from './graph-builder.ts';

const FLOAT = 1;

export interface EventBlockInvariants {
  /** uint8 [T / B, B, N, P]: block b's frames, timestep-major. */
  readonly byBlock: string;
  readonly pixels: number;
}

/** Lays the frames out by block (main graph). */
export function eventBlockSetup(g: GraphBuilder, frames: string, timesteps: number, block: number, pixels: number): EventBlockInvariants {
  return g.scope('events', () => {
    const blocks = timesteps / block;
    const split = g.op('Reshape', [frames, g.constant('int64', [0, blocks, block, pixels], [4], `shape_N_${blocks}_${block}_${pixels}`)], {
      name: 'frames_by_block', doc: `[N, ${blocks} blocks, ${block} timesteps, ${pixels}]`,
    });
    const byBlock = g.op('Transpose', [split], { name: 'blocks_first', attrs: { perm: { ints: [1, 2, 0, 3] } }, doc: `[${blocks}, ${block}, N, ${pixels}]` });
    return { byBlock, pixels };
  });
}

/** x of block `call` (int64 scalar): float [B * N, P], timestep-major, every value a count 0..255. */
export function eventBlock(g: GraphBuilder, inv: EventBlockInvariants, call: string): string {
  return g.scope('events', () => {
    const counts = g.op('Gather', [inv.byBlock, call], { name: 'block_frames', attrs: { axis: { int: 0 } }, doc: 'frames of this block [B, N, P]' });
    const x = g.op('Cast', [counts], { name: 'counts_float', attrs: { to: { int: FLOAT } }, dtype: 'float', doc: 'exact: integers 0..255' });
    return g.op('Reshape', [x, g.constant('int64', [-1, inv.pixels], [2], `shape_rows_${inv.pixels}`)], { name: 'x', doc: `[B * N, ${inv.pixels}]` });
  });
}
