/**
 * The emulator's models, versions and files, shaped like Civitai's REST v1 answers
 * as the real site sends them: `primary` is true or absent, hashes uppercase, sizeKB a float of KiB,
 * file names as the download endpoint serves them.
 */
import { GeneratedFile, type FileSpec } from './generated-file.ts';

/** How the download endpoint treats a version: served, or one of the refusals Civitai answers with. */
export type Access = 'public' | 'auth' | 'early_access' | 'archived' | 'forbidden' | 'disabled' | 'missing_file';

/** What the signed storage URL answers: the file, or an error page with status 200. */
export type CdnBehaviour = 'file' | 'html' | 'json' | 'no_range' | 'corrupt';

export interface FileInput extends Partial<FileSpec> {
  id?: number;
  name: string;
  size: number;
  type?: string;
  primary?: boolean;
  cdn?: CdnBehaviour;
  fp?: string;
  sizeMeta?: string;
}

export interface ImageInput {
  nsfwLevel?: number;
  type?: 'image' | 'video';
  width?: number;
  height?: number;
  meta?: Record<string, unknown> | null;
}

export interface VersionInput {
  id?: number;
  name: string;
  baseModel: string;
  trainedWords?: string[];
  description?: string | null;
  access?: Access;
  publishedAt?: string;
  files: FileInput[];
  images?: ImageInput[];
}

export interface ModelInput {
  id?: number;
  name: string;
  type: string;
  nsfw?: boolean;
  description?: string;
  tags?: string[];
  creator?: string;
  downloadCount?: number;
  thumbsUpCount?: number;
  versions: VersionInput[];
}

export interface EmuFile {
  id: number;
  name: string;
  type: string;
  primary: boolean;
  cdn: CdnBehaviour;
  fp: string;
  sizeMeta: string;
  content: GeneratedFile;
  hashes: { SHA256: string; AutoV2: string; AutoV3?: string; AutoV1?: string } | null;
}

export interface EmuImage {
  id: number;
  nsfwLevel: number;
  type: 'image' | 'video';
  width: number;
  height: number;
  meta: Record<string, unknown> | null;
  seed: number;
}

export interface EmuVersion {
  id: number;
  modelId: number;
  name: string;
  baseModel: string;
  trainedWords: string[];
  description: string | null;
  access: Access;
  publishedAt: string;
  createdAt: string;
  files: EmuFile[];
  images: EmuImage[];
}

export interface EmuModel {
  id: number;
  name: string;
  type: string;
  nsfw: boolean;
  description: string;
  tags: string[];
  creator: string;
  downloadCount: number;
  thumbsUpCount: number;
  versions: EmuVersion[];
}

const ECOSYSTEM: Record<string, string> = {
  'SD 1.5': 'sd1', 'SDXL 1.0': 'sdxl', Pony: 'sdxl', Illustrious: 'sdxl', 'Flux.1 D': 'flux1', 'SD 2.1': 'sd2',
};

export class Catalog {
  readonly models = new Map<number, EmuModel>();
  readonly versions = new Map<number, EmuVersion>();
  readonly files = new Map<number, EmuFile>();
  readonly images = new Map<number, EmuImage>();
  #nextModel = 1000;
  #nextVersion = 5000;
  #nextFile = 9000;
  #nextImage = 70000;
  #publishedCounter = 0;

  /** Adds a model; hashes of its files are computed (streaming) before it is visible. */
  async add(input: ModelInput): Promise<EmuModel> {
    const modelId = input.id ?? this.#nextModel++;
    const versions: EmuVersion[] = [];
    for (const v of input.versions) {
      const versionId = v.id ?? this.#nextVersion++;
      const files: EmuFile[] = [];
      for (const f of v.files) {
        const format = f.format ?? (/\.safetensors$/i.test(f.name) ? 'safetensors' : 'raw');
        const content = new GeneratedFile({ size: f.size, seed: f.seed ?? (f.id ?? this.#nextFile) * 7919, format, metadata: f.metadata, tensorNames: f.tensorNames });
        const file: EmuFile = {
          id: f.id ?? this.#nextFile++, name: f.name, type: f.type ?? 'Model', primary: f.primary ?? files.length === 0,
          cdn: f.cdn ?? 'file', fp: f.fp ?? 'fp16', sizeMeta: f.sizeMeta ?? 'pruned', content, hashes: null,
        };
        const h = await content.hashes();
        file.hashes = {
          SHA256: h.sha256.toUpperCase(),
          AutoV2: h.sha256.slice(0, 10).toUpperCase(),
          ...(h.tensorSha256 ? { AutoV3: h.tensorSha256.slice(0, 12).toUpperCase() } : {}),
          ...(h.autoV1 ? { AutoV1: h.autoV1.toUpperCase() } : {}),
        };
        files.push(file);
        this.files.set(file.id, file);
      }
      const images = (v.images ?? [{ nsfwLevel: 1 }]).map((img, i): EmuImage => ({
        id: this.#nextImage++, nsfwLevel: img.nsfwLevel ?? 1, type: img.type ?? 'image', width: img.width ?? 64, height: img.height ?? 96,
        meta: img.meta === undefined ? { prompt: `sample ${i}`, steps: 20, sampler: 'Euler a', cfgScale: 7, seed: 1234 + i, Size: '512x768' } : img.meta,
        seed: versionId * 10 + i,
      }));
      for (const image of images) this.images.set(image.id, image);
      const published = v.publishedAt ?? new Date(Date.UTC(2025, 0, 1) + (this.#publishedCounter++) * 86_400_000).toISOString();
      const version: EmuVersion = {
        id: versionId, modelId, name: v.name, baseModel: v.baseModel, trainedWords: v.trainedWords ?? [],
        description: v.description ?? null, access: v.access ?? 'public', publishedAt: published, createdAt: published, files, images,
      };
      versions.push(version);
      this.versions.set(versionId, version);
    }
    const model: EmuModel = {
      id: modelId, name: input.name, type: input.type, nsfw: input.nsfw ?? false, description: input.description ?? `<p>${input.name}</p>`,
      tags: input.tags ?? [], creator: input.creator ?? 'tester', downloadCount: input.downloadCount ?? 0, thumbsUpCount: input.thumbsUpCount ?? 0,
      versions: [...versions].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)),
    };
    this.models.set(modelId, model);
    return model;
  }

  byHash(hash: string): { version: EmuVersion; file: EmuFile } | null {
    const h = hash.toUpperCase();
    // Civitai answers a hash shared by several versions with the oldest published one.
    const hits = [...this.versions.values()].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt)).flatMap((version) =>
      version.files.filter((f) => f.hashes && Object.values(f.hashes).some((v) => v === h)).map((file) => ({ version, file })));
    return hits[0] ?? null;
  }

  air(version: EmuVersion): string {
    const model = this.models.get(version.modelId);
    const type = (model?.type ?? 'other').toLowerCase();
    return `urn:air:${ECOSYSTEM[version.baseModel] ?? 'other'}:${type}:civitai:${version.modelId}@${version.id}`;
  }
}
