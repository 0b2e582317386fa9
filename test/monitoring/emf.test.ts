import { Dimension, Metric, METRICS_NAMESPACE } from '../../lib/monitoring/metrics';
import { emfDocument, emitMetrics, type MetricValue } from '../../lib/monitoring/emf';

const ROWS: MetricValue = { name: Metric.GoldRows, value: 5, unit: 'Count' };
const INVALID: MetricValue = { name: Metric.GoldInvalidFeatures, value: Number.NaN, unit: 'Count' };

describe('emfDocument', () => {
  it('has the directive, the dimensions, the properties and the metric values (non-finite as 0)', () => {
    const doc = emfDocument([ROWS, INVALID], {
      dimensions: { [Dimension.Exchange]: 'binance' },
      dimensionSets: [[], [Dimension.Exchange]],
      properties: { job: 'gold', dt: '2024-05-06' },
      timestamp: 1_000,
    });
    expect(doc).toEqual({
      job: 'gold',
      dt: '2024-05-06',
      Exchange: 'binance',
      GoldRows: 5,
      GoldInvalidFeatures: 0,
      _aws: {
        Timestamp: 1_000,
        // GoldRows is not a published metric: a field of the line only.
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [[], ['Exchange']],
            Metrics: [{ Name: 'GoldInvalidFeatures', Unit: 'Count' }],
          },
        ],
      },
    });
  });

  it('defaults to no dimensions, published without dimensions, no properties, stamped now', () => {
    const before = Date.now();
    const doc = emfDocument([INVALID]) as { _aws: { Timestamp: number; CloudWatchMetrics: { Dimensions: string[][] }[] } };
    expect(Object.keys(doc).sort()).toEqual(['GoldInvalidFeatures', '_aws']);
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([[]]);
    expect(doc._aws.Timestamp).toBeGreaterThanOrEqual(before);
  });

  it('refuses a property named like a metric, a dimension or the EMF directive', () => {
    expect(() => emfDocument([ROWS], { properties: { GoldRows: 1 } })).toThrow(
      "EMF key collision: property 'GoldRows' is also metric 'GoldRows'",
    );
    expect(() => emfDocument([ROWS], { properties: { _aws: {} } })).toThrow(
      "EMF key collision: property '_aws' is also the EMF directive",
    );
    expect(() => emfDocument([ROWS], { dimensions: { Exchange: 'binance' }, properties: { Exchange: 'x' } })).toThrow(
      "EMF key collision: property 'Exchange' is also dimension 'Exchange'",
    );
  });

  it('refuses a dimension named like a metric or the EMF directive, and a metric given twice', () => {
    expect(() => emfDocument([ROWS], { dimensions: { GoldRows: 'x' } })).toThrow(
      "EMF key collision: dimension 'GoldRows' is also metric 'GoldRows'",
    );
    expect(() => emfDocument([ROWS], { dimensions: { _aws: 'x' } })).toThrow(
      "EMF key collision: dimension '_aws' is also the EMF directive",
    );
    expect(() => emfDocument([ROWS, ROWS])).toThrow("EMF key collision: metric 'GoldRows' is also metric 'GoldRows'");
  });

  it('refuses a dimension set naming a dimension without a value', () => {
    expect(() => emfDocument([ROWS], { dimensionSets: [[Dimension.Symbol]] })).toThrow(
      "EMF dimension set [Symbol] names 'Symbol', which has no value among the dimensions",
    );
  });
});

describe('emitMetrics', () => {
  it('writes one line to the sink, and nothing without metrics', () => {
    const lines: string[] = [];
    emitMetrics([ROWS], { properties: { job: 'gold' }, sink: (line) => lines.push(line) });
    emitMetrics([], { sink: (line) => lines.push(line) });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ job: 'gold', GoldRows: 5, _aws: { CloudWatchMetrics: [{ Dimensions: [[]] }] } });
  });

  it('throws on a collision instead of writing', () => {
    const lines: string[] = [];
    expect(() => emitMetrics([ROWS], { properties: { GoldRows: 0 }, sink: (line) => lines.push(line) })).toThrow(
      /EMF key collision/,
    );
    expect(lines).toEqual([]);
  });
});
