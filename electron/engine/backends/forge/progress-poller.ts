import type { AxiosInstance } from 'axios';
import { decodeBase64Image, imageMime } from '../image-bytes.ts';
import type { ProgressUpdate } from '../types.ts';

const POLL_MS = 400;
const PREVIEW_EVERY = 3;

export const QUEUED_BEHIND_ANOTHER = 'Queued on server behind another job';
export const LOADING_MODEL = 'Loading model on server';

interface ProgressBody {
  progress?: number; eta_relative?: number; current_image?: string | null; current_task?: string | null;
  state?: { job_count?: number; sampling_step?: number; sampling_steps?: number };
}

/**
 * Turns one `/sdapi/v1/progress` answer into our progress, or null when it says nothing
 * about our task. The answer describes whoever holds the server's lock: while our request
 * waits behind another client's job it shows that job and its preview, so it counts only
 * when `current_task` is ours. Servers too old to send `current_task` run one client's
 * work at a time as far as we can tell, so their answer is taken as ours.
 */
export function progressForTask(body: ProgressBody, taskId: string): ProgressUpdate | null {
  const state = body.state;
  if (!state) return null;
  const jobCount = state.job_count ?? 0;
  const knowsTask = 'current_task' in body;
  if (knowsTask && body.current_task !== taskId) {
    return jobCount !== 0 ? { progress: 0, etaSeconds: null, step: null, steps: null, statusText: QUEUED_BEHIND_ANOTHER } : null;
  }
  if (jobCount === 0) return null;
  // job_count is -1 from begin() until processing knows its batches: a model is loading.
  if (jobCount === -1) return { progress: 0, etaSeconds: null, step: null, steps: null, statusText: LOADING_MODEL };
  const update: ProgressUpdate = {
    progress: Math.max(0, Math.min(1, body.progress ?? 0)),
    etaSeconds: typeof body.eta_relative === 'number' && body.eta_relative > 0 ? body.eta_relative : null,
    step: state.sampling_step ?? null,
    steps: state.sampling_steps ?? null,
    statusText: null,
  };
  const preview = decodeBase64Image(body.current_image);
  if (preview) update.preview = { data: preview, mime: imageMime(preview)! };
  return update;
}

/**
 * Polls /sdapi/v1/progress while our generation request is open and reports what concerns
 * our task (see progressForTask). /progress takes no lock, so it answers during a run.
 */
export function pollForgeProgress(http: AxiosInstance, taskId: string, onProgress: (u: ProgressUpdate) => void): () => void {
  let stopped = false;
  let round = 0;
  const loop = async () => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (stopped) break;
      const withPreview = round++ % PREVIEW_EVERY === PREVIEW_EVERY - 1;
      try {
        const res = await http.get(`/sdapi/v1/progress?skip_current_image=${withPreview ? 'false' : 'true'}`, {
          signal: AbortSignal.timeout(10_000),
        });
        if (stopped || res.status !== 200) continue;
        const update = progressForTask(JSON.parse(res.data as string) as ProgressBody, taskId);
        if (update) onProgress(update);
      } catch {
        // Progress is best effort; the generation request decides the outcome.
      }
    }
  };
  void loop();
  return () => { stopped = true; };
}
