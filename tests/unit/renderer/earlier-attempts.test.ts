import { describe, expect, it } from 'vitest';
import { splitHistory } from '../../../renderer/src/lib/earlier-attempts.ts';

describe('splitHistory', () => {
  it('reads the ended attempt of each retry and leaves ordinary edits as edits', () => {
    const edit = { at: '2026-01-01T10:00:00.000Z', by: 'ui' as const, api_key_id: null, changes: [{ field: 'priority', from: 5, to: 9 }] };
    const retry = {
      at: '2026-01-01T10:05:00.000Z', by: 'ui' as const, api_key_id: null,
      changes: [
        { field: 'status', from: 'failed', to: 'pending' },
        { field: 'started_timestamp', from: '2026-01-01T10:01:00.000Z', to: null },
        { field: 'completion_timestamp', from: '2026-01-01T10:02:00.000Z', to: null },
        { field: 'error_message', from: 'server unreachable', to: null },
      ],
    };
    const { attempts, edits } = splitHistory([edit, retry]);
    expect(edits).toEqual([edit]);
    expect(attempts).toEqual([{ status: 'failed', started: '2026-01-01T10:01:00.000Z', finished: '2026-01-01T10:02:00.000Z', error: 'server unreachable', retriedAt: retry.at }]);
  });

  it('an attempt that never started has no times', () => {
    const { attempts } = splitHistory([{ at: 'x', by: 'ui', api_key_id: null, changes: [{ field: 'status', from: 'cancelled', to: 'pending' }] }]);
    expect(attempts).toEqual([{ status: 'cancelled', started: null, finished: null, error: null, retriedAt: 'x' }]);
  });
});
