import { accessSync, constants, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { fileSystemProblem, UserError } from '../util/errors';
import { LocalObjectStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-store';

/**
 * Opening a lake for a command (README.md, "The `lakehouse` CLI"): a `--lake` that cannot serve the command is one
 * clear UserError naming the folder and what is wrong with it, before any work starts, rather than an empty
 * result or a failure halfway through. s3:// locations are not checked here: a missing bucket or a denied
 * request shows in the first request.
 */

/** Folders whose presence makes a folder a lake; a folder with none of them is a wrong --lake, not an empty lake. */
export const LAKE_LAYER_FOLDERS = ['bronze', 'silver', 'gold'] as const;

/** A store from a lake location: `s3://bucket/prefix` or a folder path. */
export function openStore(location: string): ObjectStore {
  if (location.startsWith('s3://')) return S3ObjectStore.fromUrl(location);
  return new LocalObjectStore(location);
}

/**
 * Checks a local lake a command reads: it exists, is a folder, and holds at least one layer. A typo'd --lake
 * (or the folder above the lake) would otherwise read as an empty lake, with nothing to build or show.
 */
export function checkLakeForReading(location: string): void {
  if (location.startsWith('s3://')) return;
  const stat = statOf(location);
  if (!stat) throw new UserError(`no lake at ${location}: no such folder`);
  if (!stat.isDirectory()) throw new UserError(`no lake at ${location}: not a folder`);
  let names: string[];
  try {
    names = readdirSync(location);
  } catch (err) {
    throw new UserError(`cannot read the lake ${location}: ${fileSystemProblem(err) ?? (err as Error).message}`);
  }
  if (!LAKE_LAYER_FOLDERS.some((l) => names.includes(l))) {
    const layers = LAKE_LAYER_FOLDERS.map((l) => `${l}/`).join(', ');
    throw new UserError(`no lake at ${location}: the folder holds none of ${layers} (import or collect into it first)`);
  }
}

/** A store for commands that only read a lake. */
export function openLakeForReading(location: string): ObjectStore {
  checkLakeForReading(location);
  return openStore(location);
}

/**
 * A store for commands that write a lake. `create`: the folder may not exist yet (import, collect, demo start a
 * lake); otherwise it must already be a lake (silver, gold, run read what they build from). The lake folder and
 * the existing top-level folders in `writes` must be writable: a read-only lake fails here with its path, not
 * per partition with a stack in the log.
 */
export function openLakeForWriting(location: string, options: { create: boolean; writes: readonly string[] }): ObjectStore {
  if (location.startsWith('s3://')) return openStore(location);
  if (!options.create) checkLakeForReading(location);
  const stat = statOf(location);
  if (stat && !stat.isDirectory()) throw new UserError(`no lake at ${location}: not a folder`);
  if (!stat) {
    const parent = existingAncestor(path.resolve(location));
    if (!statSync(parent).isDirectory()) throw new UserError(`cannot create the lake ${location}: ${parent} is not a folder`);
    const problem = unwritable(parent);
    if (problem) throw new UserError(`cannot create the lake ${location}: cannot write to ${parent} (${problem})`);
    return openStore(location);
  }
  const problem = unwritable(location);
  if (problem) throw new UserError(`cannot write to the lake ${location}: ${problem}`);
  for (const folder of options.writes) {
    const dir = path.join(location, folder);
    if (!statOf(dir)?.isDirectory()) continue;
    const inner = unwritable(dir);
    if (inner) throw new UserError(`cannot write to the lake ${location}: ${folder}/ is not writable (${inner})`);
  }
  return openStore(location);
}

/**
 * A store for `collect`: a path that is a file is a mistake, but a lake that cannot be written (read-only, its
 * parent missing, an S3 outage) is what the collector's disk spool is for, so it is not refused here.
 */
export function openLakeForCollecting(location: string): ObjectStore {
  if (!location.startsWith('s3://') && statOf(location)?.isDirectory() === false) {
    throw new UserError(`no lake at ${location}: not a folder`);
  }
  return openStore(location);
}

/** Why the folder cannot take new entries, or undefined when it can. */
function unwritable(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (err) {
    return fileSystemProblem(err) ?? (err as Error).message;
  }
}

/** The path's stat, or undefined when there is nothing there (a file standing in for one of its folders included). */
function statOf(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

function existingAncestor(file: string): string {
  let dir = file;
  while (!statOf(dir)) {
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}
