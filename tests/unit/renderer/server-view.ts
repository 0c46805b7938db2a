import type { ServerView } from '../../../shared/servers.ts';

/** A Forge server as the API lists it: online, idle, no rules; `over` sets what a test is about. */
export const serverView = (alias: string, over: Partial<ServerView> = {}): ServerView => ({
  alias, app_type: 'forge', api_url: `http://${alias}:7860`, username: null, has_password: false, max_concurrency: 1,
  enabled: true, status: 'online', status_message: null, loaded_checkpoint: null, running_jobs: 0, last_checked: null,
  tags: [], allowed_checkpoints: [], blocked_checkpoints: [], max_pixels: null, max_batch: null, allowed_hours: null, time_zone: null, drain_action: 'none', paused: false, vram: null, idle_reason: null, ...over,
});
