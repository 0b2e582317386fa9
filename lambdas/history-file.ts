import {
  HISTORY_EXCHANGES,
  historyItemFile,
  historyTmpDir,
  importHistoryFileOrDays,
  type HistoryExchange,
} from '../lib/app/history';
import { DEFAULT_RETRY, seededRandom } from '../lib/history/archive-download';
import { UserError } from '../lib/util/errors';
import { eventFields } from './shared/event';
import { lambdaHandler } from './shared/handler';
import { lakeStore } from './shared/store';

/**
 * One item of the history-load state machine's Distributed Map: `{ exchange, path, baseUrl?, … }` (lib/app/history.ts,
 * HistoryFileItem) → that archive file imported into Bronze by the importer `lakehouse history` uses (checksum,
 * ledger skip, download, verify, rows into one Bronze object per day, quarantine, ledger row; docs/history.md). The
 * ZIP is streamed to /tmp while it is read (the function's ephemeral storage is sized for a monthly file in
 * lib/cdk/jobs.ts). A file the importer records as `failed` fails the invocation (error ArchiveFileFailed, not
 * retried: its ledger row says why), so the map run counts and lists it.
 */
export const handler = lambdaHandler('history-file', async (event, log) => {
  const fields = eventFields(event);
  const exchange = fields.exchange;
  if (typeof exchange !== 'string' || !(HISTORY_EXCHANGES as readonly string[]).includes(exchange)) {
    throw new UserError(`event.exchange ${JSON.stringify(exchange)} is not one of ${HISTORY_EXCHANGES.join(', ')}`);
  }
  if (typeof fields.path !== 'string') throw new UserError("event.path (the archive file's URL path) is required");
  const baseUrl = typeof fields.baseUrl === 'string' ? fields.baseUrl : undefined;
  const item = { exchange: exchange as HistoryExchange, path: fields.path };
  const store = lakeStore();
  const outcomes = await importHistoryFileOrDays({
    store,
    exchange: item.exchange,
    file: historyItemFile(item),
    baseUrl,
    tmpDir: historyTmpDir(store),
    now: Date.now,
    download: {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      // Jitter differs per file, so the map's parallel children do not retry in step.
      random: seededRandom(Date.now() % 2_147_483_647),
      now: Date.now,
      retry: DEFAULT_RETRY,
    },
  });
  const files = outcomes.map((o) => ({
    path: o.file.urlPath,
    status: o.status,
    rows: o.rows,
    rejected: o.rejected,
    bytes: o.bytes,
    reason: o.reason,
  }));
  const failed = files.filter((file) => file.status === 'failed');
  if (failed.length > 0) {
    log.error({ failed }, 'archive file failed');
    throw Object.assign(new Error(failed.map((file) => `${file.path}: ${file.reason ?? 'failed'}`).join('; ')), {
      name: 'ArchiveFileFailed',
    });
  }
  return { files, rows: files.reduce((sum, file) => sum + file.rows, 0) };
});
