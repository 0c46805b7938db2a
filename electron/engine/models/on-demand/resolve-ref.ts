import { parseAir } from '../../civitai/air.ts';
import type { CivitaiClient } from '../../civitai/civitai-client.ts';
import type { CivitaiFile, CivitaiVersion } from '../../civitai/civitai-types.ts';
import { chooseFile } from '../downloads/choose-file.ts';
import { describeRef, type ResourceRef } from './requirements.ts';

export interface ResolvedRef {
  version: CivitaiVersion;
  file: CivitaiFile;
}

function fileMatchingHash(version: CivitaiVersion, hash: string): CivitaiFile | undefined {
  const h = hash.toLowerCase();
  return (version.files ?? []).find((f) => {
    const hashes = f.hashes ?? {};
    return [hashes.SHA256, hashes.AutoV2, hashes.AutoV3, hashes.AutoV1, hashes.BLAKE3, hashes.CRC32]
      .some((v) => typeof v === 'string' && (v.toLowerCase() === h || (h.length >= 10 && v.toLowerCase().startsWith(h))));
  });
}

/**
 * Finds the Civitai version and file a job's reference points at: a version id, an AIR
 * (its version, or the model's newest version) or a hash (`by-hash`, and the file that
 * carries it). Null when Civitai does not know it.
 */
export async function resolveRef(ref: ResourceRef, client: CivitaiClient, signal?: AbortSignal): Promise<ResolvedRef | null> {
  let version: CivitaiVersion | null = null;
  if (ref.versionId) {
    version = await client.getVersion(ref.versionId, signal);
  } else if (ref.air) {
    const air = parseAir(ref.air);
    if (!air || air.source !== 'civitai') throw new Error(`${describeRef(ref)}: "${ref.air}" is not a Civitai AIR.`);
    if (air.versionId) version = await client.getVersion(air.versionId, signal);
    else {
      const model = await client.getModel(air.modelId, signal);
      const newest = model.modelVersions?.[0];
      if (!newest) return null;
      version = await client.getVersion(newest.id, signal);
    }
  } else if (ref.hash) {
    version = await client.getVersionByHash(ref.hash, signal);
  }
  if (!version) return null;
  const file = (ref.hash ? fileMatchingHash(version, ref.hash) : undefined) ?? chooseFile(version, null);
  return { version, file };
}
