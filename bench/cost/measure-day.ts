import { performance } from 'node:perf_hooks';
import { sourceProfile } from '../../lib/exchanges/registry';
import { Collector } from '../../lib/collector/collector';
import { EventClock } from '../../lib/collector/clock';
import { runGold } from '../../lib/gold/gold-job';
import { runSilver } from '../../lib/silver/silver-job';
import { startSimulator } from '../../lib/simulator';
import { dayStart } from '../../lib/storage/lake-paths';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';

/**
 * One simulated day (or `hours` of it) of one symbol through the real pipeline: simulator → collector over
 * WebSocket → Bronze → Silver → Gold, in a local lake. Returns what the AWS bill depends on: objects written
 * (PUTs), bytes per layer, and Silver/Gold compute time.
 */

export interface DayMeasurement {
  symbol: string;
  hours: number;
  tradesPerMinute: number;
  messages: number;
  collectorWallSeconds: number;
  files: Record<'bronze' | 'silver' | 'gold' | 'quarantine' | 'reports', number>;
  bytes: Record<'bronze' | 'silver' | 'gold' | 'quarantine' | 'reports', number>;
  bronzeFilesRead: number;
  silverSeconds: number;
  goldSeconds: number;
}

export const COST_DAY = '2024-03-01';

export async function measureDay(o: {
  lake: string;
  symbol: string;
  hours: number;
  tradesPerMinute: number;
  progress: (m: string) => void;
}): Promise<DayMeasurement> {
  const store = new LocalObjectStore(o.lake);
  const start = dayStart(COST_DAY);
  const end = start + o.hours * 3_600_000;
  const sim = await startSimulator({
    symbols: [o.symbol],
    start,
    end,
    speed: 'max',
    seed: 11,
    instruments: { [o.symbol]: { tradesPerMinute: o.tradesPerMinute } },
  });
  const profile = sourceProfile('sim');
  const collector = new Collector({
    exchange: profile.exchange,
    adapter: profile.adapter,
    connections: profile.connections(sim.wsBaseUrl, [o.symbol]),
    store,
    clock: new EventClock(sim.clock),
  });
  const began = performance.now();
  const ticker = setInterval(() => {
    const s = collector.snapshot();
    o.progress(
      `collect: ${((Math.max(0, s.lastEventMs - start) / (end - start)) * 100).toFixed(0)} % of ${o.hours} ` +
        `h, ${s.messages.toLocaleString('en-US')} messages`,
    );
  }, 2000);
  try {
    await collector.start();
    await sim.untilEnd();
    await collector.settled(500);
    await collector.stop();
  } finally {
    clearInterval(ticker);
    await sim.stop();
  }
  const collectorWallSeconds = (performance.now() - began) / 1000;

  o.progress('silver');
  let t = performance.now();
  await runSilver({ store, dt: COST_DAY });
  const silverSeconds = (performance.now() - t) / 1000;
  o.progress('gold');
  t = performance.now();
  await runGold({ store, dt: COST_DAY });
  const goldSeconds = (performance.now() - t) / 1000;

  const layers = ['bronze', 'silver', 'gold', 'quarantine', 'reports'] as const;
  const files = {} as DayMeasurement['files'];
  const bytes = {} as DayMeasurement['bytes'];
  for (const layer of layers) {
    const objects = await listAll(store, `${layer}/`);
    files[layer] = objects.length;
    bytes[layer] = objects.reduce((n, x) => n + x.size, 0);
  }
  const bronzeFilesRead = (await listAll(store, 'bronze/klines/timeframe=1m/')).length;
  return {
    symbol: o.symbol,
    hours: o.hours,
    tradesPerMinute: o.tradesPerMinute,
    messages: collector.snapshot().messages,
    collectorWallSeconds,
    files,
    bytes,
    bronzeFilesRead,
    silverSeconds,
    goldSeconds,
  };
}
