/**
 * Model files the emulator serves without holding them in memory: a safetensors header
 * (real JSON, one U8 tensor) followed by deterministic bytes from a seed, or raw bytes
 * only. Any byte range is produced on the fly from a 1 MiB block template; hashes are
 * computed once by streaming the content.
 */
import { createHash } from 'node:crypto';

export interface FileSpec {
  /** Total bytes of the file. */
  size: number;
  seed: number;
  /** 'safetensors' writes a valid header first; 'raw' is seed bytes only (a .ckpt stand-in). */
  format: 'safetensors' | 'raw';
  /** `__metadata__` strings (modelspec.*, ss_*). */
  metadata?: Record<string, string>;
  /** Tensor names for the header (shapes are 1-D slices of the data). */
  tensorNames?: string[];
}

export interface FileHashes {
  sha256: string;
  /** sha256 of the bytes after the safetensors header (AutoV3 = first 12 hex); null for raw. */
  tensorSha256: string | null;
  /** A1111 old hash / AutoV1: sha256(file[0x100000:0x110000])[:8]; null under 2 MiB (as Civitai). */
  autoV1: string | null;
}

const BLOCK = 1024 * 1024;

function xorshiftBlock(seed: number): Buffer {
  const words = new Uint32Array(BLOCK / 4);
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer);
}

/** The header bytes (8-byte length + JSON padded with spaces to a multiple of 8). */
export function safetensorsHeader(spec: FileSpec): Buffer {
  const names = spec.tensorNames?.length ? spec.tensorNames : ['model.weight'];
  // Header length depends on the offsets, which depend on the data size: iterate to a fixed point.
  let headerLen = 0;
  for (let i = 0; i < 4; i++) {
    const dataSize = spec.size - 8 - headerLen;
    if (dataSize < names.length) throw new Error('file too small for its tensors');
    const per = Math.floor(dataSize / names.length);
    const tensors: Record<string, unknown> = {};
    if (spec.metadata) tensors.__metadata__ = spec.metadata;
    names.forEach((name, k) => {
      const start = k * per;
      const end = k === names.length - 1 ? dataSize : start + per;
      tensors[name] = { dtype: 'U8', shape: [end - start], data_offsets: [start, end] };
    });
    let json = JSON.stringify(tensors);
    const padded = Math.ceil(Buffer.byteLength(json) / 8) * 8;
    json = json.padEnd(json.length + (padded - Buffer.byteLength(json)), ' ');
    if (padded === headerLen) {
      const out = Buffer.alloc(8 + padded);
      out.writeBigUInt64LE(BigInt(padded), 0);
      out.write(json, 8, 'utf8');
      return out;
    }
    headerLen = padded;
  }
  throw new Error('safetensors header did not settle');
}

/** A generated file: any range of its bytes, and its hashes. */
export class GeneratedFile {
  readonly spec: FileSpec;
  readonly header: Buffer;
  readonly #template: Buffer;
  #hashes: Promise<FileHashes> | null = null;

  constructor(spec: FileSpec) {
    this.spec = spec;
    this.header = spec.format === 'safetensors' ? safetensorsHeader(spec) : Buffer.alloc(0);
    if (this.header.length > spec.size) throw new Error('file smaller than its header');
    this.#template = xorshiftBlock(spec.seed);
  }

  get size(): number {
    return this.spec.size;
  }

  /** Buffers covering [start, end) (end exclusive), at most ~1 MiB each; no copies of the template. */
  *chunks(start: number, end: number): Generator<Buffer> {
    let pos = Math.max(0, start);
    const stop = Math.min(end, this.spec.size);
    const h = this.header.length;
    if (pos < h) {
      const upto = Math.min(h, stop);
      yield this.header.subarray(pos, upto);
      pos = upto;
    }
    while (pos < stop) {
      const dataPos = pos - h;
      const block = Math.floor(dataPos / BLOCK);
      const within = dataPos % BLOCK;
      const blockEnd = Math.min(stop, pos + (BLOCK - within));
      if (within < 8) {
        // Each block starts with its index, so blocks differ.
        const stamp = Buffer.alloc(8);
        stamp.writeBigUInt64LE(BigInt(block), 0);
        const upto = Math.min(8, within + (blockEnd - pos));
        yield stamp.subarray(within, upto);
        pos += upto - within;
        if (pos >= blockEnd) continue;
      }
      const from = pos - h - block * BLOCK;
      yield this.#template.subarray(from, from + (blockEnd - pos));
      pos = blockEnd;
    }
  }

  /** The whole range as one Buffer (small files and tests only). */
  read(start: number, end: number): Buffer {
    return Buffer.concat([...this.chunks(start, end)]);
  }

  /** Hashes computed once, streaming (a 1 GB file takes about a second). */
  hashes(): Promise<FileHashes> {
    this.#hashes ??= new Promise((resolve) => {
      const full = createHash('sha256');
      const tensor = this.header.length ? createHash('sha256') : null;
      const step = 16 * 1024 * 1024;
      const h = this.header.length;
      for (let pos = 0; pos < this.spec.size; pos += step) {
        for (const chunk of this.chunks(pos, pos + step)) full.update(chunk);
      }
      if (tensor) for (let pos = h; pos < this.spec.size; pos += step) {
        for (const chunk of this.chunks(pos, Math.min(this.spec.size, pos + step))) tensor.update(chunk);
      }
      const autoV1 = this.spec.size >= 2 * 1024 * 1024
        ? createHash('sha256').update(this.read(0x100000, 0x110000)).digest('hex').slice(0, 8)
        : null;
      resolve({ sha256: full.digest('hex'), tensorSha256: tensor ? tensor.digest('hex') : null, autoV1 });
    });
    return this.#hashes;
  }
}
