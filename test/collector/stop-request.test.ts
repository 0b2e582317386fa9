import { EventEmitter } from 'node:events';
import pino from 'pino';
import { StopRequests, type StopRequest } from '../../lib/collector/stop-request';

/** A stand-in for `process`: signals are emitted by the test, the parent id is set by it. */
class FakeProcess extends EventEmitter {
  ppid = 4242;
}

const silent = pino({ level: 'silent' });

function setup(o: { parentPollMs?: number } = {}) {
  const proc = new FakeProcess();
  const repeats: [StopRequest, StopRequest][] = [];
  const stop = new StopRequests({
    log: silent,
    proc,
    parentPollMs: o.parentPollMs ?? 0,
    onRepeat: (r, first) => repeats.push([r, first]),
  });
  return { proc, stop, repeats };
}

describe('stop requests', () => {
  it('resolves on the first signal and reports, without acting on, every later one', async () => {
    const { proc, stop, repeats } = setup();
    proc.emit('SIGINT');
    proc.emit('SIGINT');
    proc.emit('SIGTERM');
    await expect(stop.requested).resolves.toEqual({ reason: 'SIGINT', exitCode: 0 });
    expect(repeats.map(([r, first]) => [r.reason, first.reason])).toEqual([
      ['SIGINT', 'SIGINT'],
      ['SIGTERM', 'SIGINT'],
    ]);
    // Later signals still have a listener, so they can never fall through to the default action (kill).
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) expect(proc.listenerCount(s)).toBe(1);
    stop.close();
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP', 'uncaughtException', 'unhandledRejection'])
      expect(proc.listenerCount(s)).toBe(0);
  }, 5_000);

  it('takes a request of the caller (a duration) like a signal, and a signal after it is a repeat', async () => {
    const { proc, stop, repeats } = setup();
    stop.request({ reason: '--duration 2 s', exitCode: 0 });
    proc.emit('SIGTERM');
    await expect(stop.requested).resolves.toEqual({ reason: '--duration 2 s', exitCode: 0 });
    expect(stop.current?.reason).toBe('--duration 2 s');
    expect(repeats).toHaveLength(1);
    stop.close();
  }, 5_000);

  it('turns a crash into a stop request that ends non-zero', async () => {
    const { proc, stop } = setup();
    proc.emit('uncaughtException', new Error('bug'));
    await expect(stop.requested).resolves.toEqual({ reason: 'crash', exitCode: 1 });
    stop.close();
  }, 5_000);

  it('asks to stop when the parent process is gone (npx stopped, the shell died), once', async () => {
    const { proc, stop, repeats } = setup();
    stop.checkParent();
    expect(stop.current).toBeUndefined();
    proc.ppid = 1;
    stop.checkParent();
    await expect(stop.requested).resolves.toEqual({ reason: 'parent process exited', exitCode: 0 });
    // The first request ends the watch: no repeats from it while the flush runs.
    stop.checkParent();
    expect(repeats).toEqual([]);
    stop.close();
  }, 5_000);

  it('watches the parent on its own timer', async () => {
    const { proc, stop } = setup({ parentPollMs: 10 });
    proc.ppid = 1;
    await expect(stop.requested).resolves.toEqual({ reason: 'parent process exited', exitCode: 0 });
    stop.close();
  }, 5_000);

  it('does not watch a parent it never had (PID 1 in a container, or already adopted)', () => {
    const proc = new FakeProcess();
    proc.ppid = 0;
    const stop = new StopRequests({ log: silent, proc, parentPollMs: 0 });
    proc.ppid = 77;
    stop.checkParent();
    expect(stop.current).toBeUndefined();
    stop.close();
  }, 5_000);
});
