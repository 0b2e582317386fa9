import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Readers for the recorded exchange captures in ../shared/testdata (see its README for the formats). */

import { TESTDATA } from '../helpers/testdata';

export { TESTDATA };

export interface CapturedMessage {
  receiveMs: number;
  raw: string;
  /** `ws` for stream frames, `rest` for REST bodies recorded inline. */
  origin: 'ws' | 'rest';
  line: number;
}

export interface Capture {
  messages: CapturedMessage[];
  /** Lines that are not incoming messages: connection headers, outgoing requests, blank lines. */
  skippedLines: number;
}

/** hftbacktest: gzip, `<receive ns> <json>` per line. */
export function readHftbacktest(file: string): Capture {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(TESTDATA, 'hftbacktest_ws', file))).toString('utf8');
  const messages: CapturedMessage[] = [];
  let skippedLines = 0;
  lines(text).forEach((line, i) => {
    const sp = line.indexOf(' ');
    if (sp <= 0) {
      skippedLines++;
      return;
    }
    const raw = line.slice(sp + 1);
    const origin = raw.startsWith('{"stream"') ? 'ws' : 'rest';
    messages.push({ receiveMs: Math.floor(Number(line.slice(0, sp)) / 1e6), raw, origin, line: i + 1 });
  });
  return { messages, skippedLines };
}

const WS_LINE = /^(\d+(?:\.\d+)?): (.*)$/;
const REST_LINE = /^(\S+) -> (\d+(?:\.\d+)?): (.*)$/;

/**
 * cryptofeed: first line `wss://… <-> t0`, then `<seconds>: <json>` for incoming frames, `url -> ts: body` for
 * REST responses and `url <- ts: {...}` for outgoing requests; reconnect headers and blank lines are skipped.
 */
export function readCryptofeed(file: string): Capture {
  const text = fs.readFileSync(path.join(TESTDATA, 'cryptofeed_ws', file), 'utf8');
  const messages: CapturedMessage[] = [];
  let skippedLines = 0;
  lines(text).forEach((line, i) => {
    const ws = WS_LINE.exec(line);
    const rest = ws ? null : REST_LINE.exec(line);
    if (ws) messages.push({ receiveMs: Math.floor(Number(ws[1]) * 1000), raw: ws[2], origin: 'ws', line: i + 1 });
    else if (rest) messages.push({ receiveMs: Math.floor(Number(rest[2]) * 1000), raw: rest[3], origin: 'rest', line: i + 1 });
    else skippedLines++;
  });
  return { messages, skippedLines };
}

/** The Binance doc examples: one pretty-printed JSON message per file, returned compacted. */
export function readDocExamples(dir = 'binance_docs/spot_ws_stream_examples'): { file: string; raw: string }[] {
  const full = path.join(TESTDATA, dir);
  return fs
    .readdirSync(full)
    .sort()
    .map((file) => ({ file, raw: JSON.stringify(JSON.parse(fs.readFileSync(path.join(full, file), 'utf8'))) }));
}

export function readTestdataJson(rel: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(TESTDATA, rel), 'utf8'));
}

const lines = (text: string): string[] => text.replace(/\n$/, '').split('\n');
