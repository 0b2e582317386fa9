import { configFromEnv, endpointVariable, openLake } from '../../collector-fargate/config';
import { DEFAULT_HEARTBEAT_FILE, DEFAULT_SPOOL_DIR } from '../../collector-fargate/defaults';
import { LocalObjectStore } from '../../lib/storage/local-store';
import { S3ObjectStore } from '../../lib/storage/s3-store';
import { UserError } from '../../lib/util/errors';
import { tmpDir } from '../helpers/sample-rows';

const BASE = { LAKE_URL: 's3://my-lake/data/', SOURCES: '[{"source":"binance","symbols":["btcusdt"," ETHUSDT ","BTCUSDT"]}]' };

describe('container configuration from the environment', () => {
  it('reads the required variables and applies defaults', () => {
    expect(configFromEnv(BASE)).toEqual({
      lakeUrl: 's3://my-lake/data/',
      lakeRegion: undefined,
      s3Endpoint: undefined,
      service: {
        sources: [{ source: 'binance', symbols: ['BTCUSDT', 'ETHUSDT'] }],
        flushIntervalMs: undefined,
        stopDeadlineMs: undefined,
        spoolDir: DEFAULT_SPOOL_DIR,
      },
      heartbeatFile: DEFAULT_HEARTBEAT_FILE,
      heartbeatIntervalMs: 15_000,
    });
  });

  it('reads the optional variables', () => {
    const c = configFromEnv({
      ...BASE,
      SOURCES:
        '[{"source":"binance","symbols":["BTCUSDT"]},' +
        '{"source":"binanceus","symbols":["BTCUSD"],"endpoint":"wss://proxy.example/us","restEndpoint":"https://proxy.example"}]',
      ENDPOINT_BINANCE: 'ws://127.0.0.1:9000',
      ENDPOINT_BINANCE_FUTURES: 'wss://ignored.example',
      S3_ENDPOINT: 'http://127.0.0.1:4568',
      LAKE_REGION: 'eu-west-1',
      FLUSH_INTERVAL_SECONDS: '60',
      STOP_DEADLINE_SECONDS: '90',
      SPOOL_DIR: '/data/spool',
      HEARTBEAT_FILE: '/var/run/hb.json',
      HEARTBEAT_INTERVAL_SECONDS: '60',
      HEARTBEAT_MAX_AGE_SECONDS: '300',
    });
    expect(c).toEqual({
      lakeUrl: 's3://my-lake/data/',
      lakeRegion: 'eu-west-1',
      s3Endpoint: 'http://127.0.0.1:4568',
      service: {
        sources: [
          { source: 'binance', symbols: ['BTCUSDT'], endpoint: 'ws://127.0.0.1:9000' },
          { source: 'binanceus', symbols: ['BTCUSD'], endpoint: 'wss://proxy.example/us', restEndpoint: 'https://proxy.example' },
        ],
        flushIntervalMs: 60_000,
        stopDeadlineMs: 90_000,
        spoolDir: '/data/spool',
      },
      heartbeatFile: '/var/run/hb.json',
      heartbeatIntervalMs: 60_000,
    });
  });

  it('names endpoint variables after the source', () => {
    expect(['binance', 'binanceus', 'binance-futures', 'kraken', 'sim'].map((s) => endpointVariable(s as never))).toEqual([
      'ENDPOINT_BINANCE',
      'ENDPOINT_BINANCEUS',
      'ENDPOINT_BINANCE_FUTURES',
      'ENDPOINT_KRAKEN',
      'ENDPOINT_SIM',
    ]);
  });

  it.each([
    [{ LAKE_URL: '' }, 'LAKE_URL is not set'],
    [{ LAKE_URL: 's3://' }, "LAKE_URL 's3://' names no bucket"],
    [{ LAKE_REGION: 'Ireland' }, "LAKE_REGION 'Ireland' is not an AWS region name"],
    [{ SOURCES: '' }, 'SOURCES is not set'],
    [{ SOURCES: '{"source":"binance"}' }, 'SOURCES must be a non-empty JSON array'],
    [{ SOURCES: '[]' }, 'SOURCES must be a non-empty JSON array'],
    [{ SOURCES: '["binance"]' }, 'SOURCES[0] must be an object'],
    [{ SOURCES: '[{"source":"binance","symbols":"BTCUSDT"}]' }, 'SOURCES[0].symbols must be a non-empty array'],
    [{ SOURCES: '[{"source":"binance","symbols":["BTCUSDT",""]}]' }, 'SOURCES[0].symbols must be a non-empty array'],
    [
      { SOURCES: '[{"source":"binance","symbols":["BTCUSDT"],"endpoint":"https://x"}]' },
      "SOURCES[0].endpoint 'https://x' must start with ws:// or wss://",
    ],
    [
      { SOURCES: '[{"source":"binance","symbols":["BTCUSDT"],"restEndpoint":"wss://x"}]' },
      "restEndpoint 'wss://x' must start with http",
    ],
    [{ ENDPOINT_BINANCE: 'not a url' }, "ENDPOINT_BINANCE 'not a url' is not a URL"],
    [{ ENDPOINT_BINANCE_US: 'ws://x' }, 'ENDPOINT_BINANCE_US names no source'],
    [
      { SOURCES: '[{"source":"binance","symbols":["BTCUSDT"],"endpoint":"ws://a"}]', ENDPOINT_BINANCE: 'ws://b' },
      "source 'binance' has an endpoint in SOURCES and in ENDPOINT_BINANCE",
    ],
    [{ FLUSH_INTERVAL_SECONDS: '0' }, 'FLUSH_INTERVAL_SECONDS=0 is not a whole number from 1 to 3600'],
    [{ FLUSH_INTERVAL_SECONDS: '2.5' }, 'FLUSH_INTERVAL_SECONDS=2.5 is not a whole number'],
    [{ STOP_DEADLINE_SECONDS: '120' }, 'STOP_DEADLINE_SECONDS=120 is not a whole number from 1 to 110'],
    [{ HEARTBEAT_INTERVAL_SECONDS: 'often' }, 'HEARTBEAT_INTERVAL_SECONDS=often'],
    [{ HEARTBEAT_INTERVAL_SECONDS: '60' }, 'HEARTBEAT_INTERVAL_SECONDS=60 must be at most half of HEARTBEAT_MAX_AGE_SECONDS=90'],
    [{ HEARTBEAT_MAX_AGE_SECONDS: 'x' }, 'HEARTBEAT_INTERVAL_SECONDS=15 must be at most half of HEARTBEAT_MAX_AGE_SECONDS=NaN'],
    [{ LAKE_URL: '/data/lake', S3_ENDPOINT: 'http://127.0.0.1:4568' }, 'S3_ENDPOINT is set but LAKE_URL is not an s3:// URL'],
  ])('rejects %j', (env, message) => {
    const run = () => configFromEnv({ ...BASE, ...env });
    expect(run).toThrow(UserError);
    expect(run).toThrow(message);
  });

  it('opens a folder lake as a local store (S3 lakes are exercised against s3rver in container.test.ts)', async () => {
    expect(await openLake({ lakeUrl: tmpDir('lake') })).toBeInstanceOf(LocalObjectStore);
  });

  it('addresses an S3 lake in LAKE_REGION when given, whatever the task region', async () => {
    const store = await openLake({ lakeUrl: 's3://my-lake/', lakeRegion: 'ap-northeast-1' });
    expect(await (store as S3ObjectStore).client.config.region()).toBe('ap-northeast-1');
  });
});
