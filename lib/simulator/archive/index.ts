/** The offline data.binance.vision (docs/history.md, "The Binance archive layout"). */
export { startArchiveServer } from './archive-server';
export type { ArchiveServerOptions, ArchiveServerStats, RunningArchiveServer } from './archive-server';
export type { ArchiveFault, ArchiveFaultPlan, ArchiveRequestRecord } from './archive-faults';
export { zipOneFile } from './zip-writer';
