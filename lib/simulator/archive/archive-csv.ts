import {
  archiveMarket,
  BOOK_DEPTH_PERCENTAGES,
  DEFAULT_FUNDING_INTERVAL_HOURS,
  type ArchiveFile,
  type ArchiveMarketSpec,
} from '../../exchanges/binance/archive-layout';
import { DAY_MS, MINUTE_MS } from '../../util/time';
import { TICK_MS, type Book } from '../market/book';
import { intervalMs } from '../market/kline';
import type { MarketModel } from '../market/market-model';
import { hashString, keyHash } from '../market/rng';
import type { SymbolMarket } from '../market/symbol-market';
import { TradeWalker } from '../market/trade-walker';
import { fixed, formatUnits } from '../personality/decimal';
import { FUNDING_INTERVAL_MS, PerpetualDerivatives } from '../personality/binance-futures-derivatives';

/**
 * The CSV of one archive file, generated from the market model in the archive's layout (docs/history.md, "The
 * Binance archive layout"): klines from the same trades the trades and aggTrades files list, funding and open
 * interest from the perpetual model the futures simulator streams, bookDepth and bookTicker from the model's book.
 * Deterministic: a file's bytes depend only on the model (seed, anchor, instruments), the file and the listing day.
 */

export interface ArchiveCsvContext {
  model: MarketModel;
  derivatives: PerpetualDerivatives;
  /** Epoch ms from which the symbol trades (its listing day's midnight); rows before it are not written. */
  listedFromMs: number;
}

const FIVE_MINUTES_MS = 5 * MINUTE_MS;
const BOOK_DEPTH_SNAPSHOT_MS = 30_000;
const TWO_32 = 4294967296;
const SALT = { fundingJitter: 0x464a4954, ratios: 0x5241544f, tickerLag: 0x4c414721, depth: 0x44455054 } as const;
/** Each further percent of the book holds about this many times the top ten levels' size (plausible, not fitted). */
const DEPTH_PER_PERCENT = 4;

/** Rows of the file as CSV text (header first where the market's files have one), or undefined when it cannot be made. */
export function archiveCsv(file: ArchiveFile, context: ArchiveCsvContext): string | undefined {
  const spec = archiveMarket(file.market);
  const market = context.model.market(file.symbol);
  const fromMs = Math.max(Date.parse(`${file.firstDay}T00:00:00Z`), context.listedFromMs);
  const toMs = Date.parse(`${file.lastDay}T00:00:00Z`) + DAY_MS;
  const writer = new RowWriter(spec, file, market);
  const columns = spec.datasets[file.dataset]?.columns ?? [];
  const lines: string[] = spec.header ? [columns.join(',')] : [];
  const emit = (fields: readonly string[]) => lines.push(fields.join(','));
  switch (file.dataset) {
    case 'klines': {
      const length = file.interval === undefined ? undefined : intervalMs(file.interval);
      if (length === undefined) return undefined;
      klineRows(market, writer, Math.ceil(fromMs / length) * length, toMs, length, emit);
      break;
    }
    case 'trades':
      tradeRows(market, writer, fromMs, toMs, emit);
      break;
    case 'aggTrades':
      aggTradeRows(market, writer, fromMs, toMs, emit);
      break;
    case 'fundingRate':
      fundingRows(context.derivatives, market, writer, fromMs, toMs, emit);
      break;
    case 'metrics':
      metricsRows(context.derivatives, market, writer, fromMs, toMs, emit);
      break;
    case 'bookDepth':
      bookDepthRows(market, writer, fromMs, toMs, emit);
      break;
    case 'bookTicker':
      bookTickerRows(market, writer, fromMs, toMs, emit);
      break;
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Numbers, times and booleans as the file's market writes them. */
class RowWriter {
  private readonly priceDecimals: number;
  private readonly qtyDecimals: number;
  private readonly spot: boolean;
  readonly yes: string;
  readonly no: string;

  constructor(
    private readonly spec: ArchiveMarketSpec,
    private readonly file: ArchiveFile,
    market: SymbolMarket,
  ) {
    this.priceDecimals = market.spec.priceDecimals;
    this.qtyDecimals = market.spec.qtyDecimals;
    this.spot = spec.market === 'spot';
    [this.yes, this.no] = spec.booleans;
  }

  /** Spot prints every decimal with 8 places; USD-M with the instrument's precision (docs/history.md). */
  units(value: number, scale: number): string {
    return this.spot ? formatUnits(value, scale) : fixed(value, scale);
  }

  price(ticks: number): string {
    return this.units(ticks, this.priceDecimals);
  }

  qty(steps: number): string {
    return this.units(steps, this.qtyDecimals);
  }

  quote(units: number): string {
    return this.units(units, this.priceDecimals + this.qtyDecimals);
  }

  bool(value: boolean): string {
    return value ? this.yes : this.no;
  }

  /** An epoch time in the file's format; a µs end-of-interval time keeps its last microseconds (…999999). */
  time(epochMs: number, endOfInterval = false): string {
    if (this.file.timeFormat === 'text') return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
    if (this.file.timeFormat === 'us') return `${epochMs}${endOfInterval ? '999' : '000'}`;
    return String(epochMs);
  }

  get market(): ArchiveMarketSpec {
    return this.spec;
  }
}

type Emit = (fields: readonly string[]) => void;

function klineRows(market: SymbolMarket, writer: RowWriter, fromMs: number, toMs: number, length: number, emit: Emit): void {
  for (let open = fromMs; open + length <= toMs; open += length) {
    const kline = market.kline(length, open);
    emit([
      writer.time(kline.openTime),
      writer.price(kline.open),
      writer.price(kline.high),
      writer.price(kline.low),
      writer.price(kline.close),
      writer.qty(kline.volume),
      writer.time(kline.closeTime, true),
      writer.quote(kline.quoteVolume),
      String(kline.tradeCount),
      writer.qty(kline.takerBuyVolume),
      writer.quote(kline.takerBuyQuoteVolume),
      '0',
    ]);
  }
}

/** Visits the trades with from ≤ time < to in id order, minute by minute (a minute's trades are generated once). */
function eachTrade(
  market: SymbolMarket,
  fromMs: number,
  toMs: number,
  visit: (id: number, time: number, price: number, qty: number, buyerMaker: boolean) => void,
): void {
  for (let minute = Math.floor(fromMs / MINUTE_MS); minute * MINUTE_MS < toMs; minute++) {
    const trades = market.minuteTrades(minute);
    for (let i = 0; i < trades.count; i++) {
      const time = trades.time[i];
      if (time >= fromMs && time < toMs)
        visit(trades.firstId + i, time, trades.price[i], trades.qty[i], trades.buyerMaker[i] === 1);
    }
  }
}

function tradeRows(market: SymbolMarket, writer: RowWriter, fromMs: number, toMs: number, emit: Emit): void {
  const spot = writer.market.market === 'spot';
  eachTrade(market, fromMs, toMs, (id, time, price, qty, buyerMaker) => {
    const fields = [
      String(id),
      writer.price(price),
      writer.qty(qty),
      writer.quote(price * qty),
      writer.time(time),
      writer.bool(buyerMaker),
    ];
    // Spot trades carry isBestMatch, always true since 2019 on spot.
    if (spot) fields.push(writer.yes);
    emit(fields);
  });
}

/**
 * Aggregate trades: consecutive trades at the same millisecond, price and taker side are one aggregate, as fills of
 * one taker order at one price are. The aggregate's id is its first trade's id: increasing, with a gap wherever
 * trades merged (the exchange's own aggregate ids are consecutive; the model has no counter for them).
 */
function aggTradeRows(market: SymbolMarket, writer: RowWriter, fromMs: number, toMs: number, emit: Emit): void {
  const spot = writer.market.market === 'spot';
  let open: { first: number; last: number; time: number; price: number; qty: number; buyerMaker: boolean } | undefined;
  const flush = () => {
    if (!open) return;
    const fields = [
      String(open.first),
      writer.price(open.price),
      writer.qty(open.qty),
      String(open.first),
      String(open.last),
      writer.time(open.time),
      writer.bool(open.buyerMaker),
    ];
    if (spot) fields.push(writer.yes);
    emit(fields);
  };
  eachTrade(market, fromMs, toMs, (id, time, price, qty, buyerMaker) => {
    if (open && open.time === time && open.price === price && open.buyerMaker === buyerMaker) {
      open.last = id;
      open.qty += qty;
      return;
    }
    flush();
    open = { first: id, last: id, time, price, qty, buyerMaker };
  });
  flush();
}

const unit = (hash: number): number => hash / TWO_32;

function symbolKey(market: SymbolMarket, salt: number): number {
  return keyHash(hashString(market.spec.symbol), salt, 0);
}

/** One row per funding, calculated a few milliseconds after the hour as the archive's `calc_time`s are. */
function fundingRows(
  derivatives: PerpetualDerivatives,
  market: SymbolMarket,
  writer: RowWriter,
  fromMs: number,
  toMs: number,
  emit: Emit,
): void {
  const key = symbolKey(market, SALT.fundingJitter);
  for (let time = Math.ceil(fromMs / FUNDING_INTERVAL_MS) * FUNDING_INTERVAL_MS; time < toMs; time += FUNDING_INTERVAL_MS) {
    const mark = derivatives.markPrice(market.spec.symbol, market.bookAt(time), time);
    const jitterMs = keyHash(key, SALT.fundingJitter, time / FUNDING_INTERVAL_MS) % 10;
    emit([writer.time(time + jitterMs), String(DEFAULT_FUNDING_INTERVAL_HOURS), fixed(mark.rate, 8)]);
  }
}

/**
 * Every 5 minutes: open interest from the perpetual model (contracts and their value at the last price), two
 * long/short account ratios swinging smoothly over a day, and the taker buy/sell volume ratio of the 5 minutes
 * before, from the trades themselves (empty when nobody sold, as the real files leave fields empty).
 */
function metricsRows(
  derivatives: PerpetualDerivatives,
  market: SymbolMarket,
  writer: RowWriter,
  fromMs: number,
  toMs: number,
  emit: Emit,
): void {
  const key = symbolKey(market, SALT.ratios);
  const phase = 2 * Math.PI * unit(key);
  const ratio = (salt: number, base: number, swing: number, time: number): string => {
    const daily = Math.sin(phase * salt + (2 * Math.PI * time) / DAY_MS);
    const noise = unit(keyHash(key, salt, time / FIVE_MINUTES_MS)) - 0.5;
    return (base * (1 + swing * daily + 0.05 * noise)).toFixed(8);
  };
  for (let time = Math.ceil(fromMs / FIVE_MINUTES_MS) * FIVE_MINUTES_MS; time < toMs; time += FIVE_MINUTES_MS) {
    const openInterest = derivatives.openInterest(market.spec.symbol, time);
    const price = market.lastTradeBefore(time).price;
    const before = market.kline(FIVE_MINUTES_MS, time - FIVE_MINUTES_MS);
    const takerSell = before.volume - before.takerBuyVolume;
    emit([
      writer.time(time),
      market.spec.symbol,
      writer.qty(openInterest),
      writer.quote(openInterest * price),
      ratio(1, 1.6, 0.2, time),
      ratio(2, 1.3, 0.15, time),
      ratio(3, 1.9, 0.25, time),
      takerSell > 0 ? (before.takerBuyVolume / takerSell).toFixed(8) : '',
    ]);
  }
}

/**
 * Every 30 seconds, cumulative depth within ±1…±5 % of the mid. The model's book holds ten levels a few ticks deep,
 * all inside the first percent; each further percent adds DEPTH_PER_PERCENT times their size (±20 %), priced at the
 * middle of its band, so depth grows with the band and notional ≈ depth × price.
 */
function bookDepthRows(market: SymbolMarket, writer: RowWriter, fromMs: number, toMs: number, emit: Emit): void {
  const key = symbolKey(market, SALT.depth);
  const notionalScale = market.spec.priceDecimals + market.spec.qtyDecimals;
  for (
    let time = Math.ceil(fromMs / BOOK_DEPTH_SNAPSHOT_MS) * BOOK_DEPTH_SNAPSHOT_MS;
    time < toMs;
    time += BOOK_DEPTH_SNAPSHOT_MS
  ) {
    const book = market.bookAt(time);
    const mid = (book.bidPx[0] + book.askPx[0]) / 2;
    const sides = { bid: depthBands(book, 'bid', mid, key, time), ask: depthBands(book, 'ask', mid, key, time) };
    for (const percentage of BOOK_DEPTH_PERCENTAGES) {
      const band = (percentage < 0 ? sides.bid : sides.ask)[Math.abs(percentage) - 1];
      emit([writer.time(time), String(percentage), writer.qty(band.depth), fixed(band.notional, notionalScale, 8)]);
    }
  }
}

/** Cumulative depth (lot steps) and notional (tick × step units) of the bands 1…5 % on one side. */
function depthBands(
  book: Book,
  side: 'bid' | 'ask',
  mid: number,
  key: number,
  time: number,
): { depth: number; notional: number }[] {
  const prices = side === 'bid' ? book.bidPx : book.askPx;
  const sizes = side === 'bid' ? book.bidSz : book.askSz;
  let depth = 0;
  let notional = 0;
  for (let level = 0; level < prices.length; level++) {
    depth += sizes[level];
    notional += sizes[level] * prices[level];
  }
  const topTen = depth;
  const sign = side === 'bid' ? -1 : 1;
  const bands: { depth: number; notional: number }[] = [];
  for (let band = 1; band <= 5; band++) {
    const noise = unit(keyHash(key, SALT.depth + band + (side === 'bid' ? 0 : 8), time / BOOK_DEPTH_SNAPSHOT_MS));
    const added = Math.round(topTen * DEPTH_PER_PERCENT * (0.8 + 0.4 * noise));
    const bandPrice = Math.round(mid * (1 + (sign * (band - 0.5)) / 100));
    depth += added;
    notional += added * bandPrice;
    bands.push({ depth, notional });
  }
  return bands;
}

/**
 * The best bid and ask after every 100 ms tick in which something traded (the top of the model's book moves only
 * with trades), stamped with the tick as transaction time and a few milliseconds later as event time.
 */
function bookTickerRows(market: SymbolMarket, writer: RowWriter, fromMs: number, toMs: number, emit: Emit): void {
  const key = symbolKey(market, SALT.tickerLag);
  const walker = new TradeWalker(market);
  const first = Math.ceil(fromMs / TICK_MS) * TICK_MS;
  walker.walk(first - TICK_MS, first);
  for (let tick = first + TICK_MS; tick < toMs; tick += TICK_MS) {
    let traded = false;
    walker.walk(tick - TICK_MS, tick, () => {
      traded = true;
    });
    if (!traded) continue;
    const book = market.bookWith(tick, walker.last);
    const lagMs = 1 + (keyHash(key, SALT.tickerLag, tick / TICK_MS) % 9);
    emit([
      String(book.updateId),
      writer.price(book.bidPx[0]),
      writer.qty(book.bidSz[0]),
      writer.price(book.askPx[0]),
      writer.qty(book.askSz[0]),
      writer.time(tick),
      writer.time(tick + lagMs),
    ]);
  }
}
