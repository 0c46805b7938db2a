/** Messages between a download and its transfer worker (transfer-worker.ts). */

export interface AttemptRequest {
  url: string;
  headers: Record<string, string>;
  /** Bytes already in the `.part` (the Range start); 0 writes a new file. */
  offset: number;
  part: string;
  expectSafetensors: boolean;
  /** Total size if already known. */
  expected: number | null;
  headersTimeoutMs: number;
  idleTimeoutMs: number;
}

export type AttemptOutcome =
  | { kind: 'redirect'; location: string }
  | { kind: 'status'; status: number; body: string }
  | { kind: 'range_not_satisfiable' }
  | { kind: 'range_mismatch'; contentRange: string | null }
  | { kind: 'refused'; reason: string }
  | { kind: 'done'; size: number; total: number | null }
  | { kind: 'broken'; message: string; size: number }
  | { kind: 'aborted'; size: number };

export type WorkerMessage =
  | { type: 'progress'; bytes: number; written: number }
  | { type: 'restart' }
  | { type: 'total'; total: number }
  | { type: 'result'; outcome: AttemptOutcome };
