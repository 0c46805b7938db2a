import type { DownloadCheck, DuplicatesResponse } from '../../../../shared/model-duplicates.ts';
import type { CivitaiFile, CivitaiVersion } from '../../civitai/civitai-types.ts';
import type { ModelRow } from './model-row.ts';
import type { ModelStore } from './model-store.ts';
import { toModelView } from './model-view.ts';

function groupBy<K>(rows: ModelRow[], key: (r: ModelRow) => K): Map<K, ModelRow[]> {
  const groups = new Map<K, ModelRow[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

/** The library's duplicate files (same hash) and models kept in several versions. */
export function libraryDuplicates(store: ModelStore): DuplicatesResponse {
  const sameHash = [...groupBy(store.sameHashRows(), (r) => r.sha256!)].map(([sha256, rows]) => ({ sha256, models: rows.map(toModelView) }));
  const olderVersions = [...groupBy(store.multiVersionRows(), (r) => r.civitai_model_id!)].map(([modelId, rows]) => {
    const newestVersion = Math.max(...rows.map((r) => r.civitai_version_id ?? 0));
    const newest = rows.find((r) => r.civitai_version_id === newestVersion)!;
    return {
      civitai_model_id: modelId,
      model_name: newest.civitai_model_name,
      newest: toModelView(newest),
      older: rows.filter((r) => r.civitai_version_id !== newestVersion).map(toModelView),
    };
  });
  return { same_hash: sameHash, older_versions: olderVersions };
}

/**
 * What downloading a Civitai file would duplicate, from the version's answer alone (no
 * byte of the file is fetched): the same file by SHA256, another file of the same
 * version, or other versions of the model.
 */
export function checkDownload(store: ModelStore, version: CivitaiVersion, file: CivitaiFile): DownloadCheck {
  const sha256 = file.hashes?.SHA256?.toLowerCase() ?? null;
  const sameFile = sha256 ? store.bySha256(sha256) ?? null : null;
  const sameVersion = store.byVersion(version.id).filter((r) => r.id !== sameFile?.id);
  const otherVersions = version.modelId ? store.byCivitaiModel(version.modelId).filter((r) => r.civitai_version_id !== version.id) : [];
  const advice: DownloadCheck['advice'] = sameFile ? 'skip' : sameVersion.length ? 'ask' : 'download';
  const message = sameFile
    ? `${file.name} is already in the library as ${sameFile.rel_path} (same SHA256); nothing to download.`
    : sameVersion.length
      ? `This version is already in the library as ${sameVersion.map((r) => r.rel_path).join(', ')}; download ${file.name} anyway?`
      : otherVersions.length
        ? `Not in the library yet; ${otherVersions.length === 1 ? 'another version is' : `${otherVersions.length} other versions are`} (${otherVersions.map((r) => r.rel_path).join(', ')}).`
        : `Not in the library yet.`;
  return {
    version_id: version.id, file_id: file.id, file_name: file.name, sha256,
    same_file: sameFile ? toModelView(sameFile) : null,
    same_version: sameVersion.map(toModelView),
    other_versions: otherVersions.map(toModelView),
    advice, message,
  };
}
