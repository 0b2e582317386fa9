import type { MarketEvent } from '../market/feed';

/**
 * An exchange "personality": everything protocol-specific about impersonating one exchange (URL layout, stream
 * names, subscribe messages, payload formatting, REST endpoints and error bodies). The market model knows
 * nothing of protocols and the transport knows nothing of exchanges; adding Binance futures or Kraken means
 * adding a personality.
 */

/** What one subscription asks the market for. */
export interface StreamDemand {
  symbol: string;
  channel: 'trades' | 'book' | 'kline';
  interval?: string;
}

export type SessionOpening = { ok: true; combined: boolean; streams: string[] } | { ok: false; status: number; message: string };

export interface SessionView {
  readonly combined: boolean;
  readonly streams: ReadonlySet<string>;
}

export interface ClientMessageResult {
  /** Text frame to send back (ack, listing or error). */
  reply?: string;
  /** Further frames sent after `reply`, in order (Kraken acknowledges each symbol of a request separately). */
  replies?: string[];
  subscribe?: string[];
  unsubscribe?: string[];
  /** New framing for the session (Binance SET_PROPERTY combined). */
  combined?: boolean;
}

export interface RestRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

export interface RestResponse {
  status: number;
  /** JSON text. */
  body: string;
  headers?: Record<string, string>;
}

export interface ExchangePersonality {
  /** A WebSocket upgrade to `url` (path and query): the session's framing and initial streams, or a refusal. */
  openSession(url: URL): SessionOpening;
  onClientMessage(text: string, session: SessionView): ClientMessageResult;
  /** What a stream name asks for; null when the name is invalid or the symbol is not simulated. */
  demandOf(stream: string): StreamDemand | null;
  /** Format `event` for each of its streams that `wanted` accepts. */
  render(event: MarketEvent, wanted: (stream: string) => boolean, out: (stream: string, payload: string) => void): void;
  /** Frame for a session that receives combined-stream envelopes. */
  envelope(stream: string, payload: string): string;
  handleRest(req: RestRequest, nowMs: number): RestResponse;
  /** Frame announcing that the server will close the connection soon (Binance `serverShutdown`), if the exchange has one. */
  shutdownNotice?(simTime: number): string;
}
