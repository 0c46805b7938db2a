/** Small JSON client for tests: returns status and parsed body, never throws on 4xx/5xx. */
export async function api<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Polls until `check` returns a truthy value or the timeout passes. */
export async function waitFor<T>(check: () => Promise<T> | T, { timeoutMs = 20_000, intervalMs = 25, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)?.slice(0, 300)})`);
}

export const FINISHED = new Set(['completed', 'failed', 'cancelled']);

/**
 * Waits until every job id has finished; returns their final status responses. Asks about
 * one unfinished job at a time, so waiting does not load the server it measures.
 */
export async function waitForJobs(base: string, ids: string[], timeoutMs = 60_000): Promise<any[]> {
  const done = new Map<string, any>();
  await waitFor(async () => {
    for (const id of ids) {
      if (done.has(id)) continue;
      const res = await api(base, 'GET', `/api/v1/queue/jobs/${id}/status`);
      if (!FINISHED.has(res.body?.status)) return false;
      done.set(id, res.body);
    }
    return true;
  }, { timeoutMs, what: `${ids.length} jobs to finish`, intervalMs: 50 });
  return ids.map((id) => done.get(id));
}
