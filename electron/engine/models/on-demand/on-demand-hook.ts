import path from 'node:path';
import type { Logger } from 'pino';
import type { GenerationParams } from '../../../../shared/jobs.ts';
import { BackendError } from '../../backends/types.ts';
import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import { CivitaiError } from '../../civitai/civitai-error.ts';
import { JobParked, type BeforeRunHook } from '../../queue/dispatcher.ts';
import type { RuntimeServer, ServerRegistry } from '../../servers/server-registry.ts';
import { DownloadError } from '../downloads/download-error.ts';
import type { DownloadManager } from '../downloads/download-manager.ts';
import type { ModelRow } from '../library/model-row.ts';
import { describeRef, identifiable, jobRequirements, type ResourceRef } from './requirements.ts';
import { resolveRef } from './resolve-ref.ts';
import { serverHasCheckpoint, serverHasLora } from './server-presence.ts';

function formatBytes(n: number | null | undefined): string {
  if (!n) return '';
  return n >= 1024 ** 3 ? ` (${(n / 1024 ** 3).toFixed(1)} GB)` : ` (${Math.round(n / 1024 ** 2)} MB)`;
}

async function presence(registry: ServerRegistry, server: RuntimeServer, ref: ResourceRef, names: string[]) {
  if (ref.role === 'checkpoint') {
    const r = await serverHasCheckpoint(registry, server, names);
    return { present: r.present, serverName: r.title, closest: r.closest };
  }
  const r = await serverHasLora(server, names);
  return { present: r.present, serverName: r.name, closest: [] as string[] };
}

/** Writes the name the server knows into the job's params (checkpoint_name or loras[i].name). */
function withName(params: GenerationParams, ref: ResourceRef, name: string): GenerationParams {
  if (ref.role === 'checkpoint') return { ...params, checkpoint_name: name };
  const loras = [...(params.loras ?? [])];
  loras[ref.index] = { ...loras[ref.index], name };
  return { ...params, loras };
}

/**
 * On-demand models: before a job runs, every checkpoint and LoRA it names
 * must be on the assigned server. One that is missing but identifiable on Civitai (version
 * id, AIR or hash) is downloaded into the library; the job waits in `downloading_resources`
 * (its server slot freed) and continues once the file is there and the servers rescanned.
 * Anything else fails the job with a message that says what is missing.
 */
export function createOnDemandHook(deps: {
  registry: ServerRegistry; client: CivitaiClient; downloads: DownloadManager; logger: Logger;
  refreshServer: (server: RuntimeServer, role: ResourceRef['role']) => Promise<void>;
  /** The local library's file for a reference (by name or hash), if it has one. */
  findLocal: (ref: ResourceRef) => ModelRow | null;
}): BeforeRunHook {
  return async (job, server) => {
    let params = JSON.parse(job.generation_params_json) as GenerationParams;
    const refs = jobRequirements(params);
    if (refs.length === 0) return;
    let changed = false;
    const problems: string[] = [];
    const waiting: string[] = [];
    for (const ref of refs) {
      const names = [ref.name, ref.hash].filter((n): n is string => !!n);
      const known = names.length ? await presence(deps.registry, server, ref, names) : { present: false as boolean | null, serverName: null, closest: [] as string[] };
      if (known.present === true) continue;
      if (known.present === null && names.length) continue; // the server's list is unreadable: let the backend decide
      const closest = known.closest.length ? ` Closest on the server: ${known.closest.join(', ')}.` : '';
      const local = deps.findLocal(ref);
      if (local) {
        // In StableQueue's library: a server that shares the folder only needs to rescan it.
        await deps.refreshServer(server, ref.role);
        const fileName = local.rel_path.slice(local.rel_path.lastIndexOf('/') + 1);
        const again = await presence(deps.registry, server, ref, [local.rel_path, fileName, local.name]);
        if (again.present === true) {
          params = withName(params, ref, again.serverName ?? (ref.role === 'checkpoint' ? local.rel_path : local.name));
          changed = true;
          continue;
        }
        if (again.present === null) continue;
        const folder = ref.role === 'checkpoint' ? 'checkpoint' : 'LoRA';
        problems.push(`Server ${server.row.alias} lacks ${describeRef(ref)}; StableQueue's library has it at ${local.abs_path}. Point the server's ${folder} folder at ${path.dirname(local.abs_path)} (or copy the file there), then retry.${closest}`);
        continue;
      }
      if (!identifiable(ref)) {
        // A plain checkpoint name is the backend's to resolve (and to report with its suggestions).
        if (ref.role === 'checkpoint') continue;
        problems.push(`${describeRef(ref)} is not on server ${server.row.alias}, and the job carries no Civitai version id, AIR or hash to fetch it.${closest}`);
        continue;
      }
      let resolved;
      try {
        resolved = await resolveRef(ref, deps.client);
      } catch (error) {
        problems.push(`${describeRef(ref)} is not on server ${server.row.alias} and could not be looked up on Civitai: ${(error as Error).message}${closest}`);
        continue;
      }
      if (!resolved) {
        problems.push(`${describeRef(ref)} is not on server ${server.row.alias} and Civitai does not know ${ref.hash ? `hash ${ref.hash}` : 'it'}.${closest}`);
        continue;
      }
      const fileBase = resolved.file.name.replace(/\.[^.]+$/, '');
      const byFile = await presence(deps.registry, server, ref, [resolved.file.name, fileBase, ...(resolved.file.hashes?.AutoV2 ? [resolved.file.hashes.AutoV2.toLowerCase()] : [])]);
      if (byFile.present === true) {
        params = withName(params, ref, byFile.serverName ?? resolved.file.name);
        changed = true;
        continue;
      }
      let enqueued;
      try {
        enqueued = await deps.downloads.enqueue({ versionId: resolved.version.id, fileId: resolved.file.id, jobId: job.mobilesd_job_id });
      } catch (error) {
        const message = error instanceof DownloadError || error instanceof CivitaiError ? error.message : (error as Error).message;
        problems.push(`${describeRef(ref)} is not on server ${server.row.alias} and cannot be downloaded: ${message}`);
        continue;
      }
      const fileName = path.basename(enqueued.download.target_path);
      const serverName = ref.role === 'checkpoint' ? fileName : fileName.replace(/\.[^.]+$/, '');
      if (enqueued.existing) {
        // Already in the library: the server may only need to rescan its folder.
        await deps.refreshServer(server, ref.role);
        const again = await presence(deps.registry, server, ref, [fileName, fileBase]);
        if (again.present === true) {
          params = withName(params, ref, again.serverName ?? serverName);
          changed = true;
          continue;
        }
        problems.push(`${describeRef(ref)} is in StableQueue's library (${enqueued.existing.abs_path}) but server ${server.row.alias} does not list it even after a rescan; point its ${ref.role === 'checkpoint' ? 'checkpoint' : 'LoRA'} folder at ${path.dirname(enqueued.existing.abs_path)}.`);
        continue;
      }
      if (ref.name !== serverName) {
        params = withName(params, ref, serverName);
        changed = true;
      }
      waiting.push(`${resolved.version.model?.name ?? fileName} (${fileName}${formatBytes(enqueued.download.total_bytes)})`);
    }
    if (problems.length) {
      throw new BackendError('permanent', problems.join(' '), { details: { missing: problems } });
    }
    if (waiting.length) {
      deps.logger.info({ job: job.mobilesd_job_id, waiting }, 'job waits for model downloads');
      throw new JobParked(`Downloading from Civitai: ${waiting.join(', ')}`, changed ? params : undefined);
    }
    return changed ? params : undefined;
  };
}
