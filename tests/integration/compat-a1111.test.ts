/**
 * The A1111-compatible facade end to end: a real engine on loopback, two Forge emulators,
 * and an A1111 client written only from A1111's API documentation (Python urllib with
 * --api-auth style basic auth), run as a real child process.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../electron/engine/results/png-text.ts';
import type { ForgeEmulator } from '../emulators/forge/index.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';
import { addForgeServers } from '../helpers/forge-servers.ts';
import { api, waitFor, waitForJobs } from '../helpers/http.ts';

/** An A1111 API client as its docs show it: POST the payload, read images and info. */
const PYTHON_CLIENT = `
import base64, json, sys, urllib.request
base, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
payload = {"prompt": "a lighthouse at dusk", "negative_prompt": "fog", "steps": 6, "width": 64, "height": 64,
           "seed": 1234, "sampler_name": "Euler a", "cfg_scale": 6.5}
request = urllib.request.Request(base + "/sdapi/v1/txt2img", data=json.dumps(payload).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
token = base64.b64encode((user + ":" + password).encode()).decode()
request.add_header("Authorization", "Basic " + token)
with urllib.request.urlopen(request, timeout=120) as response:
    r = json.load(response)
info = json.loads(r["info"])
image = base64.b64decode(r["images"][0])
print(json.dumps({"count": len(r["images"]), "png": image[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "image_b64": r["images"][0],
                  "seed": info["seed"], "all_seeds": info["all_seeds"], "infotexts": info["infotexts"],
                  "prompt": info["prompt"], "parameters_prompt": r["parameters"]["prompt"], "steps": r["parameters"]["steps"]}))
`;

function runPython(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', PYTHON_CLIENT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

type Key = { id: string; key: string; secret: string };
const basic = (k: Key) => ({ authorization: `Basic ${Buffer.from(`${k.key}:${k.secret}`).toString('base64')}` });

describe('A1111-compatible facade at /compat/a1111', () => {
  let sq: TestEngine;
  let forges: ForgeEmulator[];
  let first: Key;
  let second: Key;
  const base = () => `${sq.url}/compat/a1111`;

  beforeAll(async () => {
    sq = await startTestEngine();
    forges = await addForgeServers(sq.url, 2, { stepMs: 40 });
    const create = async (name: string) => (await api(sq.url, 'POST', '/api/v1/api-keys', { name, permissions: ['submit', 'read'] })).body as Key;
    first = await create('first client');
    second = await create('second client');
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/servers')).body.every((s: any) => s.status === 'online'), { what: 'servers online' });
  });
  afterAll(async () => {
    await sq.stop();
    await Promise.all(forges.map((f) => f.close()));
  });

  it('a documented A1111 client gets base64 images with the right infotext while both servers run other jobs; its job is in the gallery; another client does not see it', async () => {
    // Two other jobs keep both Forge servers busy first.
    const others = [];
    for (let i = 0; i < 2; i++) {
      const res = await api(sq.url, 'POST', '/api/v1/generate', { target_server_alias: 'auto', generation_params: { positive_prompt: `other ${i}`, steps: 12, width: 64, height: 64 } });
      others.push(res.body.mobilesd_job_id as string);
    }
    await waitFor(async () => (await api(sq.url, 'GET', '/api/v1/queue/jobs?status=processing')).body.jobs.length === 2, { what: 'both servers busy' });

    const client = runPython([base(), first.key, first.secret]);

    // While the client waits, its own /progress shows its job; the second client's shows nothing.
    const seen = await waitFor(async () => {
      const own = await api(base(), 'GET', '/sdapi/v1/progress', undefined, basic(first));
      return own.body.state.job_count > 0 ? own.body : null;
    }, { what: 'the first client to see its job in /progress' });
    expect(seen.state.job_count).toBe(1);
    const other = await api(base(), 'GET', '/sdapi/v1/progress', undefined, basic(second));
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ progress: 0, current_image: null, state: { job_count: 0 } });

    const result = await client;
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ count: 1, png: true, seed: 1234, all_seeds: [1234], prompt: 'a lighthouse at dusk', parameters_prompt: 'a lighthouse at dusk', steps: 6 });
    // The infotext names the prompt, the negative prompt and the seed, and is the PNG's own parameters chunk.
    const infotext: string = out.infotexts[0];
    expect(infotext).toMatch(/^a lighthouse at dusk\nNegative prompt: fog\nSteps: 6, Sampler: Euler a,.*CFG scale: 6\.5, Seed: 1234, Size: 64x64/);
    expect(readPngText(Buffer.from(out.image_b64, 'base64')).parameters).toBe(infotext);

    // The job is a normal queue job from the a1111_api door, named after the client, with its image in the gallery.
    const list = await api(sq.url, 'GET', '/api/v1/queue/jobs?source=a1111_api');
    expect(list.body.jobs).toHaveLength(1);
    const job = list.body.jobs[0];
    expect(job).toMatchObject({ status: 'completed', positive_prompt: 'a lighthouse at dusk', source_info: 'a1111_api' });
    expect(job.metadata.compat).toMatchObject({ door: 'a1111', client_name: expect.stringMatching(/^Python-urllib\//) });
    const row = sq.engine.db.prepare('SELECT api_key_id FROM jobs WHERE mobilesd_job_id = ?').get(job.mobilesd_job_id) as { api_key_id: string };
    expect(row.api_key_id).toBe(first.id);
    const gallery = await api(sq.url, 'GET', `/api/v1/gallery/images?job_id=${job.mobilesd_job_id}`);
    expect(gallery.body.images).toHaveLength(1);
    const download = await fetch(`${sq.url}/api/v1/images/${gallery.body.images[0].id}/download`);
    expect(Buffer.from(await download.arrayBuffer()).toString('base64')).toBe(out.image_b64);

    await waitForJobs(sq.url, others);
  }, 60_000);
});
