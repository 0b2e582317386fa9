import {
  backoffDelay,
  nextPassDelay,
  passGoesOn,
  passOrder,
  putTimeout,
  shutdownPause,
  uploadAttempts,
} from '../../lib/collector/drain-policy';

const RETRY = { attempts: 3, initialMs: 200, maxMs: 1000 };
const DRAIN = { initialMs: 1000, maxMs: 30_000 };
const TOP = () => 0.999999;
const BOTTOM = () => 0;

const entry = (name: string, lastTry: number) => ({ name, lastTry });
const names = (entries: readonly { name: string }[]) => entries.map((e) => e.name);

describe('drain policy', () => {
  it('retries an upload in line unless the store is known to be failing', () => {
    expect(uploadAttempts(false, RETRY)).toBe(3);
    expect(uploadAttempts(true, RETRY)).toBe(1);
  }, 5_000);

  it('probes the object tried least recently first, then the others oldest first', () => {
    expect(passOrder([])).toEqual([]);
    // Never tried: the oldest is the probe.
    expect(names(passOrder([entry('a', -1), entry('b', -1), entry('c', -1)]))).toEqual(['a', 'b', 'c']);
    // An outage: each failing pass probed one object, so the next pass probes the next one.
    expect(names(passOrder([entry('a', 0), entry('b', -1), entry('c', -1)]))).toEqual(['b', 'a', 'c']);
    expect(names(passOrder([entry('a', 0), entry('b', 1), entry('c', -1)]))).toEqual(['c', 'a', 'b']);
    expect(names(passOrder([entry('a', 3), entry('b', 1), entry('c', 2)]))).toEqual(['b', 'a', 'c']);
    // A bad key tried last goes behind the others.
    expect(names(passOrder([entry('bad', 5), entry('g1', 4)]))).toEqual(['g1', 'bad']);
  }, 5_000);

  it('ends a pass at the first failure before any success, or at its deadline', () => {
    expect(passGoesOn({ ok: 0, failed: 0 }, 100, Infinity)).toBe(true);
    expect(passGoesOn({ ok: 0, failed: 1 }, 100, Infinity)).toBe(false);
    // Once something went through the store is up: one bad key does not stop the pass.
    expect(passGoesOn({ ok: 1, failed: 3 }, 100, Infinity)).toBe(true);
    expect(passGoesOn({ ok: 2, failed: 0 }, 999, 1000)).toBe(true);
    expect(passGoesOn({ ok: 2, failed: 0 }, 1000, 1000)).toBe(false);
  }, 5_000);

  it('gives a put its own limit, or what is left of the deadline, never less than 1 ms', () => {
    expect(putTimeout(0, Infinity, 30_000)).toBe(30_000);
    expect(putTimeout(1000, 6000, 30_000)).toBe(5000);
    expect(putTimeout(7000, 6000, 30_000)).toBe(1);
  }, 5_000);

  it('spaces failing passes by capped exponential backoff, from the first delay again after a clean pass', () => {
    expect([0, 1, 2, 3, 6, 20].map((failed) => nextPassDelay(failed, DRAIN, TOP))).toEqual([
      1000, 1000, 2000, 4000, 30_000, 30_000,
    ]);
    expect(nextPassDelay(0, DRAIN, BOTTOM)).toBe(500);
  }, 5_000);

  it('pauses between shutdown rounds within the time left, and not at all once it is gone', () => {
    expect(shutdownPause(0, 10_000, RETRY, TOP)).toBe(200);
    expect(shutdownPause(5, 10_000, RETRY, TOP)).toBe(1000);
    expect(shutdownPause(5, 300, RETRY, TOP)).toBe(300);
    expect(shutdownPause(0, 0, RETRY, TOP)).toBeUndefined();
    expect(shutdownPause(0, -5, RETRY, TOP)).toBeUndefined();
  }, 5_000);

  it('backs off with equal jitter in [d/2, d]', () => {
    expect(backoffDelay(0, DRAIN, BOTTOM)).toBe(500);
    expect(backoffDelay(100, DRAIN, TOP)).toBe(30_000);
  }, 5_000);
});
