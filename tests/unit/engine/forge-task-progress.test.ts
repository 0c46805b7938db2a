import { describe, expect, it } from 'vitest';
import { forgeErrorForStatus } from '../../../electron/engine/backends/forge/forge-errors.ts';
import { splitForgeImages } from '../../../electron/engine/backends/forge/forge-results.ts';
import { LOADING_MODEL, progressForTask, QUEUED_BEHIND_ANOTHER } from '../../../electron/engine/backends/forge/progress-poller.ts';
import { alwaysonArgWarnings, missingAlwaysonScripts } from '../../../electron/engine/backends/forge/script-check.ts';
import { makePng } from '../../emulators/png.ts';

const running = (task: string | null | undefined, jobCount = 1) => ({
  progress: 0.5, eta_relative: 3, current_image: null,
  ...(task === undefined ? {} : { current_task: task }),
  state: { job_count: jobCount, sampling_step: 5, sampling_steps: 10 },
});

describe('progressForTask: only our task\'s progress is ours', () => {
  it('reports our running task', () => {
    expect(progressForTask(running('task(ours)'), 'task(ours)')).toMatchObject({ progress: 0.5, step: 5, steps: 10, statusText: null });
  });
  it('shows another client\'s job as "queued behind", without its numbers', () => {
    expect(progressForTask(running('task(theirs)'), 'task(ours)')).toEqual({ progress: 0, etaSeconds: null, step: null, steps: null, statusText: QUEUED_BEHIND_ANOTHER });
  });
  it('says a model is loading while job_count is -1', () => {
    expect(progressForTask(running('task(ours)', -1), 'task(ours)')?.statusText).toBe(LOADING_MODEL);
  });
  it('ignores an idle server, and takes the answer as ours on servers without current_task', () => {
    expect(progressForTask(running(null, 0), 'task(ours)')).toBeNull();
    expect(progressForTask(running(undefined), 'task(ours)')).toMatchObject({ progress: 0.5 });
  });
});

describe('forgeErrorForStatus: the Python error class decides', () => {
  const body = (error: string, message: string) => JSON.stringify({ error, detail: '', body: '', message });
  it.each([
    ['TypeError', "argument of type 'NoneType' is not iterable", 'permanent'],
    ['KeyError', "'sd_vae'", 'permanent'],
    ['AttributeError', "'str' object has no attribute 'x'", 'permanent'],
    ['ValueError', 'bad value', 'permanent'],
    ['IndexError', 'list index out of range', 'permanent'],
    ['OutOfMemoryError', 'CUDA out of memory. Tried to allocate 2.00 GiB', 'out_of_memory'],
    ['RuntimeError', 'CUDA error: out of memory', 'out_of_memory'],
    ['RuntimeError', 'Expected all tensors to be on the same device', 'transient'],
    ['NansException', 'A tensor with all NaNs was produced', 'transient'],
  ])('%s (%s) is %s', (error, message, kind) => {
    const e = forgeErrorForStatus(500, body(error, message), 'f1 txt2img');
    expect(e.kind).toBe(kind);
    expect(e.message).toContain(message);
  });
  it('keeps the shared rules for other statuses and for a 500 without a class', () => {
    expect(forgeErrorForStatus(500, 'Internal Server Error', 'x').kind).toBe('transient');
    expect(forgeErrorForStatus(422, { detail: [{ loc: ['body', 'steps'], msg: 'bad' }] }, 'x').kind).toBe('permanent');
    expect(forgeErrorForStatus(503, { detail: 'busy' }, 'x').kind).toBe('transient');
  });
});

describe('splitForgeImages: results apart from the grid and extension images', () => {
  it('uses index_of_first_image, the infotexts and the seed count', async () => {
    const img = async (seed: number) => (await makePng({ width: 8, height: 8, seed })).toString('base64');
    const encoded = [await img(0), await img(1), await img(2), await img(3)]; // grid, 2 results, a detected map
    const split = splitForgeImages(encoded, { index_of_first_image: 1, all_seeds: [7, 8], infotexts: ['grid', 'a', 'b'] }, 'x');
    expect(split.results.map((r) => [r.seed, r.infotext])).toEqual([[7, 'a'], [8, 'b']]);
    expect(split.expected).toBe(2);
    expect(split.extras.map((e) => [e.kind, e.infotext, e.data.equals(Buffer.from(encoded[e.kind === 'grid' ? 0 : 3], 'base64'))])).toEqual([['grid', 'grid', true], ['control_map', null, true]]);
  });
  it('an interrupted answer has fewer results than seeds', async () => {
    const encoded = [(await makePng({ width: 8, height: 8, seed: 1 })).toString('base64')];
    const split = splitForgeImages(encoded, { index_of_first_image: 0, all_seeds: [1, 2, 3], infotexts: ['a'] }, 'x');
    expect(split.results).toHaveLength(1);
    expect(split.expected).toBe(3);
  });
});

describe('missingAlwaysonScripts', () => {
  const info = [
    { name: 'controlnet', is_alwayson: true, is_img2img: false },
    { name: 'adetailer', is_alwayson: true, is_img2img: true },
    { name: 'x/y/z plot', is_alwayson: false, is_img2img: false },
  ];
  it('names the titles the server has no always-on script for, for the job\'s mode', () => {
    expect(missingAlwaysonScripts(['ControlNet', 'ADetailer', 'X/Y/Z plot'], 'txt2img', info)).toEqual(['ADetailer', 'X/Y/Z plot']);
    expect(missingAlwaysonScripts(['ADetailer'], 'img2img', info)).toEqual([]);
    expect(missingAlwaysonScripts(['anything'], 'txt2img', null)).toEqual([]);
  });
});

describe('alwaysonArgWarnings', () => {
  it('warns when the job sends more arguments than the server\'s version of the script takes', () => {
    const info = [{ name: 'adetailer', is_alwayson: true, is_img2img: false, args: [{}, {}, {}, {}] }];
    const job = { ADetailer: { args: [true, false, { ad_model: 'a' }, { ad_model: 'b' }, { ad_model: 'c' }] } };
    expect(alwaysonArgWarnings(job, 'txt2img', info)).toEqual([expect.stringContaining('ADetailer: the job sends 5 arguments, the server\'s version takes 4')]);
    expect(alwaysonArgWarnings({ ADetailer: { args: [true, false, {}] } }, 'txt2img', info)).toEqual([]);
    expect(alwaysonArgWarnings(job, 'txt2img', null)).toEqual([]);
  });
});
