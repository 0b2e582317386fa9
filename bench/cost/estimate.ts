import { DEFAULT_CONFIG } from '../../lib/cdk/config';
import { Metric, PUBLISHED_METRICS } from '../../lib/monitoring/metrics';
import type { DayMeasurement } from './measure-day';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, PRICES } from './prices';

/**
 * Monthly cost from a measured day. Per-symbol costs scale with symbols; fixed costs (the Fargate task, its
 * public IPv4 address, alarms, the dashboard) are paid once per deployment (per collector group).
 */

export interface CostLine {
  item: string;
  basis: string;
  usd: number;
}

export interface CostEstimate {
  perSymbol: CostLine[];
  perSymbolTotal: number;
  perSymbolTotalAfterYear: number;
  fixed: CostLine[];
  fixedTotal: number;
}

const GB = 1024 ** 3;
const MEMORY_GB = { silver: 3008 / 1024, gold: 2048 / 1024, selfHeal: 1, health: 1 };

export function estimate(m: DayMeasurement, usage = { athenaQueriesPerDay: 20, athenaDaysPerQuery: 30 }): CostEstimate {
  const scale = 24 / m.hours;
  const perDay = (x: number) => x * scale;
  const bronzeGbDay = perDay(m.bytes.bronze) / GB;
  const silverGoldGbDay = perDay(m.bytes.silver + m.bytes.gold + m.bytes.quarantine + m.bytes.reports) / GB;
  const bronzeWindowDays = DEFAULT_CONFIG.bronzeRetentionDays;
  const putsMonth =
    (perDay(m.files.bronze) + m.files.silver + m.files.gold + m.files.quarantine + m.files.reports) * DAYS_PER_MONTH;
  // Silver reads the day's Bronze, Gold reads 8 days of Silver 1m; the self-heal lists and reads the last hours.
  const getsMonth = (perDay(m.bronzeFilesRead) + 8 + 24 * 3) * DAYS_PER_MONTH;
  const lambdaGbSeconds = (m.silverSeconds * MEMORY_GB.silver + m.goldSeconds * MEMORY_GB.gold) * DAYS_PER_MONTH;
  const goldBytesDay = m.bytes.gold;
  const athenaBytes =
    usage.athenaQueriesPerDay * DAYS_PER_MONTH * Math.max(PRICES.athenaMinBytesPerQuery, goldBytesDay * usage.athenaDaysPerQuery);
  // Silver/Gold grow by a month each month; Intelligent-Tiering moves data untouched for 30/90 days to cheaper tiers.
  const yearGbMonth =
    silverGoldGbDay *
    DAYS_PER_MONTH *
    (PRICES.s3StandardGbMonth + 2 * PRICES.s3TieringInfrequentGbMonth + 9 * PRICES.s3TieringArchiveInstantGbMonth);

  const perSymbol: CostLine[] = [
    {
      item: 'S3 storage, Bronze',
      basis: `${(bronzeGbDay * 1024).toFixed(1)} MB/day kept ${bronzeWindowDays} days`,
      usd: bronzeGbDay * bronzeWindowDays * PRICES.s3StandardGbMonth,
    },
    {
      item: 'S3 storage, Silver + Gold (first month)',
      basis: `${(silverGoldGbDay * 1024).toFixed(1)} MB/day, half a month on average`,
      usd: silverGoldGbDay * DAYS_PER_MONTH * 0.5 * PRICES.s3StandardGbMonth,
    },
    {
      item: 'S3 PUT requests',
      basis: `${Math.round(putsMonth).toLocaleString('en-US')} objects/month (Bronze flushed every 5 min per dataset)`,
      usd: (putsMonth / 1000) * PRICES.s3PutPer1000,
    },
    {
      item: 'S3 GET requests',
      basis: `${Math.round(getsMonth).toLocaleString('en-US')} reads/month by the jobs`,
      usd: (getsMonth / 1000) * PRICES.s3GetPer1000,
    },
    {
      item: 'Lambda compute',
      basis: `Silver ${m.silverSeconds.toFixed(1)} s @ 3 GB + Gold ${m.goldSeconds.toFixed(1)} s @ 2 GB per day (measured here)`,
      usd: lambdaGbSeconds * PRICES.lambdaArmGbSecond + ((2 * DAYS_PER_MONTH) / 1e6) * PRICES.lambdaPerMillionRequests,
    },
    {
      item: 'Athena',
      basis:
        `${usage.athenaQueriesPerDay} queries/day over ${usage.athenaDaysPerQuery} days of Gold ` +
        `(${(goldBytesDay / 1024 ** 2).toFixed(1)} MB/day)`,
      usd: (athenaBytes / 1024 ** 4) * PRICES.athenaPerTbScanned,
    },
    {
      item: 'CloudWatch Logs',
      basis: 'job log lines, about 20 KB per symbol-day',
      usd: ((20 * 1024 * DAYS_PER_MONTH) / GB) * PRICES.cloudwatchLogsIngestGb,
    },
  ];
  const perSymbolTotal = perSymbol.reduce((n, l) => n + l.usd, 0);
  const steadyStorage = perSymbol[1].usd;
  const perSymbolTotalAfterYear = perSymbolTotal - steadyStorage + yearGbMonth;

  const vcpu = DEFAULT_CONFIG.collectorCpu / 1024;
  const memGb = DEFAULT_CONFIG.collectorMemoryMiB / 1024;
  const fargateOnDemand = HOURS_PER_MONTH * (vcpu * PRICES.fargateArmVcpuHour + memGb * PRICES.fargateArmGbHour);
  // Alarms of the default deployment: 5 Lambda errors, 2 data quality, 2 dead-letter queues, 1 rebuild,
  // per collector group 1 running-task, per exchange 1 freshness.
  const alarms = 13;
  // Billed custom metrics: the collector's published metrics per exchange, the jobs' without dimensions.
  const collectorMetrics = [
    Metric.BronzeFilesWritten,
    Metric.MessagesReceived,
    Metric.ParseErrors,
    Metric.Reconnects,
    Metric.LastEventAgeSeconds,
    Metric.BufferedRows,
    Metric.FlushLatencyMs,
    Metric.FlushFailures,
    Metric.BronzeRowsWritten,
  ].filter((x) => PUBLISHED_METRICS.has(x)).length;
  const metrics = PUBLISHED_METRICS.size;
  const fixed: CostLine[] = [
    {
      item: 'Fargate task (collector)',
      basis: `${vcpu} vCPU, ${memGb} GB ARM64 on Fargate Spot (on-demand: $${fargateOnDemand.toFixed(2)})`,
      usd: fargateOnDemand * (1 - PRICES.fargateSpotDiscount),
    },
    {
      item: 'Public IPv4 address of the task',
      basis: 'no NAT gateway (which would cost ~$33/month)',
      usd: HOURS_PER_MONTH * PRICES.publicIpv4Hour,
    },
    {
      item: 'CloudWatch custom metrics',
      basis:
        `${metrics} published metrics (${collectorMetrics} per collected exchange, the jobs' without dimensions); the ` +
        `rest are log fields`,
      usd: metrics * PRICES.cloudwatchCustomMetricMonth,
    },
    { item: 'CloudWatch alarms', basis: `${alarms} standard alarms`, usd: alarms * PRICES.cloudwatchAlarmMonth },
    { item: 'CloudWatch dashboard', basis: 'one (the first three are free)', usd: 0 },
    {
      item: 'Collector and health logs',
      basis: 'heartbeat EMF every 15 s, health every 15 min (~15 MB/month)',
      usd: 0.015 * PRICES.cloudwatchLogsIngestGb,
    },
  ];
  return { perSymbol, perSymbolTotal, perSymbolTotalAfterYear, fixed, fixedTotal: fixed.reduce((n, l) => n + l.usd, 0) };
}

export function estimateMarkdown(m: DayMeasurement, e: CostEstimate): string {
  const usd = (x: number) => `$${x.toFixed(x < 0.1 ? 3 : 2)}`;
  const mb = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MB`;
  const scale = 24 / m.hours;
  return [
    `Measured: ${m.symbol}, ${m.hours} simulated hour(s) scaled to a day, ${m.tradesPerMinute} ` +
      `trades/min, ${m.messages.toLocaleString('en-US')} WebSocket messages`,
    `(collector ${m.collectorWallSeconds.toFixed(0)} s wall). Per day: Bronze ${mb(m.bytes.bronze * scale)} ` +
      `in ${Math.round(m.files.bronze * scale)} files; ` +
      `Silver ${mb(m.bytes.silver)} in ${m.files.silver} files; Gold ${mb(m.bytes.gold)} in ${m.files.gold} files; ` +
      `reports ${m.files.reports} files.`,
    '',
    '| per symbol, per month | basis | USD |',
    '|---|---|---:|',
    ...e.perSymbol.map((l) => `| ${l.item} | ${l.basis} | ${usd(l.usd)} |`),
    `| **total per symbol-month** | first month | **${usd(e.perSymbolTotal)}** |`,
    `| total per symbol-month after a year | Silver/Gold accumulated, Intelligent-Tiering | ${usd(e.perSymbolTotalAfterYear)} |`,
    '',
    '| fixed, per deployment (per collector group), per month | basis | USD |',
    '|---|---|---:|',
    ...e.fixed.map((l) => `| ${l.item} | ${l.basis} | ${usd(l.usd)} |`),
    `| **total fixed** | | **${usd(e.fixedTotal)}** |`,
    '',
  ].join('\n');
}
