import { Writable } from 'node:stream';

/**
 * The last log lines in memory, for the diagnostics bundle: a stream a pino logger writes
 * to beside its usual destination. Bounded by line count and by bytes, so a burst of
 * huge lines cannot grow it without limit.
 */
export class RecentLogs extends Writable {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  readonly #lines: string[] = [];
  #bytes = 0;

  constructor(options: { maxLines?: number; maxBytes?: number } = {}) {
    super({ decodeStrings: false });
    this.#maxLines = options.maxLines ?? 2000;
    this.#maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (!line) continue;
      this.#lines.push(line);
      this.#bytes += line.length;
    }
    while (this.#lines.length > this.#maxLines || this.#bytes > this.#maxBytes) this.#bytes -= this.#lines.shift()!.length;
    callback();
  }

  lines(): string[] {
    return [...this.#lines];
  }
}
