import path from 'node:path';

/** The repository's root folder: the Docker build context of the collector image and the Lambdas' project root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
