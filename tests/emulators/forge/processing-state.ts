/**
 * `shared.state` (modules/shared_state.py) and the `/sdapi/v1/progress` answer built from it.
 *
 * Only the running job touches this: begin() resets the interrupt/skip flags, so an
 * interrupt sent while idle or queued does nothing. end() clears job and job_count but
 * leaves job_no, sampling_step and the timestamps as they were, like the real server.
 */
import { makePng } from '../png.ts';
import { pyFloat } from './py-json.ts';

export interface PreviewSource {
  width: number;
  height: number;
  seed: number;
}

export class ProcessingState {
  skipped = false;
  interrupted = false;
  stopping_generation = false;
  job = '';
  job_no = 0;
  job_count = 0;
  job_timestamp = '0';
  sampling_step = 0;
  sampling_steps = 0;
  textinfo: string | null = null;
  /** seconds, like time.time() */
  time_start = 0;
  current_image_sampling_step = 0;
  /** stands in for `current_latent`: what a live preview would show right now */
  latent: PreviewSource | null = null;
  current_image: Promise<Buffer> | null = null;
  /** bumped whenever current_image changes (`/internal/progress` sends a preview only when it moved) */
  id_live_preview = 0;

  begin(job: string): void {
    this.sampling_step = 0;
    this.time_start = Date.now() / 1000;
    this.job_count = -1;
    this.job_no = 0;
    this.job_timestamp = pyTimestamp(new Date());
    this.latent = null;
    this.current_image = null;
    this.current_image_sampling_step = 0;
    this.skipped = false;
    this.interrupted = false;
    this.stopping_generation = false;
    this.textinfo = null;
    this.job = job;
  }

  end(): void {
    this.job = '';
    this.job_count = 0;
  }

  nextjob(opts: Record<string, unknown>): void {
    if (opts.live_previews_enable && opts.show_progress_every_n_steps === -1) this.setCurrentImageNow();
    this.job_no += 1;
    this.sampling_step = 0;
    this.current_image_sampling_step = 0;
  }

  interrupt(): void {
    this.interrupted = true;
  }

  skip(): void {
    this.skipped = true;
  }

  dict(): Record<string, unknown> {
    return {
      skipped: this.skipped,
      interrupted: this.interrupted,
      stopping_generation: this.stopping_generation,
      job: this.job,
      job_count: this.job_count,
      job_timestamp: this.job_timestamp,
      job_no: this.job_no,
      sampling_step: this.sampling_step,
      sampling_steps: this.sampling_steps,
    };
  }

  /** `set_current_image`: refresh the preview every `show_progress_every_n_steps` steps. */
  maybeSetCurrentImage(opts: Record<string, unknown>): void {
    const every = Number(opts.show_progress_every_n_steps);
    if (every !== -1 && opts.live_previews_enable && this.sampling_step - this.current_image_sampling_step >= every) {
      this.setCurrentImageNow();
    }
  }

  setCurrentImageNow(): void {
    if (!this.latent) return;
    const { width, height, seed } = this.latent;
    this.current_image = makePng({ width, height, seed: seed * 1000 + this.sampling_step });
    this.current_image_sampling_step = this.sampling_step;
    this.id_live_preview += 1;
  }
}

/**
 * `progressapi`: idle shape when job_count == 0, otherwise the progress/eta formula. It
 * describes whoever holds the lock (`current_task`), not the caller's request.
 */
export async function progressResponse(
  state: ProcessingState,
  opts: Record<string, unknown>,
  skipCurrentImage: boolean,
  currentTask: string | null,
): Promise<Record<string, unknown>> {
  if (state.job_count === 0) {
    return { progress: pyFloat(0), eta_relative: pyFloat(0), state: state.dict(), current_image: null, textinfo: state.textinfo, current_task: null };
  }
  let progress = 0.01;
  if (state.job_count > 0) progress += state.job_no / state.job_count;
  if (state.sampling_steps > 0) progress += ((1 / state.job_count) * state.sampling_step) / state.sampling_steps;
  const elapsed = Date.now() / 1000 - state.time_start;
  const etaRelative = elapsed / progress - elapsed;
  progress = Math.min(progress, 1);

  state.maybeSetCurrentImage(opts);
  const dict = state.dict(); // snapshot before awaiting the preview render
  let currentImage: string | null = null;
  if (state.current_image && !skipCurrentImage) currentImage = (await state.current_image).toString('base64');
  return { progress: pyFloat(progress), eta_relative: pyFloat(etaRelative), state: dict, current_image: currentImage, textinfo: state.textinfo, current_task: currentTask };
}

/** `modules/progress.py` progressapi for the running task: progress without the 0.01, a data: URL preview. */
export async function internalProgressResponse(
  state: ProcessingState,
  opts: Record<string, unknown>,
  req: { livePreview: boolean; idLivePreview: number },
): Promise<Record<string, unknown>> {
  let progress = 0;
  if (state.job_count > 0) progress += state.job_no / state.job_count;
  if (state.sampling_steps > 0 && state.job_count > 0) progress += ((1 / state.job_count) * state.sampling_step) / state.sampling_steps;
  progress = Math.min(progress, 1);
  const elapsed = Date.now() / 1000 - state.time_start;
  const eta = progress > 0 ? elapsed / progress - elapsed : null;
  let livePreview: string | null = null;
  let idLivePreview = req.idLivePreview;
  if (opts.live_previews_enable && req.livePreview) {
    state.maybeSetCurrentImage(opts);
    if (state.id_live_preview !== req.idLivePreview && state.current_image) {
      livePreview = `data:image/png;base64,${(await state.current_image).toString('base64')}`;
      idLivePreview = state.id_live_preview;
    }
  }
  return {
    active: true, queued: false, completed: false, progress: pyFloat(progress), eta: eta === null ? null : pyFloat(eta),
    live_preview: livePreview, id_live_preview: idLivePreview, textinfo: state.textinfo,
  };
}

/** datetime.now().strftime("%Y%m%d%H%M%S") */
export function pyTimestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
