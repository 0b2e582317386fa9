import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { ExchangePersonality, RestRequest } from '../personality/personality';
import type { SimClock } from './clock';
import type { FaultHooks } from './faults';
import type { StreamHub } from './stream-hub';

/** One HTTP server on 127.0.0.1 for both REST requests and WebSocket upgrades, routed by the personality. */

export interface Transport {
  port: number;
  close(): Promise<void>;
}

export async function listen(
  port: number,
  personality: ExchangePersonality,
  hub: StreamHub,
  clock: SimClock,
  faults: FaultHooks,
): Promise<Transport> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RestRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams };
    const now = clock.now();
    const response = faults.restRequest?.(request, now) ?? personality.handleRest(request, now);
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const opening = personality.openSession(new URL(req.url ?? '/', 'http://127.0.0.1'));
    if (!opening.ok) {
      socket.end(
        `HTTP/1.1 ${opening.status} ${http.STATUS_CODES[opening.status] ?? ''}\r\nConnection: close\r\nContent-Type: ` +
          `text/plain\r\n\r\n${opening.message}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.open(ws, socket, opening.combined, opening.streams));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      hub.closeAll();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
