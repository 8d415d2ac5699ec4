/**
 * Shows long work: a redrawn bar on a terminal, and a plain line at most every 10 seconds (and at each
 * 25%) in CI logs, where carriage returns would turn into thousands of lines.
 */
import { formatCount, stripControlCharacters } from "@embedeval/core";
import { isContinuousIntegration } from "./terminal-environment.js";

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** `note`: what slows the work down right now ("throttled since 16:31:05 (12 s)"), shown after the rate. */
  update(done: number, note?: string): void;
  finish(summary?: string): void;
}

export class ProgressReporter {
  readonly #stream: ProgressStream;
  readonly #interactive: boolean;
  readonly #now: () => number;
  readonly #intervalMs: number;

  constructor(
    stream: ProgressStream,
    options: {
      interactive?: boolean;
      now?: () => number;
      intervalMs?: number;
      /** Where `CI` is read from; default process.env. */
      environment?: Readonly<Record<string, string | undefined>>;
    } = {},
  ) {
    this.#stream = stream;
    this.#interactive =
      options.interactive ??
      (stream.isTTY === true && !isContinuousIntegration(options.environment ?? process.env));
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 10_000;
  }

  /** A line of its own (clears a bar in progress first). Control characters from data are removed. */
  log(line: string): void {
    if (this.#interactive) this.#stream.write("\r\u001b[2K");
    this.#stream.write(`${stripControlCharacters(line, true)}\n`);
  }

  start(rawLabel: string, total: number): Progress {
    const label = stripControlCharacters(rawLabel);
    const started = this.#now();
    let lastPrinted = started;
    let lastQuarter = 0;
    // The rate counts what is done from the first update on: texts already cached when the work starts
    // (a resumed run) arrive at once and would show as "1920000/s".
    let baseline: number | undefined;
    const describe = (done: number, note: string | undefined): string => {
      baseline ??= done;
      const seconds = (this.#now() - started) / 1000;
      const rate = seconds > 0 ? (done - baseline) / seconds : 0;
      const remaining = rate > 0 ? (total - done) / rate : Number.NaN;
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      const eta =
        Number.isFinite(remaining) && done < total ? `, about ${formatDuration(remaining)} left` : "";
      const slowedBy = note ? `, ${stripControlCharacters(note)}` : "";
      return `${formatCount(done)}/${formatCount(total)} (${percent}%)${rate > 0 ? `, ${rate.toFixed(0)}/s` : ""}${eta}${slowedBy}`;
    };
    return {
      update: (done, note) => {
        baseline ??= done;
        if (this.#interactive) {
          const width = Math.max(10, Math.min(30, (this.#stream.columns ?? 80) - label.length - 50));
          const filled = total > 0 ? Math.round((done / total) * width) : width;
          const bar = "█".repeat(filled) + "░".repeat(Math.max(0, width - filled));
          this.#stream.write(`\r\u001b[2K${label} ${bar} ${describe(done, note)}`);
          return;
        }
        const quarter = total > 0 ? Math.floor((done / total) * 4) : 4;
        const now = this.#now();
        if (quarter > lastQuarter || now - lastPrinted >= this.#intervalMs) {
          lastQuarter = Math.max(lastQuarter, quarter);
          lastPrinted = now;
          if (done < total) this.#stream.write(`${label}: ${describe(done, note)}\n`);
        }
      },
      finish: (summary) => {
        const seconds = (this.#now() - started) / 1000;
        this.log(`${label}: done in ${formatDuration(seconds)}${summary ? `, ${summary}` : ""}`);
      },
    };
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}
