/**
 * What a caller set with A1111's POST /sdapi/v1/options. On A1111 that changes the one
 * server for everyone; here it is remembered for that caller only and applied to its later
 * jobs (`sd_model_checkpoint` as the job's checkpoint, other keys as override_settings),
 * so one client choosing a model does not switch it under another. Kept in memory: after
 * a restart a client sets it again (most set it before each generation anyway).
 */
import type { CallerDefaults } from './a1111/a1111-request.ts';

export class CallerOptions {
  readonly #byCaller = new Map<string, Record<string, unknown>>();

  get(callerId: string): Record<string, unknown> {
    return { ...this.#byCaller.get(callerId) };
  }

  set(callerId: string, patch: Record<string, unknown>): void {
    this.#byCaller.set(callerId, { ...this.#byCaller.get(callerId), ...patch });
  }

  defaults(callerId: string): CallerDefaults {
    const { sd_model_checkpoint: checkpoint, ...overrides } = this.get(callerId);
    return { checkpoint: typeof checkpoint === 'string' && checkpoint ? checkpoint : null, overrides };
  }
}
