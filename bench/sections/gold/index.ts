import path from 'node:path';
import type { Cell, Measured, ReportTable, Section } from '../../lib/types';
import { failCell } from '../../lib/markdown';

/**
 * Gold (issue: "Gold for one day with warm-up, and a one-pass rebuild of one year of 1m data (525,600 rows): time
 * and memory, with TA-Lib C's time for the core indicators in the same run as the reference. Target: a year in
 * ≤ 10 s on one core").
 */

const TASKS = path.join(__dirname, 'tasks.ts');
export const TARGET_YEAR_SECONDS = 10;

export const section: Section = {
  name: 'gold',
  title: 'Gold features_1m: a one-pass year of 1m bars, the core indicators vs TA-Lib C, and one day from the lake',
  async run(ctx) {
    const days = ctx.quick ? 30 : 365;
    const runs = ctx.quick ? 1 : 3;
    const rows = days * 1440;
    const yearRun = await ctx.measure<{ rows: number; features: number; dataOk: number }>(
      `ours: all features, ${rows.toLocaleString('en-US')} rows`,
      { module: TASKS, fn: 'year', args: { days } },
      runs,
    );
    const oursCore = await ctx.measure('ours: core indicators only', { module: TASKS, fn: 'oursCore', args: { days } }, runs);
    const talib = await ctx.measure(
      'TA-Lib C (npm talib): core indicators',
      { module: TASKS, fn: 'talibCore', args: { days } },
      runs,
    );

    const root = path.join(ctx.workDir, 'lake');
    ctx.log('gold day: writing the lake (untimed)');
    const setup = await ctx.child({ module: TASKS, fn: 'lakeSetup', args: { root } });
    if (!setup.ok) throw new Error(`gold lake setup failed: ${setup.error}`);
    const day = await ctx.measure<{ rows: number; dataOk: number; invalid: number }>(
      'ours: runGold for one day',
      { module: TASKS, fn: 'goldDay', args: { root } },
      runs,
    );

    const row = (label: string, m: Measured, target: string | null): Record<string, Cell> =>
      m.ok
        ? { case: label, wall: m.seconds, cpu: m.cpuSeconds, rss: m.peakRssMB, over: m.peakRssMB - m.readyRssMB, target }
        : { case: label, wall: failCell(label, m), cpu: null, rss: null, over: null, target: null };
    const yearTarget = yearRun.ok
      ? `${yearRun.seconds <= TARGET_YEAR_SECONDS * (days / 365) ? '✓' : '✗ missed'} (${yearRun.seconds.toFixed(2)} s)`
      : null;
    const core: ReportTable = {
      title: `One pass over ${days} days of 1m bars (${rows.toLocaleString('en-US')} rows) on one core`,
      reference: { key: 'case', value: 'TA-Lib C (npm talib): core indicators' },
      columns: [
        { key: 'case', label: 'case' },
        { key: 'wall', label: 'wall s', ratio: true, digits: 3 },
        { key: 'cpu', label: 'CPU s', digits: 3 },
        { key: 'rss', label: 'peak RSS MB', digits: 0 },
        { key: 'over', label: 'RSS over input MB', digits: 0 },
        { key: 'target', label: `≤ ${TARGET_YEAR_SECONDS} s per year` },
      ],
      rows: [
        row(`ours: all ${yearRun.ok ? yearRun.result?.features : ''} features + labels`, yearRun, yearTarget),
        row('ours: core indicators only', oursCore, null),
        row('TA-Lib C (npm talib): core indicators', talib, null),
      ],
      notes: [
        'Core = the fixed core indicators of docs/features.md (RSI 14, MACD 12/26/9, Bollinger 20/2, ATR 14) on 1m, 5m and ' +
          '15m bars. TA-Lib runs through the npm `talib` binding (C, built by node-gyp), inputs converted to plain arrays ' +
          'before the timed block.',
        '"all features" = computeFeatureRange over the whole range at once: every bar feature on 1m/5m/15m (5m/15m bars ' +
          'derived inside the timed block), alignment, session VWAP, trend alignment, daily context from the 1m bars, labels ' +
          'and data_ok; no book or perpetual inputs (a year of 100 ms snapshots is not what this case measures).',
        `Medians of ${runs} fresh child process(es); the input bars are built before the timed block; peak RSS is the child's ` +
          `maxRSS including Node + tsx.`,
      ],
    };
    const dayTable: ReportTable = {
      title:
        'runGold for one day from a local lake: 13 days of Silver 1m (warm-up + next day for labels), 864,000 book_top10 ' +
        "snapshots, the perpetual's funding, open interest and liquidations; writes features_1m and 6 OHLCV tables",
      columns: [
        { key: 'case', label: 'case' },
        { key: 'wall', label: 'wall s', digits: 2 },
        { key: 'cpu', label: 'CPU s', digits: 2 },
        { key: 'rss', label: 'peak RSS MB', digits: 0 },
        { key: 'over', label: 'RSS over start MB', digits: 0 },
        { key: 'target', label: 'rows / data_ok / invalid' },
      ],
      rows: [
        row(
          'ours: runGold for one day',
          day,
          day.ok && day.result ? `${day.result.rows} / ${day.result.dataOk} / ${day.result.invalid}` : null,
        ),
      ],
    };
    return {
      tables: [core, dayTable],
      notes: [`Node ${process.version}.`],
      data: { year: yearRun as never, oursCore: oursCore as never, talib: talib as never, day: day as never },
    };
  },
};
