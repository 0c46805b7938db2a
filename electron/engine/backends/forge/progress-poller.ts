import type { AxiosInstance } from 'axios';
import { decodeBase64Image, imageMime } from '../image-bytes.ts';
import type { ProgressUpdate } from '../types.ts';

const POLL_MS = 400;
const PREVIEW_EVERY = 3;

/**
 * Polls /sdapi/v1/progress while a generation runs and reports it in our progress shape.
 * /progress takes no lock, so it answers while txt2img holds the queue lock.
 */
export function pollForgeProgress(http: AxiosInstance, onProgress: (u: ProgressUpdate) => void): () => void {
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
        const body = JSON.parse(res.data as string) as {
          progress?: number; eta_relative?: number; current_image?: string | null;
          state?: { job_count?: number; sampling_step?: number; sampling_steps?: number };
        };
        if (!body.state || (body.state.job_count ?? 0) === 0) continue;
        const update: ProgressUpdate = {
          progress: Math.max(0, Math.min(1, body.progress ?? 0)),
          etaSeconds: typeof body.eta_relative === 'number' && body.eta_relative > 0 ? body.eta_relative : null,
          step: body.state.sampling_step ?? null,
          steps: body.state.sampling_steps ?? null,
        };
        const preview = decodeBase64Image(body.current_image);
        if (preview) update.preview = { data: preview, mime: imageMime(preview)! };
        onProgress(update);
      } catch {
        // Progress is best effort; the generation request decides the outcome.
      }
    }
  };
  void loop();
  return () => { stopped = true; };
}
