import { SOURCES, sourceExchange, sourceProfile } from '../../lib/exchanges/registry';
import { glueColumns, gluePartitionKeys } from '../../lib/schema/derive/glue-columns';
import { allDatasets, tableName } from '../../lib/schema/registry';
import { buildApp, defaultTemplate } from './build-stack';
import { Template } from 'aws-cdk-lib/assertions';

describe('catalog construct (Glue tables from the schema registry)', () => {
  const { template } = defaultTemplate();
  const tables = Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.TableInput);
  const byName = new Map(tables.map((t) => [t.Name as string, t]));

  it('creates one database and one table per dataset and layer', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'crypto_lakehouse' } });
    expect([...byName.keys()].sort()).toEqual(allDatasets().map(tableName).sort());
  });

  it.each(allDatasets().map((d) => [tableName(d), d] as const))(
    '%s: columns, partition keys and projection follow the registry',
    (name, d) => {
      const t = byName.get(name)!;
      expect(t.StorageDescriptor.Columns.map((c: { Name: string; Type: string }) => [c.Name, c.Type])).toEqual(
        glueColumns(d).map((c) => [c.name, c.type]),
      );
      expect(t.PartitionKeys.map((c: { Name: string; Type: string }) => [c.Name, c.Type])).toEqual(
        gluePartitionKeys(d).map((c) => [c.name, c.type]),
      );
      expect(t.PartitionKeys.map((c: { Name: string }) => c.Name)).toContain('dt');
      const p = t.Parameters;
      expect(p['projection.enabled']).toBe('true');
      expect(p['projection.dt.type']).toBe('date');
      expect(p['projection.dt.format']).toBe('yyyy-MM-dd');
      // Bronze holds only its retention (7 days by default), plus the day a file flushed after midnight belongs to.
      expect(p['projection.dt.range']).toBe(d.layer === 'bronze' ? 'NOW-8DAYS,NOW' : '2017-01-01,NOW');
      expect(p['projection.exchange.type']).toBe('enum');
      // The configured exchanges and symbols; the catalog job adds whatever else the lake holds.
      expect(p['projection.exchange.values']).toBe('binance');
      expect(p['projection.symbol.values']).toBe('BTCUSDT,ETHUSDT');
      if (d.partitionKeys.some((k) => k.name === 'hour')) {
        expect(p).toMatchObject({
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
        });
      }
      // Bronze starts with the intervals the collector writes; Silver derives every interval from 1m.
      if (d.timeframes)
        expect(p['projection.timeframe.values']).toBe(d.layer === 'bronze' ? '1m,5m,15m' : d.timeframes.join(','));
      const template = JSON.stringify(p['storage.location.template']);
      expect(template).toContain(`/${d.layer}/${d.name}/${d.partitionKeys.map((k) => `${k.name}=\${${k.name}}`).join('/')}`);
      expect(t.StorageDescriptor.InputFormat).toMatch(/Parquet/);
    },
  );

  it('projects extra symbols (history imports) too, spelled path-safe', () => {
    const t = Template.fromStack(buildApp({ extraSymbols: ['LINKUSDT', 'BTC/USD'] }).lake);
    const input = Object.values(t.findResources('AWS::Glue::Table'))[0].Properties.TableInput;
    expect(input.Parameters['projection.symbol.values']).toBe('BTC-USD,BTCUSDT,ETHUSDT,LINKUSDT');
  });

  it('projects the exchanges the configured sources write, and Bronze dt over the configured retention', () => {
    const sources = (['kraken', 'sim', 'binance-futures'] as const).map((source) => ({ source, symbols: ['BTCUSDT'] }));
    const { lake } = buildApp({ collectors: [{ name: 'all', region: '', enabled: true, sources }], bronzeRetentionDays: 3 });
    const t = Template.fromStack(lake);
    const inputs = Object.values(t.findResources('AWS::Glue::Table')).map((r) => r.Properties.TableInput);
    const params = new Map(inputs.map((i) => [i.Name, i.Parameters]));
    expect(params.get('silver_trades')['projection.exchange.values']).toBe('binance,binance-futures,kraken');
    expect(params.get('bronze_trades')['projection.dt.range']).toBe('NOW-4DAYS,NOW');
  });

  it.each(SOURCES)('files source %s under the exchange its collector writes', (source) => {
    expect(sourceExchange(source)).toBe(sourceProfile(source).exchange);
  });

  it('uses no crawler', () => {
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });
});
