import type { BackendError } from '../backends/types.ts';

/**
 * How an attempt ends, decided as plain data: the dispatcher gathers what happened (why
 * the engine stopped it, what the backend returned or threw) and applies the answer to
 * the store. Keeping the decision pure lets every branch be tested as a table.
 */

/** Why the engine itself stopped a running attempt; null while nobody asked it to stop. */
export type StopReason = 'cancel' | 'shutdown' | 'take_back';

export type AttemptOutcome =
  /** The backend answered; `interrupted` when it ended early (images may be partial). */
  | { type: 'result'; interrupted: boolean }
  /** A before-run hook parked the job while a model it needs downloads. */
  | { type: 'parked'; message: string; params?: Record<string, unknown> }
  /** The results could not be written: the disk is full or read-only; the queue waits for space. */
  | { type: 'disk_full'; message: string }
  /** The backend or the bookkeeping failed; `aborted` when the engine's own deadline cut it. */
  | { type: 'error'; error: BackendError; aborted: boolean };

export type Settlement =
  | { action: 'complete'; status: 'completed' | 'cancelled'; error: string | null }
  | { action: 'cancel' }
  | {
    action: 'release'; refundAttempt: boolean; error: string | null; retryInMs?: number; interruptBackend?: boolean; offline?: string;
    /** Its server crashed during the attempt: counted toward quarantine. */
    crashed?: boolean;
    /** It ran out of GPU memory: only a server with more may take it next. */
    outOfMemory?: boolean;
  }
  /** Its server crashed during it again: held with the reason instead of run a third time. */
  | { action: 'quarantine'; reason: string }
  | { action: 'park'; message: string; params?: Record<string, unknown> }
  | { action: 'fail'; message: string; details: Record<string, unknown> | null; interruptBackend?: boolean };

export const CANCELLED_BY_USER = 'Cancelled by user';
export const STOPPED_ON_SERVER = 'Stopped early on the server (interrupted there); kept the images it made';
export const STOPPED_WHILE_RUNNING = 'StableQueue stopped while this job ran; it will run again';

export interface SettleInput {
  stop: StopReason | null;
  outcome: AttemptOutcome;
  /** Attempts used so far, this one included, and the job's maximum. */
  attempts: number;
  maxAttempts: number;
  /** Backoff before the next attempt after a transient failure. */
  retryDelayMs: (attempts: number) => number;
  /** The server went offline while this attempt ran (checked after the failure), and how often that happened before. */
  crash?: { server: string; before: number } | null;
  /** After an out-of-memory failure: an enabled server with more GPU memory could take the job. */
  biggerServerFits?: boolean;
}

/** A job during which its server went down this many times is quarantined, not retried. */
export const CRASHES_BEFORE_QUARANTINE = 2;

export function decideSettlement({ stop, outcome, attempts, maxAttempts, retryDelayMs, crash = null, biggerServerFits = false }: SettleInput): Settlement {
  if (outcome.type === 'result') {
    if (stop === 'cancel') return { action: 'complete', status: 'cancelled', error: CANCELLED_BY_USER };
    // Nobody here asked: someone interrupted it at the server (its own UI, another client).
    if (outcome.interrupted) return { action: 'complete', status: 'cancelled', error: STOPPED_ON_SERVER };
    return { action: 'complete', status: 'completed', error: null };
  }
  if (stop === 'cancel') return { action: 'cancel' };
  if (stop === 'shutdown') return { action: 'release', refundAttempt: true, error: STOPPED_WHILE_RUNNING };
  if (stop === 'take_back') return { action: 'release', refundAttempt: true, error: null };
  if (outcome.type === 'parked') return { action: 'park', message: outcome.message, params: outcome.params };
  // Not the job's fault: it runs again, uncounted, once there is room for its images.
  if (outcome.type === 'disk_full') return { action: 'release', refundAttempt: true, error: `Waiting: ${outcome.message}` };

  const { error, aborted } = outcome;
  // Deadline: the server may still be generating; free its GPU before the job moves on.
  const interruptBackend = aborted ? { interruptBackend: true } : {};
  if (crash && !aborted && (error.kind === 'transient' || error.kind === 'offline')) {
    const crashes = crash.before + 1;
    if (crashes >= CRASHES_BEFORE_QUARANTINE) {
      return { action: 'quarantine', reason: `Quarantined: ${crash.server} crashed or went offline during this job ${crashes} times, so it is not retried (the server's other jobs go on). Check the job's settings, then release it to try again.` };
    }
    // Not counted as an attempt: the crash counter decides whether it may run again.
    return { action: 'release', refundAttempt: true, crashed: true, error: `Waiting: ${crash.server} went offline during this job (${error.message}); it runs again once a server is back` };
  }
  switch (error.kind) {
    case 'offline':
      return { action: 'release', refundAttempt: true, error: `Waiting: ${error.message}`, offline: error.message, ...interruptBackend };
    // Out of GPU memory: the same job on the same card fails the same way; only a bigger card may try.
    case 'out_of_memory':
      if (biggerServerFits) return { action: 'release', refundAttempt: false, outOfMemory: true, error: `Retrying on a server with more GPU memory after: ${error.message}` };
      return { action: 'fail', message: `${error.message} No enabled server with more GPU memory can take it.`, details: error.details ? { error_details: error.details } : null, ...interruptBackend };
    case 'permanent':
    case 'cancelled':
      return { action: 'fail', message: error.message, details: error.details ? { error_details: error.details } : null, ...interruptBackend };
    case 'transient':
      if (attempts >= maxAttempts) {
        return { action: 'fail', message: `${error.message} (gave up after ${attempts} attempts)`, details: null, ...interruptBackend };
      }
      return { action: 'release', refundAttempt: false, error: `Retrying after: ${error.message}`, retryInMs: retryDelayMs(attempts), ...interruptBackend };
  }
}
