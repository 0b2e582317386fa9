import type { InstrumentSpec } from './instruments';
import { keyHash, Rng } from './rng';
import { MINUTE_MS } from '../../util/time';

/**
 * The minute skeleton of one symbol's market: the log price at the start of every minute (a Gaussian random walk,
 * one seeded step per minute) and how many trades every minute holds (so trade ids are consecutive across any
 * range). Both are cumulative from an anchor minute, where the price is the instrument's initial price, so they
 * are computed once per day-sized block outward from the anchor and cached: a couple of days of history costs a
 * few thousand steps, not a replay of every trade.
 */

const BLOCK = 1440;
/** Trade id of the first trade at the anchor: far enough from 0 for years of history before it. */
const ANCHOR_TRADE_ID = 1_000_000_000;

/** Purposes of the seeded streams, so a minute's price step, arrivals and trades draw independent numbers. */
export const SALT = { path: 0x50415448, arrivals: 0x41525256, trades: 0x54524144, book: 0x424f4f4b } as const;

interface Block {
  /** Log price at the start of minutes 0..BLOCK of the block (BLOCK + 1 points: the last is the next block's first). */
  logOpen: Float64Array;
  /** Id of the first trade of minutes 0..BLOCK. */
  firstId: Float64Array;
  count: Int32Array;
}

/**
 * Arrival offsets (ms into the minute, fractional) of a Poisson process with the given rate, written to `out`;
 * returns how many there are. The path counts trades and the trade generator times them with this one function,
 * from the same seeded stream, so the two always agree.
 */
export function arrivalOffsets(rng: Rng, tradesPerMinute: number, out: number[]): number {
  const meanGap = MINUTE_MS / tradesPerMinute;
  let n = 0;
  for (let t = rng.exponential(meanGap); t < MINUTE_MS; t += rng.exponential(meanGap)) out[n++] = t;
  return n;
}

export class PricePath {
  private readonly blocks = new Map<number, Block>();
  private readonly rng = new Rng();
  private readonly scratch: number[] = [];

  constructor(
    private readonly spec: InstrumentSpec,
    private readonly symbolKey: number,
    private readonly anchorMinute: number,
  ) {}

  /** Log price at the start of `minute`. */
  logOpen(minute: number): number {
    const [block, i] = this.locate(minute);
    return block.logOpen[i];
  }

  tradeCount(minute: number): number {
    const [block, i] = this.locate(minute);
    return block.count[i];
  }

  firstTradeId(minute: number): number {
    const [block, i] = this.locate(minute);
    return block.firstId[i];
  }

  private locate(minute: number): [Block, number] {
    const rel = minute - this.anchorMinute;
    const index = Math.floor(rel / BLOCK);
    return [this.block(index), rel - index * BLOCK];
  }

  private block(index: number): Block {
    const cached = this.blocks.get(index);
    if (cached) return cached;
    // Blocks are built outward from the anchor, each from its inner neighbour's edge.
    let b: Block;
    if (index === 0) b = this.build(0, Math.log(this.spec.initialPrice), ANCHOR_TRADE_ID, +1);
    else if (index > 0) {
      const prev = this.block(index - 1);
      b = this.build(index, prev.logOpen[BLOCK], prev.firstId[BLOCK], +1);
    } else {
      const next = this.block(index + 1);
      b = this.build(index, next.logOpen[0], next.firstId[0], -1);
    }
    this.blocks.set(index, b);
    return b;
  }

  /** Fill a block forward from its first point, or backward from its last. */
  private build(index: number, edgeLog: number, edgeId: number, direction: 1 | -1): Block {
    const block: Block = {
      logOpen: new Float64Array(BLOCK + 1),
      firstId: new Float64Array(BLOCK + 1),
      count: new Int32Array(BLOCK),
    };
    const first = this.anchorMinute + index * BLOCK;
    const sigma = this.spec.minuteVolatility;
    if (direction === 1) {
      block.logOpen[0] = edgeLog;
      block.firstId[0] = edgeId;
      for (let i = 0; i < BLOCK; i++) {
        block.count[i] = this.countTrades(first + i);
        block.logOpen[i + 1] = block.logOpen[i] + sigma * this.rng.seed(keyHash(this.symbolKey, SALT.path, first + i)).gaussian();
        block.firstId[i + 1] = block.firstId[i] + block.count[i];
      }
    } else {
      block.logOpen[BLOCK] = edgeLog;
      block.firstId[BLOCK] = edgeId;
      for (let i = BLOCK - 1; i >= 0; i--) {
        block.count[i] = this.countTrades(first + i);
        block.logOpen[i] = block.logOpen[i + 1] - sigma * this.rng.seed(keyHash(this.symbolKey, SALT.path, first + i)).gaussian();
        block.firstId[i] = block.firstId[i + 1] - block.count[i];
      }
    }
    return block;
  }

  private countTrades(minute: number): number {
    return arrivalOffsets(this.rng.seed(keyHash(this.symbolKey, SALT.arrivals, minute)), this.spec.tradesPerMinute, this.scratch);
  }
}
