/**
 * @fileoverview The one progress bar: a line redrawn in place on a terminal (`\r`, cleared with `\x1b[K`), silent when
 * the sink is not a TTY so logs and pipes stay clean. `snnc compile`, `eval` and `verify` show a rate and an ETA after
 * the count; training shows its loss and accuracy there.
 */

/** Where a bar draws: raw text (no newline added), written only when `tty` is true. */
export interface ProgressSink {
  readonly write: (text: string) => void;
  readonly tty: boolean;
}

/** What follows `done/total` on the line: a note after the rate and ETA, or the whole text from the elapsed seconds. */
export type ProgressStatus = string | ((elapsedSeconds: number) => string);

export interface Progress {
  tick(done: number, status?: ProgressStatus): void;
  /** Clears the line so the next output replaces the bar. */
  done(): void;
}

const BAR_WIDTH = 24;
/** Redraw at most this often by default, so drawing costs nothing next to the work it counts. */
const DEFAULT_REDRAW_MS = 100;

/** process.stderr as a sink (looked up at each write, so a test may replace process.stderr.write). */
export function stderrSink(tty: boolean): ProgressSink {
  return { tty, write: (text) => void process.stderr.write(text) };
}

/** `m:ss`, or `h:mm:ss` from an hour up; `--:--` when not finite. */
export function clockTime(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`;
}

function rateAndEta(done: number, total: number, elapsedSeconds: number, note: string): string {
  const rate = done / Math.max(elapsedSeconds, 1e-9);
  const eta = rate > 0 ? (total - done) / rate : 0;
  return `${rate.toFixed(0)}/s ETA ${eta.toFixed(0)}s ${note}`;
}

/** A bar of `total` steps on `sink`, timed from now; the last step is always drawn. */
export function progressBar(sink: ProgressSink, label: string, total: number, redrawMs = DEFAULT_REDRAW_MS): Progress {
  const started = performance.now();
  let last = 0;
  return {
    tick(done, status = '') {
      if (!sink.tty) return;
      const now = performance.now();
      if (now - last < redrawMs && done < total) return;
      last = now;
      const elapsedSeconds = (now - started) / 1000;
      const filled = Math.round((done / Math.max(total, 1)) * BAR_WIDTH);
      const text = typeof status === 'function' ? status(elapsedSeconds) : rateAndEta(done, total, elapsedSeconds, status);
      sink.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${text}\x1b[K`);
    },
    done() {
      if (sink.tty) sink.write('\r\x1b[K');
    },
  };
}

/** A bar on stderr when `tty` is true; a silent one otherwise. */
export function terminalProgress(label: string, total: number, tty: boolean): Progress {
  return progressBar(stderrSink(tty), label, total);
}
