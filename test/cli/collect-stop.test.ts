import fs from 'node:fs';
import path from 'node:path';
import type { HeartbeatReport } from '../../lib/collector/heartbeat';
import { readTables } from '../../lib/parquet/read';
import { allDatasets } from '../../lib/schema/registry';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { alive, descendants, startLakehouse } from '../helpers/cli-process';
import { DEAD_FEEDS, startDeadFeed } from '../helpers/dead-feeds';
import { tmpDir } from '../helpers/sample-rows';

/**
 * `lakehouse collect` ends on --duration or the first signal whatever its connection is doing, finishes its
 * flush through a second signal, reaches the collector through `npx`, and never exits 0 with rows not written.
 * Every server here listens on 127.0.0.1; nothing reaches the internet.
 */

const health = (lake: string): HeartbeatReport =>
  JSON.parse(fs.readFileSync(path.join(lake, '_collector', 'health.json'), 'utf8'));

/** Rows of every Bronze dataset in a lake folder. */
async function bronzeRows(lake: string): Promise<number> {
  const store = new LocalObjectStore(lake);
  let n = 0;
  for (const spec of allDatasets('bronze')) {
    const keys = (await listAll(store, `bronze/${spec.name}/`)).map((o) => o.key);
    if (keys.length) n += (await readTables(store, spec, keys)).length;
  }
  return n;
}

const SUMMARY = /^collect: stopped .*$/m;
const BUFFERED = /collect sim: [\d,]+ messages, \d+ files, [1-9][\d,]* rows buffered/;

describe('lakehouse collect stops in every connection state', () => {
  it.each(DEAD_FEEDS)(
    '%s: ends at --duration and on the first SIGTERM, flushes, and says why',
    async (kind) => {
      const feed = await startDeadFeed(kind);
      const [lakeA, lakeB] = [tmpDir('collect-dur'), tmpDir('collect-term')];
      const args = (lake: string) => [
        'collect',
        '--source',
        'binance',
        '--symbols',
        'BTCUSDT',
        '--endpoint',
        feed.url,
        '--lake',
        lake,
      ];
      const timed = startLakehouse([...args(lakeA), '--duration', '2'], { guardMs: 40_000 });
      const signalled = startLakehouse(args(lakeB), { guardMs: 40_000 });
      try {
        // The collector has reached the server (or found nothing there) and says so in a progress line.
        await feed.contact;
        await signalled.line(/^collect binance: /m);
        signalled.child.kill('SIGTERM');
        for (const [run, why] of [
          [timed, 'at --duration 2 s'],
          [signalled, 'by SIGTERM'],
        ] as const) {
          const r = await run.closed;
          expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
          const how = kind === 'silent WebSocket' ? '\\(connected; nothing came\\)' : '\\(never connected';
          expect(r.stderr.match(SUMMARY)?.[0]).toMatch(new RegExp(`^collect: stopped ${why}: nothing received ${how}`));
          expect(JSON.parse(r.stdout).stop).toMatchObject({ complete: true, lostRows: 0 });
        }
        // The heartbeat file says the same: no event ever, nothing held back.
        for (const lake of [lakeA, lakeB]) {
          expect(health(lake).exchanges.binance).toMatchObject({ messages: 0, lastEventTime: null, bufferedRows: 0 });
        }
      } finally {
        timed.kill();
        signalled.kill();
        await feed.close();
      }
    },
    60_000,
  );
});

describe('lakehouse collect keeps what it received', () => {
  it('finishes the flush through a second Ctrl-C 10 ms after the first', async () => {
    const lake = tmpDir('collect-2int');
    const run = startLakehouse(['collect', '--source', 'sim', '--symbols', 'BTCUSDT', '--lake', lake], { guardMs: 60_000 });
    try {
      await run.line(BUFFERED);
      run.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 10));
      run.child.kill('SIGINT');
      const r = await run.closed;
      expect({ code: r.code, signal: r.signal }).toEqual({ code: 0, signal: null });
      expect(r.stderr).toMatch(/^collect: SIGINT again: still writing/m);
      const out = JSON.parse(r.stdout) as {
        bufferedRows: number;
        filesWritten: number;
        stop: { writtenRows: number; complete: boolean };
      };
      expect(out).toMatchObject({ bufferedRows: 0, stop: { complete: true } });
      const rows = out.stop.writtenRows.toLocaleString('en-US');
      expect(r.stderr.match(SUMMARY)?.[0]).toBe(
        `collect: stopped by SIGINT: ${rows} rows in ${out.filesWritten} files written to ${lake}`,
      );
      expect(await bronzeRows(lake)).toBe(out.stop.writtenRows);
    } finally {
      run.kill();
    }
  }, 90_000);

  it('spools to disk when the lake cannot be written, exits 5 saying so, and the next run uploads the spool', async () => {
    const dir = tmpDir('collect-unwritable');
    // Not a permission bit (the tests may run as root): the lake's parent is a file, so nothing can be created.
    fs.writeFileSync(path.join(dir, 'blocker'), '');
    const lake = path.join(dir, 'blocker', 'lake');
    const spool = path.join(dir, 'spool');
    const args = ['collect', '--source', 'sim', '--symbols', 'BTCUSDT', '--lake', lake, '--spool', spool];
    const first = await startLakehouse([...args, '--duration', '4'], { guardMs: 60_000 }).closed;
    expect(first.code).toBe(5);
    const stop1 = (JSON.parse(first.stdout) as { stop: { writtenRows: number; spooledRows: number; lostRows: number } }).stop;
    expect(stop1).toMatchObject({ complete: false, writtenRows: 0, lostRows: 0 });
    expect(stop1.spooledRows).toBeGreaterThan(0);
    const n = stop1.spooledRows.toLocaleString('en-US');
    const said =
      `^collect: stopped at --duration 4 s: 0 of ${n} rows written to ${lake}; ` +
      `${n} rows in \\d+ files wait in the spool ${spool} `;
    expect(first.stderr.match(SUMMARY)?.[0]).toMatch(new RegExp(said));

    fs.rmSync(path.join(dir, 'blocker'));
    const second = await startLakehouse([...args, '--duration', '1'], { guardMs: 60_000 }).closed;
    expect(second.code).toBe(0);
    const stop2 = (JSON.parse(second.stdout) as { stop: { writtenRows: number; spooledFiles: number } }).stop;
    expect(stop2.spooledFiles).toBe(0);
    expect(second.stderr.match(SUMMARY)?.[0]).toMatch(/; \d+ spooled files uploaded$/);
    // The first run's rows came out of the spool into the lake, next to the second run's own.
    expect(await bronzeRows(lake)).toBe(stop1.spooledRows + stop2.writtenRows);
    expect(fs.readdirSync(spool).filter((f) => f.endsWith('.bin'))).toEqual([]);
  }, 120_000);
});

describe('npx lakehouse collect', () => {
  it('stops, flushes and leaves no process behind when the npx process gets SIGTERM', async () => {
    const lake = tmpDir('collect-npx');
    const run = startLakehouse(['collect', '--source', 'sim', '--symbols', 'BTCUSDT', '--lake', lake], {
      via: 'npx',
      guardMs: 90_000,
    });
    try {
      await run.line(BUFFERED);
      // npx → sh → node: the collector is a grandchild the signal never reaches directly.
      const tree = descendants(run.child.pid!);
      expect(tree.length).toBeGreaterThan(0);
      run.child.kill('SIGTERM');
      // 'close' waits for every holder of the pipes: the collector itself, not only npx.
      const r = await run.closed;
      expect(r.stderr.match(SUMMARY)?.[0]).toMatch(
        /^collect: stopped because the parent process exited: [\d,]+ rows in \d+ files /,
      );
      expect(tree.filter(alive)).toEqual([]);
      const written = (JSON.parse(r.stdout) as { stop: { writtenRows: number } }).stop.writtenRows;
      expect(written).toBeGreaterThan(0);
      expect(await bronzeRows(lake)).toBe(written);
    } finally {
      run.kill();
    }
  }, 120_000);
});
