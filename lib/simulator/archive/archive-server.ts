import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  archiveDataset,
  csvNameOf,
  dayStartMs,
  parseArchivePath,
  type ArchiveFile,
} from '../../exchanges/binance/archive-layout';
import { BoundedCache } from '../market/bounded-cache';
import type { InstrumentSpec } from '../market/instruments';
import { MarketModel } from '../market/market-model';
import { PerpetualDerivatives } from '../personality/binance-futures-derivatives';
import { archiveCsv } from './archive-csv';
import {
  ArchiveFaultState,
  normalizePath,
  type ArchiveFault,
  type ArchiveFaultPlan,
  type ArchiveRequestRecord,
} from './archive-faults';
import { zipOneFile } from './zip-writer';

/**
 * data.binance.vision offline (docs/history.md, "The Binance archive layout"): the spot and USD-M archive paths,
 * each file a real ZIP of one CSV generated from the market model, with its `.CHECKSUM`. Like the real archive it
 * answers 404 for a day before the symbol's listing, for today and later (a day is published the next day), for a
 * month not yet over, and for datasets past their last publication. Faults are scripted per path (archive-faults.ts)
 * and every request is logged. Binds 127.0.0.1 on an ephemeral port.
 */

export interface ArchiveServerOptions {
  /** Symbols the archive holds (default BTCUSDT, ETHUSDT). */
  symbols?: readonly string[];
  /** Listing day per symbol (`YYYY-MM-DD`); files before it are 404. Default 2019-01-01. */
  listing?: Readonly<Record<string, string>>;
  /** The archive's "today" (`YYYY-MM-DD`, UTC): daily files exist up to the day before, monthly up to last month. */
  today: string;
  faults?: ArchiveFaultPlan;
  /** Market model seed (default 1). */
  seed?: number;
  /** Where the model's price path is anchored (default: `today`'s midnight); pass a simulator's start to agree with it. */
  anchorMs?: number;
  instruments?: Readonly<Record<string, Partial<InstrumentSpec>>>;
}

export interface ArchiveServerStats {
  requests: number;
  byStatus: Record<number, number>;
  bytes: number;
}

export interface RunningArchiveServer {
  /** `http://127.0.0.1:<port>`: the `--base-url` of the history command. */
  baseUrl: string;
  model: MarketModel;
  /** Every request answered, in order. */
  readonly log: readonly ArchiveRequestRecord[];
  /** Requests of one path (with or without the leading slash). */
  requestsFor(path: string): ArchiveRequestRecord[];
  stats(): ArchiveServerStats;
  /** Replaces the fault plan (request counts carry on). */
  setFaults(plan: ArchiveFaultPlan): void;
  /** The ZIP and sha256 the server serves for a path (undefined when it answers 404), faults aside. */
  fileBytes(path: string): { zip: Buffer; sha256: string } | undefined;
  stop(): Promise<void>;
}

const DEFAULT_LISTING = '2019-01-01';
/** Generated files kept, so a retry or a checksum request does not regenerate a day of trades. */
const FILE_CACHE_LIMIT = 64;

interface Generated {
  zip: Buffer;
  sha256: string;
}

export async function startArchiveServer(opts: ArchiveServerOptions): Promise<RunningArchiveServer> {
  const today = opts.today;
  const todayMs = dayStartMs(today);
  if (!Number.isFinite(todayMs)) throw new Error(`today '${today}' is not a YYYY-MM-DD day`);
  const symbols = (opts.symbols ?? ['BTCUSDT', 'ETHUSDT']).map((symbol) => symbol.toUpperCase());
  const model = new MarketModel({
    seed: opts.seed ?? 1,
    symbols,
    anchorMs: opts.anchorMs ?? todayMs,
    instruments: opts.instruments,
  });
  const derivatives = new PerpetualDerivatives(model);
  const listing = new Map(
    symbols.map((symbol) => [symbol, opts.listing?.[symbol] ?? opts.listing?.[symbol.toLowerCase()] ?? DEFAULT_LISTING]),
  );
  const faults = new ArchiveFaultState(opts.faults);
  const cache = new BoundedCache<string, Generated | null>(FILE_CACHE_LIMIT);
  // Every checksum ever computed (64 characters a file): a re-run's `.CHECKSUM` requests do not regenerate a ZIP.
  const checksums = new Map<string, string>();

  /** Whether the real archive would hold this file today. */
  const published = (file: ArchiveFile): boolean => {
    const listed = listing.get(file.symbol);
    if (listed === undefined || file.lastDay < listed) return false;
    if (file.period === 'daily' ? file.date >= today : file.date >= today.slice(0, 7)) return false;
    const lastPublished = archiveDataset(file.market, file.dataset)?.lastPublished;
    return lastPublished === undefined || file.firstDay <= lastPublished;
  };

  const generate = (file: ArchiveFile): Generated | null => {
    const cached = cache.get(file.urlPath);
    if (cached !== undefined) return cached;
    if (!published(file)) return cache.set(file.urlPath, null);
    const csv = archiveCsv(file, { model, derivatives, listedFromMs: dayStartMs(listing.get(file.symbol) ?? DEFAULT_LISTING) });
    if (csv === undefined) return cache.set(file.urlPath, null);
    // The entry's time is the day after the file's last day: when the archive would have written it.
    const zip = zipOneFile(csvNameOf(file), Buffer.from(csv, 'latin1'), dayStartMs(file.lastDay) + 86_400_000);
    const sha256 = createHash('sha256').update(zip).digest('hex');
    checksums.set(file.urlPath, sha256);
    return cache.set(file.urlPath, { zip, sha256 });
  };

  /** The sha256 of a file the archive holds (generating it once), or undefined when it answers 404. */
  const checksumOf = (file: ArchiveFile): string | undefined => checksums.get(file.urlPath) ?? generate(file)?.sha256;

  const fileBytes = (path: string): Generated | undefined => {
    const parsed = parseArchivePath(normalizePath(path));
    if (!parsed || parsed.checksum) return undefined;
    return generate(parsed.file) ?? undefined;
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = normalizePath(req.url ?? '/');
    const attempt = faults.nextAttempt(path);
    const done = (status: number, bytes: number, fault?: ArchiveFault) => {
      faults.record({ method, path, attempt, status, bytes, ...(fault ? { fault: fault.kind } : {}) });
    };
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return done(405, 0);
    }
    const notFound = (fault?: ArchiveFault) => {
      const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Key>${path}</Key></Error>`);
      res.writeHead(404, { 'Content-Type': 'application/xml', 'Content-Length': body.length });
      res.end(method === 'HEAD' ? undefined : body);
      done(404, method === 'HEAD' ? 0 : body.length, fault);
    };

    const early = faults.faultFor(path, attempt, ['missing', 'status']);
    if (early?.kind === 'missing') return notFound(early);
    if (early?.kind === 'status') {
      const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
      const retryAfterS = early.retryAfterS ?? (early.status === 429 ? 1 : undefined);
      if (retryAfterS !== undefined) headers['Retry-After'] = String(retryAfterS);
      res.writeHead(early.status, headers).end(method === 'HEAD' ? undefined : http.STATUS_CODES[early.status]);
      return done(early.status, 0, early);
    }

    const parsed = parseArchivePath(path);
    if (!parsed) return notFound();
    let body: Buffer;
    let fault: ArchiveFault | undefined;
    if (parsed.checksum) {
      const served = checksumOf(parsed.file);
      if (served === undefined) return notFound();
      // Planned on the ZIP's path or the checksum's own; `times` counts requests of the checksum.
      fault = faults.faultFor(parsed.file.urlPath, attempt, ['badChecksum']) ?? faults.faultFor(path, attempt, ['badChecksum']);
      const sha256 = fault ? createHash('sha256').update(served).digest('hex') : served;
      body = Buffer.from(`${sha256}  ${parsed.file.fileName}\n`);
    } else {
      const generated = generate(parsed.file);
      if (!generated) return notFound();
      body = generated.zip;
    }
    const cut = faults.faultFor(path, attempt, ['truncate', 'reset']);
    const keep =
      cut?.kind === 'truncate' || cut?.kind === 'reset'
        ? Math.min(body.length, cut.keepBytes ?? Math.floor(body.length / 2))
        : body.length;
    const contentType = parsed.checksum ? 'text/plain' : 'application/zip';
    if (cut?.kind === 'truncate') body = body.subarray(0, keep);
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length });
    if (method === 'HEAD') {
      res.end();
      return done(200, 0, cut ?? fault);
    }
    if (cut?.kind === 'reset') {
      // Flush what was promised so far, then drop the connection: the client sees a body that ends early.
      res.write(body.subarray(0, keep), () => res.socket?.destroy());
      return done(200, keep, cut);
    }
    res.end(body);
    return done(200, body.length, cut ?? fault);
  });
  // A keep-alive agent may hold sockets; a reset socket's error is the point of the fault, not a server failure.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    model,
    get log() {
      return faults.log;
    },
    requestsFor: (path) => faults.log.filter((entry) => entry.path === normalizePath(path)),
    stats() {
      const byStatus: Record<number, number> = {};
      let bytes = 0;
      for (const entry of faults.log) {
        byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
        bytes += entry.bytes;
      }
      return { requests: faults.log.length, byStatus, bytes };
    },
    setFaults: (plan) => faults.setPlan(plan),
    fileBytes,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
