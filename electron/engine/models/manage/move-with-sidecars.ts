import fs from 'node:fs/promises';
import path from 'node:path';
import { allSidecarNames, sidecarBase } from '../sidecars/sidecar-paths.ts';

/** One file that moves: its name before and after (base names; folders are the caller's). */
export interface PlannedMove {
  from: string;
  to: string;
}

/**
 * The model file and every sidecar present next to it (`.json`, `.civitai.info`,
 * `.preview.*`, …), each renamed to the new base name. Sidecars travel together with the
 * model or not at all: a model without its `.civitai.info` loses its Civitai link.
 */
export async function planMove(fromAbs: string, toAbs: string): Promise<PlannedMove[]> {
  const fromName = path.basename(fromAbs);
  const fromBase = path.basename(sidecarBase(fromName));
  const toBase = path.basename(sidecarBase(path.basename(toAbs)));
  const present = new Set(await fs.readdir(path.dirname(fromAbs)).catch(() => [] as string[]));
  const moves: PlannedMove[] = [{ from: fromName, to: path.basename(toAbs) }];
  for (const name of allSidecarNames(fromName)) {
    if (present.has(name)) moves.push({ from: name, to: `${toBase}${name.slice(fromBase.length)}` });
  }
  return moves;
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

/** The target names already taken (a move must never overwrite another file). */
export async function occupied(moves: PlannedMove[], toDir: string): Promise<string[]> {
  const taken: string[] = [];
  for (const m of moves) if (await exists(path.join(toDir, m.to))) taken.push(m.to);
  return taken;
}

/**
 * Renames every planned file from `fromDir` to `toDir`; if one rename fails, the ones
 * already done are renamed back, so the files end up all moved or all where they were.
 */
export async function moveAll(moves: PlannedMove[], fromDir: string, toDir: string): Promise<void> {
  await fs.mkdir(toDir, { recursive: true });
  const done: PlannedMove[] = [];
  try {
    for (const m of moves) {
      await fs.rename(path.join(fromDir, m.from), path.join(toDir, m.to));
      done.push(m);
    }
  } catch (error) {
    for (const m of done.reverse()) await fs.rename(path.join(toDir, m.to), path.join(fromDir, m.from)).catch(() => {});
    throw error;
  }
}
