/** Civitai's JSON shapes for the emulator's catalog, field for field as the real API sends them. */
import type { Catalog, EmuFile, EmuImage, EmuModel, EmuVersion } from './catalog.ts';

export interface Urls {
  api: string;
  cdn: string;
}

export function renderFile(file: EmuFile, versionId: number, urls: Urls): Record<string, unknown> {
  const format = /\.safetensors$/i.test(file.name) ? 'SafeTensor' : /\.gguf$/i.test(file.name) ? 'GGUF' : 'PickleTensor';
  return {
    id: file.id,
    sizeKB: file.content.size / 1024,
    name: file.name,
    type: file.type,
    pickleScanResult: 'Success',
    pickleScanMessage: 'No Pickle imports',
    virusScanResult: 'Success',
    virusScanMessage: null,
    scannedAt: '2025-01-01T00:00:00.000Z',
    metadata: { format, size: file.sizeMeta, fp: file.fp },
    hashes: file.hashes ?? {},
    downloadUrl: `${urls.api}/api/download/models/${versionId}?type=${encodeURIComponent(file.type)}&format=${format}`,
    ...(file.primary ? { primary: true } : {}),
  };
}

export function imageUrl(image: EmuImage, urls: Urls): string {
  return `${urls.api}/img/xG1nkqKTMzGDvpLrqFT7WA/${String(image.id).padStart(8, '0')}-0000-4000-8000-000000000000/original=true/${image.id}.jpeg`;
}

export function renderImage(image: EmuImage, urls: Urls, withMeta = true): Record<string, unknown> {
  return {
    id: image.id,
    url: imageUrl(image, urls),
    nsfwLevel: image.nsfwLevel,
    width: image.width,
    height: image.height,
    hash: 'U5Hd@@~q00M{00xu9Fof00Rj~q%M',
    type: image.type,
    ...(withMeta ? { meta: image.meta } : {}),
  };
}

/** A version as it appears inside a model (`modelVersions[]`). */
export function renderVersionInModel(version: EmuVersion, urls: Urls): Record<string, unknown> {
  return {
    id: version.id,
    modelId: version.modelId,
    name: version.name,
    createdAt: version.createdAt,
    updatedAt: version.createdAt,
    status: 'Published',
    publishedAt: version.publishedAt,
    trainedWords: version.trainedWords,
    trainingStatus: null,
    trainingDetails: null,
    baseModel: version.baseModel,
    baseModelType: 'Standard',
    earlyAccessEndsAt: version.access === 'early_access' ? new Date(Date.now() + 7 * 86_400_000).toISOString() : null,
    earlyAccessConfig: version.access === 'early_access' ? { timeframe: 7, chargeForDownload: true, downloadPrice: 500 } : null,
    description: version.description,
    uploadType: 'Created',
    usageControl: 'Download',
    air: '',
    stats: { downloadCount: 10, thumbsUpCount: 3 },
    files: version.files.map((f) => renderFile(f, version.id, urls)),
    images: version.images.slice(0, 10).map((i) => renderImage(i, urls)),
    downloadUrl: `${urls.api}/api/download/models/${version.id}`,
  };
}

/** GET /model-versions/:id (and by-hash): the version plus `model{…}` and `air`. */
export function renderVersion(catalog: Catalog, version: EmuVersion, urls: Urls): Record<string, unknown> {
  const model = catalog.models.get(version.modelId)!;
  const { ...base } = renderVersionInModel(version, urls);
  return {
    ...base,
    air: catalog.air(version),
    model: { name: model.name, type: model.type, nsfw: model.nsfw, poi: false, mode: version.access === 'archived' ? 'Archived' : null },
  };
}

export function renderModel(catalog: Catalog, model: EmuModel, urls: Urls): Record<string, unknown> {
  return {
    id: model.id,
    name: model.name,
    description: model.description,
    allowNoCredit: true,
    allowCommercialUse: ['Image', 'RentCivit'],
    allowDerivatives: true,
    allowDifferentLicense: true,
    type: model.type,
    minor: false,
    sfwOnly: false,
    poi: false,
    nsfw: model.nsfw,
    nsfwLevel: model.nsfw ? 28 : 1,
    availability: 'Public',
    cosmetic: null,
    supportsGeneration: false,
    stats: {
      downloadCount: model.downloadCount, favoriteCount: 0, thumbsUpCount: model.thumbsUpCount, thumbsDownCount: 0,
      commentCount: 0, ratingCount: 0, rating: 0, tippedAmountCount: 0,
    },
    creator: { username: model.creator, image: null },
    tags: model.tags,
    modelVersions: model.versions.map((v) => ({ ...renderVersionInModel(v, urls), air: catalog.air(v) })),
  };
}
