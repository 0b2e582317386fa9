import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { CollectorService } from '../../lib/collector/service';
import { WsConnection } from '../../lib/collector/ws-connection';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { DEAD_FEEDS, startDeadFeed, type DeadFeedKind } from '../helpers/dead-feeds';
import { tmpDir } from '../helpers/sample-rows';

/** A logger whose lines the test can wait for, by message. */
function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve(line: Record<string, unknown>): void }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = JSON.parse(chunk.toString()) as Record<string, unknown>;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].msg === line.msg) waiters.splice(i, 1)[0].resolve(line);
      done();
    },
  });
  const log = pino({ level: 'info' }, stream);
  const next = (msg: string) => new Promise<Record<string, unknown>>((resolve) => waiters.push({ msg, resolve }));
  return { log, lines, next };
}

describe('collector connection states', () => {
  /** The log line that shows the connection in the state to stop in (the black hole says nothing: it is connecting). */
  const reached: Record<DeadFeedKind, string | undefined> = {
    'nothing listening': 'websocket reconnecting',
    'not a WebSocket': 'websocket reconnecting',
    'never answers': undefined,
    'silent WebSocket': 'websocket open',
  };

  it.each(DEAD_FEEDS)(
    '%s: stop() flushes and returns, and a pending start() resolves with it',
    async (kind) => {
      const feed = await startDeadFeed(kind);
      const { log, next } = capturingLog();
      const sources = [{ source: 'binance' as const, symbols: ['BTCUSDT'], endpoint: feed.url }];
      // The spool (and the state files beside it) in a folder of this test's own.
      const spoolDir = path.join(tmpDir('states-spool'), 'spool');
      const service = new CollectorService({ sources, spoolDir }, new LocalObjectStore(tmpDir('states')), log);
      try {
        let started = false;
        const state = reached[kind] ? next(reached[kind]) : feed.contact;
        const starting = service.start().then(() => {
          started = true;
        });
        await state;
        const result = await service.stop();
        await starting;
        expect(result).toEqual({
          complete: true,
          unwrittenRows: 0,
          spooledFiles: 0,
          timedOut: false,
          writtenRows: 0,
          spooledRows: 0,
          lostRows: 0,
        });
        expect(started).toBe(true);
        expect(service.snapshot()[0].connections).toMatchObject({ open: 0, total: 1, everOpened: kind === 'silent WebSocket' });
      } finally {
        await feed.close();
      }
    },
    15_000,
  );

  it('gives up a handshake nobody answers and tries again, with the reason', async () => {
    const feed = await startDeadFeed('never answers');
    const { log, next } = capturingLog();
    const conn = new WsConnection({
      url: feed.url,
      onMessage: () => undefined,
      log,
      handshakeTimeoutMs: 100,
      backoff: { initialMs: 10, maxMs: 10, factor: 1 },
    });
    try {
      void conn.start();
      const retry = await next('websocket reconnecting');
      expect(retry).toMatchObject({ cause: 'connect failed' });
      expect(conn.lastError).toMatch(/handshake has timed out/);
      expect(conn.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await conn.stop();
      await feed.close();
    }
  }, 10_000);

  it('does not connect once stopped, and its start() resolves at once', async () => {
    const feed = await startDeadFeed('silent WebSocket');
    const service = new CollectorService(
      { sources: [{ source: 'binance', symbols: ['BTCUSDT'], endpoint: feed.url }] },
      new LocalObjectStore(tmpDir('states-late')),
      pino({ level: 'silent' }),
    );
    try {
      await service.stop();
      await service.start();
      expect(service.snapshot()[0].connections).toEqual({ open: 0, total: 1, everOpened: false });
    } finally {
      await feed.close();
    }
  }, 10_000);
});
