/**
 * A minimal Forge stand-in for the on-demand model tests: it lists the checkpoints and
 * LoRAs of real folders (re-read on /refresh-checkpoints and /refresh-loras, as Forge
 * does) and answers txt2img with a small PNG, recording what each job asked for.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { makePng } from '../png.ts';

const MODEL_EXT = /\.(safetensors|ckpt|pt)$/i;

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return walk(full);
    return e.isFile() && MODEL_EXT.test(e.name) ? [full] : [];
  });
}

export interface FolderForge {
  url: string;
  /** txt2img bodies received. */
  generations: Record<string, unknown>[];
  refreshes: string[];
  checkpoints(): string[];
  /** Holds every txt2img answer until the returned function is called (a job that stays running). */
  holdGenerations(): () => void;
  close(): Promise<void>;
}

export async function startFolderForge(dirs: { checkpoints: string; loras: string }): Promise<FolderForge> {
  let checkpoints: string[] = [];
  let loras: string[] = [];
  const rescan = (what: 'checkpoints' | 'loras' | 'both') => {
    if (what !== 'loras') checkpoints = walk(dirs.checkpoints).map((f) => path.relative(dirs.checkpoints, f).split(path.sep).join('/'));
    if (what !== 'checkpoints') loras = walk(dirs.loras).map((f) => path.relative(dirs.loras, f).split(path.sep).join('/'));
  };
  rescan('both');
  const generations: Record<string, unknown>[] = [];
  let held: Promise<void> | null = null;
  const refreshes: string[] = [];
  const png = (await makePng({ width: 8, height: 8, seed: 3 })).toString('base64');
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
    const url = new URL(req.url ?? '/', 'http://forge');
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /sdapi/v1/progress': return json(res, 200, { progress: 0, eta_relative: 0, state: { job_count: 0 }, current_image: null });
      case 'GET /sdapi/v1/options': return json(res, 200, { sd_model_checkpoint: checkpoints[0] ?? '', forge_additional_modules: [] });
      case 'GET /sdapi/v1/sd-modules': return json(res, 200, []);
      case 'GET /sdapi/v1/sd-models': return json(res, 200, checkpoints.map((c) => ({
        title: c, model_name: path.basename(c).replace(MODEL_EXT, ''), hash: null, sha256: null, filename: path.join(dirs.checkpoints, c), config: null,
      })));
      case 'GET /sdapi/v1/loras': return json(res, 200, loras.map((l) => ({ name: path.basename(l).replace(MODEL_EXT, ''), alias: path.basename(l).replace(MODEL_EXT, ''), path: path.join(dirs.loras, l), metadata: {} })));
      case 'GET /sdapi/v1/samplers': return json(res, 200, [{ name: 'Euler a', aliases: [], options: {} }]);
      case 'POST /sdapi/v1/refresh-checkpoints': refreshes.push('checkpoints'); rescan('checkpoints'); return json(res, 200, null);
      case 'POST /sdapi/v1/refresh-loras': refreshes.push('loras'); rescan('loras'); return json(res, 200, null);
      case 'POST /sdapi/v1/interrupt': return json(res, 200, null);
      case 'POST /sdapi/v1/txt2img':
        generations.push(body);
        if (held) await held;
        return json(res, 200, { images: [png], parameters: body, info: JSON.stringify({ seed: 1, all_seeds: [1], infotexts: [String(body?.prompt ?? '')] }) });
      default: return json(res, 404, { detail: 'Not Found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    generations,
    refreshes,
    checkpoints: () => [...checkpoints],
    holdGenerations: () => {
      let release!: () => void;
      held = new Promise<void>((resolve) => { release = resolve; });
      return () => { held = null; release(); };
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
