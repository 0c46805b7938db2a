/** What the facade routes share: the engine's parts and the facades' own state. */
import type { ApiContext } from '../api/context.ts';
import type { CallerOptions } from './caller-options.ts';
import type { CompatJobs } from './compat-jobs.ts';

export interface CompatContext {
  ctx: ApiContext;
  jobs: CompatJobs;
  options: CallerOptions;
}
