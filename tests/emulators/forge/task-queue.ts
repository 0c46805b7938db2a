/**
 * `modules/progress.py`: which task is running, which wait for the queue lock, which are
 * done. The API adds a task when its request passes validation (`force_task_id` or a fresh
 * `task(txt2img-XXXXXXX)`), starts it once it holds the lock, and finishes it only when
 * processing returned: a task whose processing raised stays "current" until the next one
 * starts, as on the real server.
 */
import { randomInt } from 'node:crypto';

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const FINISHED_KEPT = 16;

export class TaskQueue {
  current: string | null = null;
  /** id → time added, in arrival order */
  readonly pending = new Map<string, number>();
  readonly finished: string[] = [];

  /** `create_task_id` */
  static createId(type: string): string {
    return `task(${type}-${Array.from({ length: 7 }, () => ID_CHARS[randomInt(ID_CHARS.length)]).join('')})`;
  }

  add(id: string): void {
    this.pending.set(id, Date.now() / 1000);
  }

  start(id: string): void {
    this.current = id;
    this.pending.delete(id);
  }

  finish(id: string): void {
    if (this.current === id) this.current = null;
    this.finished.push(id);
    if (this.finished.length > FINISHED_KEPT) this.finished.shift();
  }

  /** A request that never got the lock (server went away) leaves the queue. */
  drop(id: string): void {
    this.pending.delete(id);
  }

  /** `/internal/progress` for a task that is not the running one. */
  waitingAnswer(id: string): Record<string, unknown> {
    const queued = this.pending.has(id);
    let textinfo = 'Waiting...';
    if (queued) {
      const order = [...this.pending.keys()];
      textinfo = `In queue: ${order.indexOf(id) + 1}/${order.length}`;
    }
    return {
      active: false, queued, completed: this.finished.includes(id), progress: null, eta: null,
      live_preview: null, id_live_preview: -1, textinfo,
    };
  }
}
