import { createForgeEmulator, type ForgeEmulator, type ForgeEmulatorOptions } from '../emulators/forge/index.ts';
import { api } from './http.ts';

/** Starts Forge emulators and registers them with a StableQueue at `base` as f1, f2, … */
export async function addForgeServers(base: string, count: number, opts: ForgeEmulatorOptions = {}): Promise<ForgeEmulator[]> {
  const emulators: ForgeEmulator[] = [];
  for (let i = 1; i <= count; i++) {
    const emu = await createForgeEmulator({ stepMs: 5, ...opts });
    emulators.push(emu);
    const res = await api(base, 'POST', '/api/v1/servers', { alias: `f${i}`, app_type: 'forge', api_url: emu.url });
    if (res.status !== 201) throw new Error(`could not add server: ${JSON.stringify(res.body)}`);
  }
  return emulators;
}

export function generationRequests(emu: ForgeEmulator) {
  return emu.requests.filter((r) => r.method === 'POST' && /\/sdapi\/v1\/(txt2img|img2img)$/.test(r.path));
}
