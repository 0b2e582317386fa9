import { lakehouse } from '../helpers/cli';
import { tmpDir } from '../helpers/sample-rows';

/** `lakehouse collect --source sim --faults`: a storm of faults, then the audit of every trade id. */
describe('lakehouse collect with simulated faults', () => {
  it('loses no trade id through a storm of faults and says so', async () => {
    const lake = tmpDir('collect-faults');
    // About ten faults of every kind in one simulated hour.
    const r = await lakehouse(
      ['collect', '--source', 'sim', '--symbols', 'BTCUSDT', '--sim-hours', '1', '--faults', '2', '--lake', lake],
      { timeoutMs: 180_000 },
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      faults: Record<string, number>;
      control: Record<string, number>;
      audit: { symbol: string; expected: number; missing: number; unexplained: number }[];
    };
    for (const kind of ['drops', 'shutdowns', 'stalledFrames', 'duplicatedFrames', 'reorderedFrames', 'malformedFrames'])
      expect(out.faults[kind]).toBeGreaterThan(0);
    expect(out.control.serverShutdown).toBeGreaterThan(0);
    expect(out.audit).toHaveLength(1);
    expect(out.audit[0]).toMatchObject({ symbol: 'BTCUSDT', missing: 0, unexplained: 0 });
    expect(out.audit[0].expected).toBeGreaterThan(1000);
  }, 200_000);

  it('refuses --faults without the simulator', async () => {
    const r = await lakehouse([
      'collect',
      '--source',
      'binance',
      '--symbols',
      'BTCUSDT',
      '--faults',
      '--lake',
      tmpDir('collect-faults'),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--faults need --source sim');
    expect(r.stderr).not.toContain('    at ');
  });
});
