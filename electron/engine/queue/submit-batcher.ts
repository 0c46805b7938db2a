import type { JobRow } from './job-row.ts';
import type { NewJob } from './job-store.ts';

interface Waiting {
  job: NewJob;
  resolve(row: JobRow): void;
  reject(error: unknown): void;
}

/**
 * Group commit for submissions: every job submitted in one turn of the event loop is
 * written in one transaction (one fsync), then each caller gets its row. Each caller still
 * hears back only after its job is durable.
 */
export class SubmitBatcher {
  readonly #insertMany: (jobs: NewJob[]) => JobRow[];
  #waiting: Waiting[] = [];

  constructor(insertMany: (jobs: NewJob[]) => JobRow[]) {
    this.#insertMany = insertMany;
  }

  submit(job: NewJob): Promise<JobRow> {
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => this.#flush());
      this.#waiting.push({ job, resolve, reject });
    });
  }

  #flush(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    let rows: JobRow[];
    try {
      rows = this.#insertMany(batch.map((w) => w.job));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve(rows[i]));
  }
}
