import { QualityFlag } from '../schema/quality-flags';
import { dataset } from '../schema/registry';
import { validateTable } from '../schema/validate';
import { dayStart } from '../storage/lake-paths';
import { Table, TableBuilder } from '../table/table';
import { DAY_MS } from '../util/time';

/**
 * Silver cleaning of one day of Bronze trades (docs/silver.md#rules-per-dataset): range checks (bad rows to quarantine
 * with the validator's reason), first copy of each trade id, trade-id order, OUTLIER flags on spikes that revert,
 * BACKFILLED on trades from the REST API (source `rest`, the self-heal's), and the trade-id gaps with their times.
 *
 * Rows whose event time lies outside `dt` are NOT quarantined: the Silver job reads a margin of the neighbouring
 * hours for late arrivals (docs/silver.md#late-data), so such rows legitimately belong to the other date's partition,
 * which keeps or quarantines them itself. Quarantining them here too would report the same row twice. They are only
 * counted (`outsideDay`); a non-zero count outside that margin points at a mis-partitioned Bronze file.
 * A row whose event time is missing or not a finite integer cannot be placed in any partition, so the run that
 * reads it quarantines it.
 */

/** Kraken's trade ids are not documented as gap-free, so only Binance's are checked for continuity. */
export const hasContiguousTradeIds = (exchange: string): boolean => exchange !== 'kraken';

export interface TradeCleanOptions {
  /**
   * The exchange numbers its trades 1, 2, 3, ... per symbol (Binance), so a jump in ids is lost trades. False for
   * exchanges whose ids are not contiguous (Kraken), where no id gaps are reported.
   */
  contiguousIds?: boolean;
  /** Relative distance from the reference price beyond which a trade may be a bad print (default 0.02 = 2%). */
  outlierThreshold?: number;
  /** Longest run of consecutive deviating trades that still counts as a spike (default 3). */
  outlierMaxRun?: number;
}

export interface TradeIdGap {
  /** Last id present before the gap. */
  afterId: number;
  /** First id present after the gap. */
  beforeId: number;
  missing: number;
  /** Event time of `afterId`. */
  from: number;
  /** Event time of `beforeId`. */
  to: number;
}

export interface TradeCleanStats {
  /** Every row given, including those of another date. */
  rowsIn: number;
  /** Rows with a valid event time outside `dt`: left for that date's run. */
  outsideDay: number;
  quarantined: number;
  /** Quarantined rows by reason, with the offending value dropped ("price=-1 is not > 0" -> "price is not > 0"). */
  quarantinedByReason: Record<string, number>;
  /** Later copies of a trade id already kept. */
  duplicates: number;
  /** Duplicates whose price, qty or side differ from the kept copy (not just a replay). */
  conflictingDuplicates: number;
  rowsOut: number;
  outliers: number;
  idGaps: TradeIdGap[];
  /** Sum of `missing` over the gaps. */
  missingIds: number;
  firstId: number | null;
  lastId: number | null;
}

export interface TradeCleanResult {
  silver: Table;
  quarantine: Table;
  stats: TradeCleanStats;
}

export function cleanTrades(bronze: Table, dt: string, nowMs: number, opts: TradeCleanOptions = {}): TradeCleanResult {
  const contiguous = opts.contiguousIds ?? true;
  const start = dayStart(dt);
  const end = start + DAY_MS;
  const id = bronze.num('trade_id');
  const time = bronze.num('event_time');
  const ingest = bronze.num('ingest_time');
  const price = bronze.num('price');
  const qty = bronze.num('qty');
  const maker = bronze.bool('is_buyer_maker');

  const stats: TradeCleanStats = {
    rowsIn: bronze.length,
    outsideDay: 0,
    quarantined: 0,
    quarantinedByReason: {},
    duplicates: 0,
    conflictingDuplicates: 0,
    rowsOut: 0,
    outliers: 0,
    idGaps: [],
    missingIds: 0,
    firstId: null,
    lastId: null,
  };
  const bad = validateTable(bronze);
  const quarantine = new TableBuilder(dataset('quarantine', 'trades'), 16);

  const candidates = new Uint32Array(bronze.length);
  let nc = 0;
  for (let i = 0; i < bronze.length; i++) {
    const t = time[i];
    // A valid timestamp of another date belongs to that date's run, whatever else is wrong with the row.
    if (Number.isInteger(t) && (t < start || t >= end)) {
      stats.outsideDay++;
      continue;
    }
    const reason = bad.get(i);
    if (reason) {
      quarantine.push({ ...bronze.row(i), quarantine_reason: reason, quarantined_at: nowMs });
      stats.quarantined++;
      const key = reason.replace(/=\S+/, '');
      stats.quarantinedByReason[key] = (stats.quarantinedByReason[key] ?? 0) + 1;
      continue;
    }
    candidates[nc++] = i;
  }

  // Bronze is nearly always in id order already (hour files in order, ids increasing); sort only when it is not.
  let order = candidates.subarray(0, nc);
  let sorted = true;
  for (let k = 1; k < nc && sorted; k++) {
    const a = order[k - 1],
      b = order[k];
    if (id[a] > id[b] || (id[a] === id[b] && ingest[a] > ingest[b])) sorted = false;
  }
  if (!sorted) order = order.slice().sort((a, b) => id[a] - id[b] || ingest[a] - ingest[b] || a - b);

  const kept = new Uint32Array(nc);
  let nk = 0;
  for (let k = 0; k < nc; k++) {
    const i = order[k];
    if (nk > 0) {
      const first = kept[nk - 1];
      if (id[first] === id[i]) {
        stats.duplicates++;
        if (price[first] !== price[i] || qty[first] !== qty[i] || maker[first] !== maker[i]) stats.conflictingDuplicates++;
        continue;
      }
    }
    kept[nk++] = i;
  }
  const keep = kept.subarray(0, nk);

  const flags = outlierFlags(keep, price, opts.outlierThreshold ?? 0.02, opts.outlierMaxRun ?? 3);
  for (let k = 0; k < nk; k++) if (flags[k]) stats.outliers++;
  // Trades fetched over REST by the self-heal (the first copy of their id, since the WebSocket had lost them).
  const source = bronze.str('source');
  for (let k = 0; k < nk; k++) if (source[keep[k]] === 'rest') flags[k] = flags[k] | QualityFlag.BACKFILLED;

  if (nk > 0) {
    stats.firstId = id[keep[0]];
    stats.lastId = id[keep[nk - 1]];
  }
  if (contiguous) {
    for (let k = 1; k < nk; k++) {
      const a = keep[k - 1],
        b = keep[k];
      const missing = id[b] - id[a] - 1;
      if (missing <= 0) continue;
      stats.idGaps.push({ afterId: id[a], beforeId: id[b], missing, from: time[a], to: time[b] });
      stats.missingIds += missing;
    }
  }
  stats.rowsOut = nk;

  const taken = bronze.take(keep).reshape(dataset('silver', 'trades'));
  const silver = new Table(taken.spec, taken.length, { ...taken.columns, quality_flags: flags });
  return { silver, quarantine: quarantine.build(), stats };
}

/** Number of earlier unflagged trades whose median is the reference price of a suspect trade. */
const REF_WINDOW = 7;

/**
 * OUTLIER flags, per kept trade (in id order). A run of at most `maxRun` consecutive trades is a spike when
 * every trade of it lies more than `threshold` (relative) away from the reference price on the same side, and
 * the trade right after the run is back within half that distance. The reference is the median of the last
 * REF_WINDOW unflagged trades before the run, so one earlier bad print cannot move it. A move that does not come
 * back (a real repricing) or reaches the end of the day is not flagged: only a reversion makes it a bad print.
 * Only trades that jump by more than half the threshold from their predecessor are examined, which keeps this
 * linear with a small constant.
 */
function outlierFlags(keep: Uint32Array, price: Float64Array, threshold: number, maxRun: number): Float64Array {
  const n = keep.length;
  const flags = new Float64Array(n);
  const window: number[] = [];
  for (let k = 1; k < n; k++) {
    const p = price[keep[k]];
    const prev = price[keep[k - 1]];
    if (!(Math.abs(p - prev) > 0.5 * threshold * prev)) continue;
    window.length = 0;
    for (let j = k - 1; j >= 0 && window.length < REF_WINDOW; j--) if (!flags[j]) window.push(price[keep[j]]);
    if (window.length < 3) continue;
    const ref = median(window);
    const side = Math.sign(p - ref);
    const far = (x: number) => Math.sign(x - ref) === side && Math.abs(x - ref) > threshold * ref;
    if (!far(p)) continue;
    let j = k + 1;
    while (j < n && j - k < maxRun && far(price[keep[j]])) j++;
    if (j >= n || Math.abs(price[keep[j]] - ref) > 0.5 * threshold * ref) continue;
    for (let m = k; m < j; m++) flags[m] = QualityFlag.OUTLIER;
    k = j - 1;
  }
  return flags;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
