/** @fileoverview A one-line progress bar on a terminal (stderr); silent when stderr is not a TTY, so logs stay clean. */
import type { CommandIO } from './command.ts';

export interface Progress {
  tick(done: number, note?: string): void;
  done(): void;
}

/** A bar drawn on stderr when `tty` is true; a silent one otherwise. */
export function terminalProgress(label: string, total: number, tty: boolean): Progress {
  const started = performance.now();
  let last = 0;
  return {
    tick(done, note = '') {
      if (!tty) return;
      const now = performance.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const rate = done / Math.max((now - started) / 1000, 1e-9);
      const eta = rate > 0 ? (total - done) / rate : 0;
      const width = 24;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)}/s ETA ${eta.toFixed(0)}s ${note}\x1b[K`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

export function progress(io: CommandIO, label: string, total: number): Progress {
  return terminalProgress(label, total, io.tty);
}
