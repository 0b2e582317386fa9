import { statSync } from 'node:fs';
import { UserError } from '../util/errors';
import { LocalObjectStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-store';

/** A store from a lake location: `s3://bucket/prefix` or a folder path. */
export function openStore(location: string): ObjectStore {
  if (location.startsWith('s3://')) return S3ObjectStore.fromUrl(location);
  return new LocalObjectStore(location);
}

/**
 * A store for commands that read a lake: a local folder that does not exist is a typo'd --lake, said as such,
 * rather than an empty lake with nothing to build or show. (An s3:// location is not checked: a missing bucket
 * or prefix shows in the first request.)
 */
export function openExistingStore(location: string): ObjectStore {
  if (!location.startsWith('s3://')) {
    const stat = statSync(location, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) throw new UserError(`no lake at ${location}: ${stat ? 'not a folder' : 'no such folder'}`);
  }
  return openStore(location);
}
