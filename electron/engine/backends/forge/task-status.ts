/**
 * Where our request stands on a Forge / A1111 server, by the task id we gave it
 * (`force_task_id`). The server runs one generation at a time behind a FIFO lock shared
 * with its own UI and other clients, and `/sdapi/v1/interrupt` stops whatever runs, so
 * every decision about "our" job needs this answer:
 * - `POST /internal/progress {id_task}` (webui mode) says queued / active / completed;
 * - with `--nowebui` that route is absent (404), and with `--gradio-auth` it is behind
 *   the web UI's login: `/sdapi/v1/progress` still names the running task
 *   (`current_task`), so we can tell active from not active.
 */
import type { AxiosInstance } from 'axios';

export type TaskStatus = 'active' | 'queued' | 'completed' | 'unknown';

const TIMEOUT_MS = 10_000;

export class ForgeTaskStatus {
  readonly #http: AxiosInstance;
  /** null until the first answer tells whether `/internal/progress` exists. */
  #hasInternal: boolean | null = null;

  constructor(http: AxiosInstance) {
    this.#http = http;
  }

  /** False while the server cannot say that a task waits in its queue (`--nowebui`). */
  get knowsQueue(): boolean {
    return this.#hasInternal !== false;
  }

  async read(taskId: string): Promise<TaskStatus> {
    if (this.#hasInternal !== false) {
      const res = await this.#http.post('/internal/progress', { id_task: taskId, live_preview: false, id_live_preview: -1 }, {
        signal: AbortSignal.timeout(TIMEOUT_MS), headers: { 'Content-Type': 'application/json' },
      });
      if (res.status === 200) {
        this.#hasInternal = true;
        const body = JSON.parse(res.data as string) as { active?: boolean; queued?: boolean; completed?: boolean };
        return body.active ? 'active' : body.queued ? 'queued' : body.completed ? 'completed' : 'unknown';
      }
      // Absent (--nowebui) or behind the web UI's own login (--gradio-auth): use /progress.
      if (![401, 403, 404, 405].includes(res.status)) return 'unknown';
      this.#hasInternal = false;
    }
    const res = await this.#http.get('/sdapi/v1/progress?skip_current_image=true', { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (res.status !== 200) return 'unknown';
    const body = JSON.parse(res.data as string) as { current_task?: string | null; state?: { job_count?: number } };
    return body.current_task === taskId && (body.state?.job_count ?? 0) !== 0 ? 'active' : 'unknown';
  }
}
