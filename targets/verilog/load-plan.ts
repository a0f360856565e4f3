/**
 * @fileoverview The loaded form of the first layer's weights (the board flow, `--board icebreaker`): which layer, how
 * many words of what width (plan.ts plans it from the first stage); and what the board flow asks of the plan.
 */

/**
 * The first layer's weights in a writable memory that a boot loader fills from flash (the board flow, `--board
 * icebreaker`): snn_top takes the words on load_we / load_addr / load_data before its first sample.
 */
export interface LoadPlan {
  readonly layer: number;
  readonly words: number;
  readonly width: number;
  readonly addrBits: number;
}

/** What the board flow asks of the plan beyond the lanes: fewer lanes after the first layer, loaded weights. */
export interface PlanExtras {
  /** Lanes of every layer after the first (default: `lanes`). */
  readonly laterLanes?: number;
  readonly loaded?: boolean;
  /** The ring readout (default: with `loaded`); only for a one-lane last layer. */
  readonly ringReadout?: boolean;
  /** The later layers' synapse products and the jitter product in two halves (SPLIT_PRODUCT, SPLIT_JITTER): LUT-built on the board. */
  readonly splitLaterProducts?: boolean;
}
