import type { Section } from './lib/types';

/**
 * Every bench section, in run order. Adding one: write `bench/sections/<name>.ts` exporting
 * `section: Section`, then add one line here. Sections load lazily so `--only x` never imports the others.
 */
export const SECTIONS: Record<string, () => Promise<{ section: Section }>> = {
  parquet: () => import('./sections/parquet'),
  collector: () => import('./sections/collector'),
  silver: () => import('./sections/silver'),
  gold: () => import('./sections/gold'),
  sizing: () => import('./sections/sizing'),
  history: () => import('./sections/history'),
};
