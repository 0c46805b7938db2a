import { describe, expect, it } from 'vitest';
import { BackendError, type BackendErrorKind } from '../../../electron/engine/backends/types.ts';
import {
  decideSettlement, type AttemptOutcome, type Settlement, type SettleInput, type StopReason,
} from '../../../electron/engine/queue/settle-attempt.ts';

const delay = (attempts: number) => attempts * 1000;
const error = (kind: BackendErrorKind, message = 'boom', details?: unknown) =>
  ({ type: 'error', error: new BackendError(kind, message, { details }), aborted: false }) as AttemptOutcome;
const aborted = (kind: BackendErrorKind, message = 'deadline') =>
  ({ type: 'error', error: new BackendError(kind, message), aborted: true }) as AttemptOutcome;
const result = (interrupted = false): AttemptOutcome => ({ type: 'result', interrupted });
const parked: AttemptOutcome = { type: 'parked', message: 'Downloading from Civitai: x', params: { checkpoint_name: 'x.safetensors' } };

interface Row {
  name: string;
  stop: StopReason | null;
  outcome: AttemptOutcome;
  attempts?: number;
  /** What the dispatcher found out after the failure (a crash, a bigger GPU). */
  found?: Pick<SettleInput, 'crash' | 'biggerServerFits'>;
  expected: Settlement;
}

const rows: Row[] = [
  { name: 'a result completes the job', stop: null, outcome: result(), expected: { action: 'complete', status: 'completed', error: null } },
  { name: 'an interrupted result ends cancelled with its partial images, saying it was stopped on the server', stop: null, outcome: result(true),
    expected: { action: 'complete', status: 'cancelled', error: 'Stopped early on the server (interrupted there); kept the images it made' } },
  { name: 'an interrupted result after the user cancelled is the user\'s cancel', stop: 'cancel', outcome: result(true),
    expected: { action: 'complete', status: 'cancelled', error: 'Cancelled by user' } },
  { name: 'a result after the user cancelled ends cancelled', stop: 'cancel', outcome: result(),
    expected: { action: 'complete', status: 'cancelled', error: 'Cancelled by user' } },
  { name: 'a result that arrives during shutdown still completes', stop: 'shutdown', outcome: result(),
    expected: { action: 'complete', status: 'completed', error: null } },
  { name: 'a result that arrives after a take-back still completes', stop: 'take_back', outcome: result(),
    expected: { action: 'complete', status: 'completed', error: null } },
  { name: 'an error after the user cancelled ends cancelled', stop: 'cancel', outcome: error('transient'), expected: { action: 'cancel' } },
  { name: 'a cancelled job that was parked still ends cancelled', stop: 'cancel', outcome: parked, expected: { action: 'cancel' } },
  { name: 'an error during shutdown requeues without counting the attempt', stop: 'shutdown', outcome: aborted('cancelled'),
    expected: { action: 'release', refundAttempt: true, error: 'StableQueue stopped while this job ran; it will run again' } },
  { name: 'a taken-back job goes back to pending without counting the attempt', stop: 'take_back', outcome: aborted('cancelled'),
    expected: { action: 'release', refundAttempt: true, error: null } },
  { name: 'a parked job waits for its download', stop: null, outcome: parked,
    expected: { action: 'park', message: 'Downloading from Civitai: x', params: { checkpoint_name: 'x.safetensors' } } },
  { name: 'an offline server: the job waits, no attempt counted, the server is marked offline', stop: null, outcome: error('offline', 'ECONNREFUSED'),
    expected: { action: 'release', refundAttempt: true, error: 'Waiting: ECONNREFUSED', offline: 'ECONNREFUSED' } },
  { name: 'a permanent error fails at once with its details', stop: null, outcome: error('permanent', 'unknown checkpoint', { closest: ['a'] }),
    expected: { action: 'fail', message: 'unknown checkpoint', details: { error_details: { closest: ['a'] } } } },
  { name: 'a permanent error without details fails without details', stop: null, outcome: error('permanent', 'bad'),
    expected: { action: 'fail', message: 'bad', details: null } },
  { name: 'out of GPU memory fails at once when no bigger GPU can take it (the same card would fail the same way)', stop: null, outcome: error('out_of_memory', 'out of GPU memory; try a smaller size.'), attempts: 1,
    expected: { action: 'fail', message: 'out of GPU memory; try a smaller size. No enabled server with more GPU memory can take it.', details: null } },
  { name: 'out of GPU memory goes back in line for a bigger GPU when one can take it', stop: null, outcome: error('out_of_memory', 'OOM'), found: { biggerServerFits: true },
    expected: { action: 'release', refundAttempt: false, outOfMemory: true, error: 'Retrying on a server with more GPU memory after: OOM' } },
  { name: 'the server going down during the job the first time: it waits, uncounted, and the crash is counted', stop: null, outcome: error('transient', 'socket hang up'),
    found: { crash: { server: 'gpu1', before: 0 } },
    expected: { action: 'release', refundAttempt: true, crashed: true, error: 'Waiting: gpu1 went offline during this job (socket hang up); it runs again once a server is back' } },
  { name: 'the server going down during the job a second time quarantines it', stop: null, outcome: error('transient', 'socket hang up'), attempts: 2,
    found: { crash: { server: 'gpu1', before: 1 } },
    expected: { action: 'quarantine', reason: "Quarantined: gpu1 crashed or went offline during this job 2 times, so it is not retried (the server's other jobs go on). Check the job's settings, then release it to try again." } },
  { name: 'a cancel the engine did not ask for fails the job', stop: null, outcome: error('cancelled', 'interrupted on the server'),
    expected: { action: 'fail', message: 'interrupted on the server', details: null } },
  { name: 'a transient error with attempts left is retried after the backoff', stop: null, outcome: error('transient', '502'), attempts: 2,
    expected: { action: 'release', refundAttempt: false, error: 'Retrying after: 502', retryInMs: 2000 } },
  { name: 'a transient error on the last attempt fails', stop: null, outcome: error('transient', '502'), attempts: 3,
    expected: { action: 'fail', message: '502 (gave up after 3 attempts)', details: null } },
  { name: 'a deadline with attempts left interrupts the server, then retries', stop: null, outcome: aborted('transient', 'no result'), attempts: 1,
    expected: { action: 'release', refundAttempt: false, error: 'Retrying after: no result', retryInMs: 1000, interruptBackend: true } },
  { name: 'a deadline on the last attempt interrupts the server, then fails', stop: null, outcome: aborted('transient', 'no result'), attempts: 3,
    expected: { action: 'fail', message: 'no result (gave up after 3 attempts)', details: null, interruptBackend: true } },
  { name: 'an aborted offline attempt interrupts the server and waits', stop: null, outcome: aborted('offline', 'gone'),
    expected: { action: 'release', refundAttempt: true, error: 'Waiting: gone', offline: 'gone', interruptBackend: true } },
  { name: 'an aborted permanent attempt interrupts the server and fails', stop: null, outcome: aborted('permanent', 'bad'),
    expected: { action: 'fail', message: 'bad', details: null, interruptBackend: true } },
];

describe('decideSettlement: how an attempt ends', () => {
  it.each(rows)('$name', ({ stop, outcome, attempts = 1, found, expected }) => {
    const input: SettleInput = { stop, outcome, attempts, maxAttempts: 3, retryDelayMs: delay, ...found };
    expect(decideSettlement(input)).toEqual(expected);
  });

  it('covers every stop reason and every backend error kind in the table', () => {
    const stops = new Set(rows.map((r) => r.stop));
    expect(stops).toEqual(new Set<StopReason | null>([null, 'cancel', 'shutdown', 'take_back']));
    const kinds = new Set(rows.flatMap((r) => (r.outcome.type === 'error' ? [r.outcome.error.kind] : [])));
    const all: Record<BackendErrorKind, true> = { transient: true, permanent: true, out_of_memory: true, offline: true, cancelled: true };
    expect(kinds).toEqual(new Set(Object.keys(all)));
    const actions = new Set(rows.map((r) => r.expected.action));
    expect(actions).toEqual(new Set(['complete', 'cancel', 'release', 'park', 'fail', 'quarantine']));
  });

  it('asks for the backoff of the attempt that just ran', () => {
    const asked: number[] = [];
    decideSettlement({ stop: null, outcome: error('transient'), attempts: 2, maxAttempts: 5, retryDelayMs: (n) => { asked.push(n); return 7; } });
    expect(asked).toEqual([2]);
  });
});
