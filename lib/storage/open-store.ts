import { LocalObjectStore } from './local-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-store';

/** A store from a lake location: `s3://bucket/prefix` or a folder path. */
export function openStore(location: string): ObjectStore {
  if (location.startsWith('s3://')) return S3ObjectStore.fromUrl(location);
  return new LocalObjectStore(location);
}
