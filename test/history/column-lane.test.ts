import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importLocalArchiveFile, type ArchiveFileTarget } from '../../lib/history/archive-file-import';
import type { ArchiveRowMapper } from '../../lib/history/archive-row-mapper';
import { tradesMapper } from '../../lib/history/archive-rows/trades';
import { archiveFileOfName } from '../../lib/history/import-archive-dataset';
import { LocalObjectStore } from '../../lib/storage/local-store';

/**
 * The importer's fast path (lib/history/column-lane.ts) writes what the row-by-row path writes: the same Bronze
 * objects byte for byte, the same counts and rejects, for a monthly file whose plain lines are interrupted by lines
 * only the row-by-row path reads (spaces, garbage, CRLF), that crosses days and row groups and goes back in time once.
 */

const NAME = 'BTCUSDT-trades-2025-03.csv';
const MONTH_US = Date.parse('2025-03-01T00:00:00Z') * 1000;
const DAY_US = 86_400_000_000;
const INGEST = Date.parse('2026-01-01T00:00:00Z');

function lines(): string[] {
  const out: string[] = [];
  // 120,000 trades on the 1st (over a row group), 30,000 on the 2nd, 60,000 on the 3rd.
  const days = [120_000, 30_000, 60_000];
  let id = 1_000_000;
  days.forEach((count, day) => {
    for (let index = 0; index < count; index++) {
      const time = MONTH_US + day * DAY_US + index * 500_000;
      const price = (85_000 + (index % 37) / 100).toFixed(8);
      let line = `${id++},${price},0.00100000,${(Number(price) / 1000).toFixed(8)},${time},${index % 3 ? 'True' : 'False'},True`;
      if (index % 5003 === 17) line = line.replace(',', ', '); // read, but not by the fast path
      if (index % 7001 === 5) line = `${id},not-a-price,1,1,${time},True,True`; // rejected
      if (index % 9001 === 9) line += '\r';
      out.push(line);
    }
  });
  // One trade back in time on the 3rd: that day is then sorted as a whole.
  out.splice(out.length - 100, 0, `${id++},85000.00000000,0.00100000,85.00000000,${MONTH_US + 2 * DAY_US + 10},False,True`);
  return out;
}

/** Lines the fast path's parser read (every line it takes passes through read()). */
let readInPlace = 0;
const countingTrades: ArchiveRowMapper = {
  ...tradesMapper,
  lineParser(context, accepted) {
    const parser = tradesMapper.lineParser!(context, accepted);
    return {
      ...parser,
      read(text, from, to) {
        const ok = parser.read(text, from, to);
        if (ok) readInPlace++;
        return ok;
      },
    };
  },
};

async function importWith(file: string, fast: boolean) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'column-lane-'));
  const target: ArchiveFileTarget = {
    store: new LocalObjectStore(root),
    exchange: 'binance',
    file: archiveFileOfName(NAME, 'trades', 'spot'),
    mappers: [fast ? countingTrades : { ...tradesMapper, lineParser: undefined }],
    now: () => INGEST,
  };
  const outcome = await importLocalArchiveFile(target, file, '0'.repeat(64));
  const objects = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!full.includes(`${path.sep}import_ledger${path.sep}`))
        objects.set(path.relative(root, full), fs.readFileSync(full));
    }
  };
  walk(root);
  fs.rmSync(root, { recursive: true, force: true });
  return { outcome, objects };
}

describe('the per-file importer fast path', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'column-lane-src-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the same Bronze objects and counts as the row-by-row path', async () => {
    const file = path.join(dir, NAME);
    fs.writeFileSync(file, `${lines().join('\n')}\n`);
    const fast = await importWith(file, true);
    expect(readInPlace).toBeGreaterThan(209_000);
    const slow = await importWith(file, false);
    expect(fast.outcome.status).toBe('imported');
    expect({ ...fast.outcome, bytes: 0 }).toEqual({ ...slow.outcome, bytes: 0 });
    expect(fast.outcome.rows).toBe(210_001 - fast.outcome.rejected);
    expect(fast.outcome.rejected).toBe(18 + 5 + 9);
    expect([...fast.objects.keys()].sort()).toEqual([...slow.objects.keys()].sort());
    // Three days of trades and one quarantine object.
    expect([...fast.objects.keys()].filter((key) => key.startsWith('bronze/trades/'))).toHaveLength(3);
    for (const [key, bytes] of slow.objects) expect([key, Buffer.compare(fast.objects.get(key)!, bytes)]).toEqual([key, 0]);
  });
});
