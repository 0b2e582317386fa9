import http from 'node:http';
import net from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * Exchange endpoints that never deliver, one per connection state a collector can be stuck in: nothing
 * listening (connect fails, backing off), an HTTP server that is not a WebSocket (handshake refused), a server
 * that accepts TCP and never answers (connecting), a WebSocket that opens and stays silent (connected). All on
 * 127.0.0.1.
 */

export interface DeadFeed {
  url: string;
  /** Resolves once a client has reached the server (at once when nothing listens). */
  contact: Promise<void>;
  close(): Promise<void>;
}

export type DeadFeedKind = 'nothing listening' | 'not a WebSocket' | 'never answers' | 'silent WebSocket';

export const DEAD_FEEDS: readonly DeadFeedKind[] = ['nothing listening', 'not a WebSocket', 'never answers', 'silent WebSocket'];

export function startDeadFeed(kind: DeadFeedKind): Promise<DeadFeed> {
  switch (kind) {
    case 'nothing listening':
      return nothingListening();
    case 'not a WebSocket':
      return plainHttp();
    case 'never answers':
      return blackHole();
    case 'silent WebSocket':
      return silentWebSocket();
  }
}

const listening = (server: net.Server) =>
  new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
const closing = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A port nothing listens on: bound, then released. */
async function nothingListening(): Promise<DeadFeed> {
  const server = net.createServer();
  const port = await listening(server);
  await closing(server);
  return { url: `ws://127.0.0.1:${port}`, contact: Promise.resolve(), close: () => Promise.resolve() };
}

async function plainHttp(): Promise<DeadFeed> {
  let reached!: () => void;
  const contact = new Promise<void>((r) => {
    reached = r;
  });
  const server = http.createServer((_req, res) => {
    reached();
    res.end('not a websocket');
  });
  // The upgrade request of a WebSocket client arrives here, not at the request handler.
  server.on('upgrade', (_req, socket: net.Socket) => {
    reached();
    socket.on('error', () => undefined); // the client may hang up first
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\nnot a websocket');
  });
  const port = await listening(server);
  return {
    url: `ws://127.0.0.1:${port}`,
    contact,
    close: async () => {
      server.closeAllConnections();
      await closing(server);
    },
  };
}

async function blackHole(): Promise<DeadFeed> {
  let reached!: () => void;
  const contact = new Promise<void>((r) => {
    reached = r;
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    reached();
  });
  const port = await listening(server);
  return {
    url: `ws://127.0.0.1:${port}`,
    contact,
    close: async () => {
      for (const s of sockets) s.destroy();
      await closing(server);
    },
  };
}

async function silentWebSocket(): Promise<DeadFeed> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const contact = new Promise<void>((r) => wss.once('connection', () => r()));
  return {
    url: `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}`,
    contact,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
