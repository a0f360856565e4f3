/** @fileoverview A one-line progress bar per epoch (batch, loss, accuracy, samples/s, ETA), redrawn on a TTY only. */

const BAR_WIDTH = 24;
/** Redraw at most this often, so the bar costs nothing next to a training step. */
const REDRAW_MS = 200;

export interface ProgressSink {
  /** Writes raw text (no newline added); only called on a TTY. */
  readonly write: (text: string) => void;
  readonly tty: boolean;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

export class EpochProgress {
  private readonly start = performance.now();
  private lastDraw = 0;
  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly batches: number,
  ) {}

  update(batch: number, samples: number, loss: number, accuracy: number): void {
    if (!this.sink.tty) return;
    const now = performance.now();
    if (batch < this.batches && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const elapsed = (now - this.start) / 1000;
    const rate = samples / Math.max(elapsed, 1e-9);
    const eta = ((this.batches - batch) * elapsed) / Math.max(batch, 1);
    const filled = Math.round((BAR_WIDTH * batch) / this.batches);
    const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
    const text = `${this.label} [${bar}] ${batch}/${this.batches} loss ${loss.toFixed(4)} acc ${(100 * accuracy).toFixed(2)}% ${rate.toFixed(0)} samples/s ETA ${duration(eta)}`;
    this.sink.write(`\r${text}\x1b[K`);
  }

  /** Clears the bar so the epoch's summary line replaces it. */
  done(): void {
    if (this.sink.tty) this.sink.write('\r\x1b[K');
  }
}
