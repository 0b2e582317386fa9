import { checksumToken, krakenBookChecksum } from '../../lib/exchanges/kraken/book-checksum';
import { KrakenBook, type BookSide } from '../../lib/exchanges/kraken/book-state';
import { readCryptofeed } from './capture-reader';

/**
 * Kraken's v1 book feed uses the same CRC32 as v2 over the same decimal text (v1 sends it as strings), so a book
 * maintained from the recorded v1 snapshots and updates must reproduce every checksum Kraken sent: that
 * validates the algorithm, the level ordering and the truncation rules the v2 adapter relies on.
 */

type V1Level = [string, string, string, string?];

const DEPTH = /^book-(\d+)$/;

function applyLevels(book: KrakenBook, side: BookSide, levels: unknown): void {
  if (!Array.isArray(levels)) return;
  for (const [price, qty] of levels as V1Level[]) book.set(side, { price, qty, px: +price, sz: +qty });
}

describe('checksumToken', () => {
  it('drops the decimal point and leading zeros, keeps trailing zeros', () => {
    expect(checksumToken('45285.2')).toBe('452852');
    expect(checksumToken('0.00100000')).toBe('100000');
    expect(checksumToken('0.05000')).toBe('5000');
    expect(checksumToken('100')).toBe('100');
    expect(checksumToken('1.5e-7')).toBe('15');
    expect(checksumToken('1.25e3')).toBe('1250');
  });

  it('is CRC32 of the concatenated asks then bids, unsigned', () => {
    // Tokens "1234" + "56789" + "" concatenate to "123456789", whose CRC32 is the standard check value 0xCBF43926.
    expect(krakenBookChecksum([{ price: '1234', qty: '0.0056789' }], [])).toBe(0xcbf43926);
    expect(krakenBookChecksum([{ price: '12.34', qty: '5' }], [{ price: '6.7', qty: '0089' }])).toBe(0xcbf43926);
    // Only the top ten levels of each side count.
    const side = Array.from({ length: 12 }, (_, i) => ({ price: `${100 + i}.5`, qty: '1.0' }));
    expect(krakenBookChecksum(side, side)).toBe(krakenBookChecksum(side.slice(0, 10), side.slice(0, 10)));
  });
});

describe('Kraken v1 book captures (cryptofeed KRAKEN.ws.48.0/49.0/50.0)', () => {
  const files = ['KRAKEN.ws.48.0', 'KRAKEN.ws.49.0', 'KRAKEN.ws.50.0'];
  let verified = 0;
  let mismatched: string[] = [];
  let snapshots = 0;

  beforeAll(() => {
    mismatched = [];
    for (const file of files) {
      const books = new Map<string, KrakenBook>();
      for (const m of readCryptofeed(file).messages) {
        const msg: unknown = JSON.parse(m.raw);
        if (!Array.isArray(msg) || msg.length < 4) continue;
        const channel = msg[msg.length - 2];
        const pair = msg[msg.length - 1] as string;
        const depth = typeof channel === 'string' ? DEPTH.exec(channel) : null;
        if (!depth) continue;
        const parts = msg.slice(1, -2) as Record<string, unknown>[];
        if ('as' in parts[0] || 'bs' in parts[0]) {
          const book = new KrakenBook(Number(depth[1]));
          applyLevels(book, 'ask', parts[0].as);
          applyLevels(book, 'bid', parts[0].bs);
          books.set(pair, book);
          snapshots++;
          continue;
        }
        const book = books.get(pair);
        if (!book) throw new Error(`${file}:${m.line}: update before snapshot for ${pair}`);
        let checksum: string | undefined;
        for (const p of parts) {
          applyLevels(book, 'ask', p.a);
          applyLevels(book, 'bid', p.b);
          if (typeof p.c === 'string') checksum = p.c;
        }
        book.truncate();
        if (checksum === undefined) continue;
        if (book.checksum() === Number(checksum)) verified++;
        else mismatched.push(`${file}:${m.line} ${pair}`);
      }
    }
  });

  it('reproduces every checksum Kraken sent', () => {
    expect(snapshots).toBe(10);
    expect(mismatched).toEqual([]);
    expect(verified).toBeGreaterThanOrEqual(4268);
    expect(verified).toBeLessThanOrEqual(4269);
  });
});
