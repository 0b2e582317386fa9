import WebSocket, { type ClientOptions } from 'ws';
import { messageText } from '../../lib/util/ws-text';

/** Small WebSocket/HTTP client helpers for talking to the simulator on 127.0.0.1. */

/** Upper bound on any wait, so a broken server fails a test instead of hanging the run. */
const WAIT_MS = 60_000;

export interface Client {
  ws: WebSocket;
  /** Every text frame received, in order. */
  frames: string[];
  send(msg: unknown): void;
  /** Resolves with the next frame that satisfies `match`, among frames not yet returned by this call. */
  next(match?: (frame: string) => boolean): Promise<string>;
  close(): Promise<void>;
}

export async function connect(url: string, opts: ClientOptions = {}): Promise<Client> {
  const ws = new WebSocket(url, opts);
  const frames: string[] = [];
  let seen = 0;
  let wake: (() => void) | null = null;
  ws.on('message', (data) => {
    frames.push(messageText(data));
    wake?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    send: (msg) => ws.send(JSON.stringify(msg)),
    async next(match = () => true) {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        while (seen < frames.length) {
          const f = frames[seen++];
          if (match(f)) return f;
        }
        if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

export async function waitUntil(cond: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export function withTimeout<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
