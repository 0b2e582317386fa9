/**
 * Binance's public data archive (data.binance.vision) as data: which datasets each market publishes, in which
 * periods, how one file is named and where it lives, what its CSV holds (columns, header row, time unit, boolean
 * spelling), and a planner from a request {market, symbols, datasets, from, to} to the files that cover it.
 * Pure: no I/O, no clock (the caller passes "today"). Sources and the facts behind each entry: docs/history.md,
 * "The Binance archive layout".
 */

export type ArchiveMarket = 'spot' | 'futures/um';
export type ArchivePeriod = 'monthly' | 'daily';
export type ArchiveDataset = 'klines' | 'trades' | 'aggTrades' | 'fundingRate' | 'metrics' | 'bookDepth' | 'bookTicker';

/**
 * How a time column is written: epoch numbers (`ms`, or `us` in spot files from 2025-01-01) or UTC text
 * `YYYY-MM-DD HH:MM:SS` (`text`, the USD-M metrics and bookDepth files).
 */
export type ArchiveTimeFormat = 'ms' | 'us' | 'text';

export interface ArchiveDatasetSpec {
  readonly dataset: ArchiveDataset;
  /** Periods the archive publishes this dataset in. */
  readonly periods: readonly ArchivePeriod[];
  /** Klines take an interval (a folder level and part of the file name). */
  readonly hasInterval: boolean;
  /** Column names in file order: the header row's names where the files have one (USD-M). */
  readonly columns: readonly string[];
  /** The column rows are ordered and partitioned by. */
  readonly timeColumn: string;
  /** Every column holding a time (all are written in the same format within a file). */
  readonly timeColumns: readonly string[];
  /** Whether the times are epoch numbers (unit by market and date: archiveTimeFormat) or UTC text. */
  readonly timeText: boolean;
  /** Columns holding booleans (spelled per market: ArchiveMarketSpec.booleans). */
  readonly booleanColumns: readonly string[];
  /** Last day the archive holds (the dataset stopped being published then); the planner asks for nothing later. */
  readonly lastPublished?: string;
  /** First day seen in the archive for the major symbols; for information only (symbols list later). */
  readonly firstSeen?: string;
  /** Rows per day where the cadence is fixed: metrics every 5 minutes, bookDepth snapshots every 30 seconds. */
  readonly cadenceMs?: number;
}

export interface ArchiveMarketSpec {
  readonly market: ArchiveMarket;
  /** Whether the CSV inside each ZIP starts with a header row. */
  readonly header: boolean;
  /** How booleans are spelled: `True`/`False` (spot) or `true`/`false` (USD-M). */
  readonly booleans: readonly [string, string];
  /** First day whose epoch times are in microseconds rather than milliseconds (spot only). */
  readonly microsecondsFrom?: string;
  /** Kline intervals the archive publishes for this market (`1mo` is the month, spelled so for case-blind disks). */
  readonly intervals: readonly string[];
  readonly datasets: Readonly<Partial<Record<ArchiveDataset, ArchiveDatasetSpec>>>;
}

const KLINE_COLUMNS = [
  'open_time',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'close_time',
  'quote_volume',
  'count',
  'taker_buy_volume',
  'taker_buy_quote_volume',
  'ignore',
] as const;

const FUTURES_INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1mo'];
const BOTH: readonly ArchivePeriod[] = ['monthly', 'daily'];

const klines: ArchiveDatasetSpec = {
  dataset: 'klines',
  periods: BOTH,
  hasInterval: true,
  columns: KLINE_COLUMNS,
  timeColumn: 'open_time',
  timeColumns: ['open_time', 'close_time'],
  timeText: false,
  booleanColumns: [],
};

/** Spot files have no header; the names are ours, after the README's column titles (docs/history.md). */
const SPOT: ArchiveMarketSpec = {
  market: 'spot',
  header: false,
  booleans: ['True', 'False'],
  microsecondsFrom: '2025-01-01',
  intervals: ['1s', ...FUTURES_INTERVALS],
  datasets: {
    klines,
    trades: {
      dataset: 'trades',
      periods: BOTH,
      hasInterval: false,
      columns: ['id', 'price', 'qty', 'quote_qty', 'time', 'is_buyer_maker', 'is_best_match'],
      timeColumn: 'time',
      timeColumns: ['time'],
      timeText: false,
      booleanColumns: ['is_buyer_maker', 'is_best_match'],
    },
    aggTrades: {
      dataset: 'aggTrades',
      periods: BOTH,
      hasInterval: false,
      columns: [
        'agg_trade_id',
        'price',
        'quantity',
        'first_trade_id',
        'last_trade_id',
        'transact_time',
        'is_buyer_maker',
        'is_best_match',
      ],
      timeColumn: 'transact_time',
      timeColumns: ['transact_time'],
      timeText: false,
      booleanColumns: ['is_buyer_maker', 'is_best_match'],
    },
  },
};

/** USD-M files carry a header row; these are its names (docs/history.md). */
const USDM: ArchiveMarketSpec = {
  market: 'futures/um',
  header: true,
  booleans: ['true', 'false'],
  intervals: FUTURES_INTERVALS,
  datasets: {
    klines,
    trades: {
      dataset: 'trades',
      periods: BOTH,
      hasInterval: false,
      columns: ['id', 'price', 'qty', 'quote_qty', 'time', 'is_buyer_maker'],
      timeColumn: 'time',
      timeColumns: ['time'],
      timeText: false,
      booleanColumns: ['is_buyer_maker'],
    },
    aggTrades: {
      dataset: 'aggTrades',
      periods: BOTH,
      hasInterval: false,
      columns: ['agg_trade_id', 'price', 'quantity', 'first_trade_id', 'last_trade_id', 'transact_time', 'is_buyer_maker'],
      timeColumn: 'transact_time',
      timeColumns: ['transact_time'],
      timeText: false,
      booleanColumns: ['is_buyer_maker'],
    },
    fundingRate: {
      dataset: 'fundingRate',
      periods: ['monthly'],
      hasInterval: false,
      columns: ['calc_time', 'funding_interval_hours', 'last_funding_rate'],
      timeColumn: 'calc_time',
      timeColumns: ['calc_time'],
      timeText: false,
      booleanColumns: [],
      firstSeen: '2020-01-01',
    },
    metrics: {
      dataset: 'metrics',
      periods: ['daily'],
      hasInterval: false,
      columns: [
        'create_time',
        'symbol',
        'sum_open_interest',
        'sum_open_interest_value',
        'count_toptrader_long_short_ratio',
        'sum_toptrader_long_short_ratio',
        'count_long_short_ratio',
        'sum_taker_long_short_vol_ratio',
      ],
      timeColumn: 'create_time',
      timeColumns: ['create_time'],
      timeText: true,
      booleanColumns: [],
      firstSeen: '2021-12-01',
      cadenceMs: 300_000,
    },
    bookDepth: {
      dataset: 'bookDepth',
      periods: ['daily'],
      hasInterval: false,
      columns: ['timestamp', 'percentage', 'depth', 'notional'],
      timeColumn: 'timestamp',
      timeColumns: ['timestamp'],
      timeText: true,
      booleanColumns: [],
      firstSeen: '2023-01-01',
      cadenceMs: 30_000,
    },
    bookTicker: {
      dataset: 'bookTicker',
      periods: BOTH,
      hasInterval: false,
      columns: [
        'update_id',
        'best_bid_price',
        'best_bid_qty',
        'best_ask_price',
        'best_ask_qty',
        'transaction_time',
        'event_time',
      ],
      timeColumn: 'transaction_time',
      timeColumns: ['transaction_time', 'event_time'],
      timeText: false,
      booleanColumns: [],
      lastPublished: '2024-03-30',
    },
  },
};

export const ARCHIVE_MARKETS: Readonly<Record<ArchiveMarket, ArchiveMarketSpec>> = { spot: SPOT, 'futures/um': USDM };

/**
 * bookDepth's percentage bands: cumulative depth within ±1…±5 % of the mid, bids negative. A third-party survey
 * (docs/history.md) reports ±0.2 joining them from 2026-01-15; readers should accept any band list.
 */
export const BOOK_DEPTH_PERCENTAGES = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5] as const;

/** The hours between fundings the simulated and most real USD-M perpetuals settle at (a column of fundingRate). */
export const DEFAULT_FUNDING_INTERVAL_HOURS = 8;

export const ARCHIVE_BASE_URL = 'https://data.binance.vision';

export function archiveMarket(market: ArchiveMarket): ArchiveMarketSpec {
  return ARCHIVE_MARKETS[market];
}

/** The spec of `dataset` on `market`, or undefined when that market does not publish it (spot fundingRate). */
export function archiveDataset(market: ArchiveMarket, dataset: ArchiveDataset): ArchiveDatasetSpec | undefined {
  return ARCHIVE_MARKETS[market].datasets[dataset];
}

/** How the epoch times of a file starting on `firstDay` are written: µs in spot files from 2025-01-01, else ms. */
export function archiveTimeFormat(market: ArchiveMarket, dataset: ArchiveDataset, firstDay: string): ArchiveTimeFormat {
  const spec = ARCHIVE_MARKETS[market];
  if (spec.datasets[dataset]?.timeText) return 'text';
  return spec.microsecondsFrom !== undefined && firstDay >= spec.microsecondsFrom ? 'us' : 'ms';
}

/** One file of the archive: its key, and where and how it is written. */
export interface ArchiveFile extends ArchiveFileKey {
  /** `BTCUSDT-1m-2024-01.zip`; the CSV inside is the same name ending in `.csv`. */
  fileName: string;
  /** Path under the base URL, without a leading slash: `data/spot/monthly/klines/BTCUSDT/1m/BTCUSDT-1m-2024-01.zip`. */
  urlPath: string;
  /** `urlPath` + `.CHECKSUM`: one line, sha256 hex, two spaces, the file name. */
  checksumPath: string;
  /** First and last UTC day the file covers (`YYYY-MM-DD`), whatever part of it the request wanted. */
  firstDay: string;
  lastDay: string;
  /** How the file's times are written. */
  timeFormat: ArchiveTimeFormat;
}

export interface ArchiveFileKey {
  market: ArchiveMarket;
  dataset: ArchiveDataset;
  /** Kline interval; undefined for every other dataset. */
  interval?: string;
  symbol: string;
  period: ArchivePeriod;
  /** `YYYY-MM` (monthly) or `YYYY-MM-DD` (daily), as in the file name. */
  date: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** The file for a key; throws on a dataset the market does not publish, a period it is not published in, a bad date. */
export function archiveFile(key: ArchiveFileKey): ArchiveFile {
  const spec = archiveDataset(key.market, key.dataset);
  if (!spec) throw new Error(`the ${key.market} archive has no ${key.dataset}`);
  if (!spec.periods.includes(key.period)) throw new Error(`${key.market} ${key.dataset} is not published ${key.period}`);
  if (spec.hasInterval !== (key.interval !== undefined)) {
    throw new Error(spec.hasInterval ? `${key.dataset} needs an interval` : `${key.dataset} takes no interval`);
  }
  if (key.interval !== undefined && !ARCHIVE_MARKETS[key.market].intervals.includes(key.interval)) {
    throw new Error(`${key.market} klines have no ${key.interval} interval`);
  }
  if (!(key.period === 'monthly' ? MONTH : DAY).test(key.date) || !isCalendarDate(key.date)) {
    throw new Error(`${key.date} is not a ${key.period === 'monthly' ? 'YYYY-MM month' : 'YYYY-MM-DD day'}`);
  }
  const symbol = key.symbol.toUpperCase();
  const kind = key.interval ?? key.dataset;
  const fileName = `${symbol}-${kind}-${key.date}.zip`;
  const folder = key.interval === undefined ? `${key.dataset}/${symbol}` : `${key.dataset}/${symbol}/${key.interval}`;
  const urlPath = `data/${key.market}/${key.period}/${folder}/${fileName}`;
  const firstDay = key.period === 'monthly' ? `${key.date}-01` : key.date;
  const lastDay = key.period === 'monthly' ? lastDayOfMonth(key.date) : key.date;
  return {
    market: key.market,
    dataset: key.dataset,
    ...(key.interval === undefined ? {} : { interval: key.interval }),
    symbol,
    period: key.period,
    date: key.date,
    fileName,
    urlPath,
    checksumPath: `${urlPath}.CHECKSUM`,
    firstDay,
    lastDay,
    timeFormat: archiveTimeFormat(key.market, key.dataset, firstDay),
  };
}

/** The CSV's name inside a file's ZIP. */
export const csvNameOf = (file: Pick<ArchiveFile, 'fileName'>): string => file.fileName.replace(/\.zip$/, '.csv');

/** The full URL of a path under a base (`https://data.binance.vision` or a simulator's `http://127.0.0.1:port`). */
export function archiveUrl(baseUrl: string, urlPath: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${urlPath.replace(/^\/+/, '')}`;
}

/**
 * The file a URL path names (with or without a leading slash), and whether it asks for the `.CHECKSUM`; undefined
 * for any path that is not a well-formed archive file (the name must repeat the folder's symbol and interval).
 */
export function parseArchivePath(urlPath: string): { file: ArchiveFile; checksum: boolean } | undefined {
  const match =
    /^\/?data\/(spot|futures\/um)\/(monthly|daily)\/([A-Za-z]+)\/([A-Z0-9]+)\/(?:([0-9a-z]+)\/)?([^/]+?)(\.CHECKSUM)?$/.exec(
      urlPath,
    );
  if (!match) return undefined;
  const [, market, period, dataset, symbol, interval, name, checksum] = match;
  const dateOf = /^([A-Z0-9]+)-([0-9A-Za-z]+)-(\d{4}-\d{2}(?:-\d{2})?)\.zip$/.exec(name);
  if (!dateOf || dateOf[1] !== symbol || dateOf[2] !== (interval ?? dataset)) return undefined;
  try {
    const file = archiveFile({
      market: market as ArchiveMarket,
      dataset: dataset as ArchiveDataset,
      symbol,
      period: period as ArchivePeriod,
      date: dateOf[3],
      ...(interval === undefined ? {} : { interval }),
    });
    return { file, checksum: checksum !== undefined };
  } catch {
    return undefined;
  }
}

/** A dataset as the CLI names it: `klines:1m`, `trades`, `fundingRate`. */
export interface ArchiveDatasetRequest {
  dataset: ArchiveDataset;
  interval?: string;
}

/** `klines:1h` → {dataset: klines, interval: 1h}; throws on an unknown dataset or a kline without interval. */
export function parseArchiveDataset(text: string): ArchiveDatasetRequest {
  const [name, interval, extra] = text.split(':');
  const known: readonly string[] = ['klines', 'trades', 'aggTrades', 'fundingRate', 'metrics', 'bookDepth', 'bookTicker'];
  if (!known.includes(name) || extra !== undefined)
    throw new Error(`unknown archive dataset '${text}' (one of ${known.join(', ')}; klines:<interval>)`);
  if (name === 'klines' && !interval) throw new Error(`'${text}': klines need an interval, e.g. klines:1m`);
  if (name !== 'klines' && interval !== undefined) throw new Error(`'${text}': only klines take an interval`);
  return { dataset: name as ArchiveDataset, ...(interval === undefined ? {} : { interval }) };
}

export interface ArchiveRequest {
  market: ArchiveMarket;
  symbols: readonly string[];
  datasets: readonly ArchiveDatasetRequest[];
  /** First and last UTC day wanted, inclusive (`YYYY-MM-DD`). */
  from: string;
  to: string;
}

/** Part of a request no file can serve, and why. */
export interface ArchiveGap {
  dataset: ArchiveDataset;
  interval?: string;
  symbol: string;
  firstDay: string;
  lastDay: string;
  reason: string;
}

export interface ArchivePlan {
  files: ArchiveFile[];
  gaps: ArchiveGap[];
}

/**
 * The files covering a request, per symbol and dataset in time order. The archive publishes a day's daily file the
 * next day and a month's monthly file after the month (docs/history.md), so days from `today` on are never asked
 * for. Months wholly inside [from, to] that ended before today's month come as one monthly file; the partial months
 * at either end and the current month come as daily files. A dataset published monthly only (fundingRate) gets the
 * whole months the range touches, except the current month (a gap); one published daily only gets daily files.
 */
export function planArchive(request: ArchiveRequest, today: string): ArchivePlan {
  for (const [label, day] of [
    ['from', request.from],
    ['to', request.to],
    ['today', today],
  ] as const) {
    if (!DAY.test(day) || !isCalendarDate(day)) throw new Error(`${label} '${day}' is not a YYYY-MM-DD day`);
  }
  if (request.from > request.to) throw new Error(`from ${request.from} is after to ${request.to}`);
  const files: ArchiveFile[] = [];
  const gaps: ArchiveGap[] = [];
  const yesterday = addDays(today, -1);
  const currentMonth = today.slice(0, 7);
  for (const symbol of request.symbols.map((s) => s.toUpperCase())) {
    for (const wanted of request.datasets) {
      const spec = archiveDataset(request.market, wanted.dataset);
      const label = { dataset: wanted.dataset, ...(wanted.interval === undefined ? {} : { interval: wanted.interval }), symbol };
      if (!spec) {
        gaps.push({
          ...label,
          firstDay: request.from,
          lastDay: request.to,
          reason: `the ${request.market} archive has no ${wanted.dataset}`,
        });
        continue;
      }
      let last = request.to;
      if (spec.lastPublished !== undefined && last > spec.lastPublished) {
        const after = maxDay(request.from, addDays(spec.lastPublished, 1));
        gaps.push({
          ...label,
          firstDay: after,
          lastDay: last,
          reason: `${wanted.dataset} was last published for ${spec.lastPublished}`,
        });
        last = spec.lastPublished;
      }
      if (last > yesterday) {
        const notYet = maxDay(request.from, today);
        if (notYet <= last)
          gaps.push({ ...label, firstDay: notYet, lastDay: last, reason: 'not published yet (a day appears the day after)' });
        last = minDay(last, yesterday);
      }
      if (last < request.from) continue;
      const key = {
        market: request.market,
        dataset: wanted.dataset,
        symbol,
        ...(wanted.interval === undefined ? {} : { interval: wanted.interval }),
      };
      for (let month = request.from.slice(0, 7); month <= last.slice(0, 7); month = nextMonth(month)) {
        const monthFirst = `${month}-01`;
        const monthLast = lastDayOfMonth(month);
        const first = maxDay(monthFirst, request.from);
        const end = minDay(monthLast, last);
        const ended = month < currentMonth;
        const whole = first === monthFirst && end === monthLast;
        if (spec.periods.includes('monthly') && ended && (whole || !spec.periods.includes('daily'))) {
          files.push(archiveFile({ ...key, period: 'monthly', date: month }));
        } else if (spec.periods.includes('daily')) {
          for (let day = first; day <= end; day = addDays(day, 1))
            files.push(archiveFile({ ...key, period: 'daily', date: day }));
        } else {
          gaps.push({
            ...label,
            firstDay: first,
            lastDay: end,
            reason: `${wanted.dataset} is published monthly only; ${month} has not ended`,
          });
        }
      }
    }
  }
  return { files, gaps };
}

/** The files of `planArchive`, without the gaps. */
export function archiveFiles(request: ArchiveRequest, today: string): ArchiveFile[] {
  return planArchive(request, today).files;
}

/**
 * The daily files standing in for a monthly one, for when the monthly file is not there yet (monthly files appear
 * at the start of the next month, days after it ends: docs/history.md). Empty for a dataset without daily files.
 */
export function dailyFilesOf(file: ArchiveFile): ArchiveFile[] {
  if (file.period === 'daily') return [file];
  if (!archiveDataset(file.market, file.dataset)?.periods.includes('daily')) return [];
  const out: ArchiveFile[] = [];
  for (let day = file.firstDay; day <= file.lastDay; day = addDays(day, 1)) {
    out.push(
      archiveFile({
        market: file.market,
        dataset: file.dataset,
        interval: file.interval,
        symbol: file.symbol,
        period: 'daily',
        date: day,
      }),
    );
  }
  return out;
}

// Calendar helpers on `YYYY-MM-DD` text (UTC days; lexical order is time order).

const DAY_MS = 86_400_000;

function isCalendarDate(text: string): boolean {
  const day = text.length === 7 ? `${text}-01` : text;
  return new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
}

/** The UTC day of an epoch ms time. */
export const dayOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

/** Epoch ms of a day's midnight, UTC. */
export const dayStartMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);

export const addDays = (day: string, count: number): string => dayOf(dayStartMs(day) + count * DAY_MS);

function lastDayOfMonth(month: string): string {
  return addDays(`${nextMonth(month)}-01`, -1);
}

function nextMonth(month: string): string {
  const [year, monthIndex] = month.split('-').map(Number);
  return monthIndex === 12 ? `${year + 1}-01` : `${year}-${String(monthIndex + 1).padStart(2, '0')}`;
}

const maxDay = (left: string, right: string): string => (left > right ? left : right);
const minDay = (left: string, right: string): string => (left < right ? left : right);
