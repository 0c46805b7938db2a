/**
 * Images a ComfyUI client uploads for LoadImage (/upload/image, /upload/mask). A client
 * uploads to "the server", then queues a prompt naming the file; here the server that runs
 * the prompt is chosen later. So the facade keeps each upload in the data folder and sends
 * it to every online ComfyUI server when it arrives and again when a prompt that names it
 * is queued, both before the prompt can reach a server. Names follow ComfyUI: the same
 * bytes keep their name, other bytes under a taken name get "name (1).png" unless the
 * client asked to overwrite.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ApiContext } from '../../api/context.ts';
import { writeFileAtomic } from '../../results/atomic-write.ts';
import { onlineServers, requestServer } from '../server-reads.ts';

export interface StoredUpload {
  name: string;
  subfolder: string;
  type: 'input';
}

/** A file or folder name ComfyUI would accept: no separators, no "..", not empty. */
export function safeName(name: string): boolean {
  return name.length > 0 && name.length <= 255 && !/[\\/\0]/.test(name) && name !== '.' && name !== '..';
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export class ComfyUploads {
  readonly #ctx: ApiContext;
  readonly #dir: string;

  constructor(ctx: ApiContext) {
    this.#ctx = ctx;
    this.#dir = path.join(ctx.config.dataDir, 'compat-uploads');
  }

  #file(subfolder: string, name: string): string {
    return path.join(this.#dir, subfolder, name);
  }

  async read(subfolder: string, name: string): Promise<Buffer | null> {
    if (!safeName(name) || (subfolder && !safeName(subfolder))) return null;
    return fs.readFile(this.#file(subfolder, name)).catch(() => null);
  }

  /** Stores the upload under its final name and sends it to the online servers. */
  async save(data: Buffer, requested: string, subfolder: string, overwrite: boolean): Promise<StoredUpload> {
    let name = requested;
    if (!overwrite) {
      const ext = path.extname(requested);
      const stem = requested.slice(0, requested.length - ext.length);
      for (let i = 1; ; i++) {
        const existing = await this.read(subfolder, name);
        if (!existing || sha(existing) === sha(data)) break;
        name = `${stem} (${i})${ext}`;
      }
    }
    await fs.mkdir(path.join(this.#dir, subfolder), { recursive: true });
    await writeFileAtomic(this.#file(subfolder, name), data);
    await this.pushToServers([{ name, subfolder, type: 'input' }]);
    return { name, subfolder, type: 'input' };
  }

  /** The uploads a prompt names (LoadImage's `image`, "sub/name" or "name"). */
  async namedIn(graph: Record<string, unknown>): Promise<StoredUpload[]> {
    const found: StoredUpload[] = [];
    for (const node of Object.values(graph)) {
      const inputs = (node as { inputs?: Record<string, unknown> } | null)?.inputs;
      if (!inputs) continue;
      for (const value of Object.values(inputs)) {
        if (typeof value !== 'string') continue;
        const clean = value.replace(/\s*\[input\]$/, '');
        const slash = clean.lastIndexOf('/');
        const upload = { name: clean.slice(slash + 1), subfolder: slash === -1 ? '' : clean.slice(0, slash), type: 'input' as const };
        if (await this.read(upload.subfolder, upload.name)) found.push(upload);
      }
    }
    return found;
  }

  /** Sends the uploads to every online ComfyUI server (overwrite: it is the same file). */
  async pushToServers(uploads: StoredUpload[]): Promise<void> {
    const servers = onlineServers(this.#ctx, 'comfyui');
    await Promise.all(uploads.flatMap((upload) => servers.map(async (server) => {
      const data = await this.read(upload.subfolder, upload.name);
      if (!data) return;
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(data)]), upload.name);
      form.append('type', 'input');
      form.append('subfolder', upload.subfolder);
      form.append('overwrite', 'true');
      try {
        await requestServer(this.#ctx, server, 'POST', '/upload/image', form);
      } catch (error) {
        this.#ctx.logger.warn({ dir: 'engine→comfyui', alias: server.row.alias, err: (error as Error).message }, 'could not send an uploaded image');
      }
    })));
  }
}
