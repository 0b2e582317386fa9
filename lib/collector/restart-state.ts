import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-file';
import type { Logger } from '../util/log';

/**
 * Where a collector keeps the last event time of each stream across restarts, so the next start ledgers the
 * time it was away (cause `restart`) from there to each stream's first new event. Losing the file loses
 * only those gap rows, never data: failures are logged, not thrown.
 */

export interface StreamResumePoint {
  stream: string;
  symbol: string;
  lastEvent: number;
}

interface StateFileContent {
  savedAt: number;
  streams: Record<string, { symbol: string; lastEvent: number }>;
}

export class RestartStateFile {
  constructor(
    private readonly file: string,
    private readonly log: Logger,
  ) {}

  /** What the previous run saved; nothing on a first start or when the file cannot be read. */
  async load(): Promise<StreamResumePoint[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return []; // first start
    }
    try {
      const state = JSON.parse(text) as StateFileContent;
      return Object.entries(state.streams).map(([stream, point]) => ({
        stream,
        symbol: point.symbol,
        lastEvent: point.lastEvent,
      }));
    } catch (err) {
      this.log.warn({ file: this.file, err: (err as Error).message }, 'collector state unreadable; restart gaps not ledgered');
      return [];
    }
  }

  async save(streams: Iterable<StreamResumePoint>, savedAt: number): Promise<void> {
    const content: StateFileContent = { savedAt, streams: {} };
    for (const point of streams) content.streams[point.stream] = { symbol: point.symbol, lastEvent: point.lastEvent };
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify(content));
    } catch (err) {
      this.log.warn({ file: this.file, err: (err as Error).message }, 'collector state not saved');
    }
  }
}
