import type Database from 'better-sqlite3';

/**
 * Per-server rules, pause and schedule, and what a job learned about the servers it ran on.
 * Servers:
 * - `tags_json`: labels a job may require (e.g. ["sdxl","24gb"]), a JSON array;
 * - `allowed_checkpoints_json` / `blocked_checkpoints_json`: glob patterns on the checkpoint
 *   name (empty allowed list: any);
 * - `max_pixels` / `max_batch`: the largest width × height and batch it takes (NULL: no limit);
 * - `paused`: finishes what it runs, takes nothing new;
 * - `allowed_hours` ("23:00-07:00", NULL: always) in `time_zone` (IANA, NULL: this machine's);
 * - `drain_action`: what to do when the queue has nothing left for it ('unload' frees the GPU).
 * Jobs:
 * - `requires_tags_json`: tags every server that runs it must have (NULL: none);
 * - `crash_count`: attempts during which its server crashed or went offline; two quarantine it;
 * - `oom_vram_bytes`: the largest GPU (total bytes) it ran out of memory on; only a bigger one may take it.
 */
export function addServerRules(db: Database.Database): void {
  db.exec(`
    ALTER TABLE servers ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE servers ADD COLUMN allowed_checkpoints_json TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE servers ADD COLUMN blocked_checkpoints_json TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE servers ADD COLUMN max_pixels INTEGER;
    ALTER TABLE servers ADD COLUMN max_batch INTEGER;
    ALTER TABLE servers ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE servers ADD COLUMN allowed_hours TEXT;
    ALTER TABLE servers ADD COLUMN time_zone TEXT;
    ALTER TABLE servers ADD COLUMN drain_action TEXT NOT NULL DEFAULT 'none' CHECK (drain_action IN ('none', 'unload'));

    ALTER TABLE jobs ADD COLUMN requires_tags_json TEXT;
    ALTER TABLE jobs ADD COLUMN crash_count INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN oom_vram_bytes INTEGER;
  `);
}
