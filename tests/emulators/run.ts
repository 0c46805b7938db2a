/**
 * `npm run emulators`: starts the backend emulators for manual testing and e2e runs.
 *
 * Environment:
 *   FORGE_PORT     (default 7860)
 *   FORGE_FLAVOR   forge | a1111 (default forge)
 *   FORGE_STEP_MS  time per sampling step (default 50)
 *   FORGE_AUTH     "user:password" to require HTTP Basic like --api-auth
 *   COMFY_PORT     (default 8188)
 *   COMFY_STEP_MS  time per sampler step (default 20)
 *   COMFY_OUTPUT_DIR  where SaveImage writes (default: a temp dir, removed on exit)
 *   CIVITAI_PORT   (default 8189) — a small Civitai catalogue; run StableQueue with
 *                  CIVITAI_BASE_URL=http://127.0.0.1:8189 to browse and download from it
 */
import { startCivitaiEmulator } from './civitai/index.ts';
import { createComfyEmulator } from './comfyui/index.ts';
import { createForgeEmulator } from './forge/index.ts';

interface Closable {
  close(): Promise<void>;
}

const running: Closable[] = [];

const [authUser, ...authRest] = (process.env.FORGE_AUTH ?? '').split(':');
const forge = await createForgeEmulator({
  port: Number(process.env.FORGE_PORT ?? 7860),
  flavor: process.env.FORGE_FLAVOR === 'a1111' ? 'a1111' : 'forge',
  stepMs: process.env.FORGE_STEP_MS ? Number(process.env.FORGE_STEP_MS) : undefined,
  auth: authUser ? { username: authUser, password: authRest.join(':') } : undefined,
});
running.push(forge);
console.log(`Forge emulator (${forge.flavor}) listening on ${forge.url}`);

const comfy = await createComfyEmulator({
  port: Number(process.env.COMFY_PORT ?? 8188),
  stepMs: process.env.COMFY_STEP_MS ? Number(process.env.COMFY_STEP_MS) : undefined,
  outputDir: process.env.COMFY_OUTPUT_DIR || undefined,
});
running.push(comfy);
console.log(`ComfyUI emulator listening on ${comfy.url} (output: ${comfy.dirs.output})`);

const civitai = await startCivitaiEmulator({ port: Number(process.env.CIVITAI_PORT ?? 8189) });
const file = (name: string, size: number) => ({ name, size });
await civitai.addModel({ name: 'Juggernaut XL', type: 'Checkpoint', downloadCount: 120_000, thumbsUpCount: 9_000, versions: [
  { name: 'v9', baseModel: 'SDXL 1.0', files: [file('juggernautXL_v9.safetensors', 8_000_000)] },
  { name: 'v8', baseModel: 'SDXL 1.0', files: [file('juggernautXL_v8.safetensors', 8_000_000)] },
] });
await civitai.addModel({ name: 'Inkpunk style', type: 'LORA', downloadCount: 40_000, versions: [
  { name: 'v2', baseModel: 'SD 1.5', trainedWords: ['nvinkpunk'], files: [file('inkpunk_v2.safetensors', 2_000_000)] },
] });
await civitai.addModel({ name: 'Flux realism', type: 'LORA', versions: [
  { name: 'v1', baseModel: 'Flux.1 D', files: [file('flux_realism.safetensors', 3_000_000)] },
] });
running.push(civitai);
console.log(`Civitai emulator listening on ${civitai.apiUrl} (use CIVITAI_BASE_URL=${civitai.apiUrl})`);

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping emulators`);
  await Promise.allSettled(running.map((e) => e.close()));
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
