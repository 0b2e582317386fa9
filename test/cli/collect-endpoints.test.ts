import http from 'node:http';
import type net from 'node:net';
import { WebSocketServer } from 'ws';
import { readTables } from '../../lib/parquet/read';
import { dataset } from '../../lib/schema/registry';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { listAll } from '../../lib/storage/object-store';
import { lakehouse } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';

/**
 * `--endpoint` takes every request of the collector along, REST included: a run pointed at a local server must
 * never poll the real exchange. A stand-in Binance futures host on 127.0.0.1 accepts the WebSockets (and sends
 * nothing) and answers the open-interest poll.
 */

interface FakeExchange {
  ws: string;
  rest: string;
  /** Paths (with query) of the HTTP requests that were not WebSocket upgrades. */
  requests: string[];
  upgrades: number;
  close(): Promise<void>;
}

async function fakeExchange(): Promise<FakeExchange> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.startsWith('/fapi/v1/openInterest?symbol=BTCUSDT')) {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ openInterest: '10659.509', symbol: 'BTCUSDT', time: Date.now() }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  const wss = new WebSocketServer({ server });
  const fake: FakeExchange = { ws: '', rest: '', requests, upgrades: 0, close: () => Promise.resolve() };
  wss.on('connection', () => {
    fake.upgrades++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  Object.assign(fake, {
    ws: `ws://127.0.0.1:${port}`,
    rest: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return fake;
}

async function openInterestRows(lake: string): Promise<number> {
  const store = new LocalObjectStore(lake);
  const keys = (await listAll(store, 'bronze/open_interest/')).map((o) => o.key);
  return keys.length ? (await readTables(store, dataset('bronze', 'open_interest'), keys)).length : 0;
}

const FUTURES = ['collect', '--source', 'binance-futures', '--symbols', 'BTCUSDT', '--duration', '3'];
const collect = (lake: string, ...extra: string[]) => lakehouse([...FUTURES, '--lake', lake, ...extra], { timeoutMs: 60_000 });

describe('lakehouse collect --endpoint and --rest-endpoint', () => {
  it('polls open interest on the --endpoint host when no REST endpoint is given', async () => {
    const ex = await fakeExchange();
    try {
      const lake = tmpDir('collect-endpoint');
      const r = await collect(lake, '--endpoint', ex.ws);
      expect(r.code).toBe(0);
      expect(ex.upgrades).toBeGreaterThan(0);
      expect(ex.requests).toContain('/fapi/v1/openInterest?symbol=BTCUSDT');
      expect(await openInterestRows(lake)).toBeGreaterThan(0);
    } finally {
      await ex.close();
    }
  }, 70_000);

  it('polls the --rest-endpoint when one is given, and only there', async () => {
    const [wsHost, restHost] = [await fakeExchange(), await fakeExchange()];
    try {
      const lake = tmpDir('collect-rest-endpoint');
      const r = await collect(lake, '--endpoint', wsHost.ws, '--rest-endpoint', restHost.rest);
      expect(r.code).toBe(0);
      expect(wsHost.requests).toEqual([]);
      expect(restHost.requests).toContain('/fapi/v1/openInterest?symbol=BTCUSDT');
      expect(restHost.upgrades).toBe(0);
      expect(await openInterestRows(lake)).toBeGreaterThan(0);
    } finally {
      await wsHost.close();
      await restHost.close();
    }
  }, 70_000);

  it.each([
    [['--endpoint', 'https://127.0.0.1:1'], "argument 'https://127.0.0.1:1' is invalid. expected a ws:// or wss:// URL"],
    [['--rest-endpoint', 'ws://127.0.0.1:1'], "argument 'ws://127.0.0.1:1' is invalid. expected a http:// or https:// URL"],
    [['--lake', 's3://bucket/lake'], 'collect into an s3:// lake needs --spool DIR'],
  ])(
    'refuses %j with one line',
    async (extra, message) => {
      const r = await lakehouse([
        'collect',
        '--source',
        'binance',
        '--symbols',
        'BTCUSDT',
        '--lake',
        tmpDir('collect-refuse'),
        ...extra,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    },
    30_000,
  );
});
