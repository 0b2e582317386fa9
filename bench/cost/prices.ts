/**
 * AWS list prices used by the cost estimate: us-east-1, ARM64 where it applies, as published in 2025–2026.
 * Check https://aws.amazon.com/pricing before relying on them; change them here and re-run `npm run cost`.
 */
export const PRICES = {
  s3StandardGbMonth: 0.023,
  /** Intelligent-Tiering: frequent 0.023, infrequent (after 30 days) 0.0125, archive instant (after 90) 0.004. */
  s3TieringInfrequentGbMonth: 0.0125,
  s3TieringArchiveInstantGbMonth: 0.004,
  s3PutPer1000: 0.005,
  s3GetPer1000: 0.0004,
  lambdaArmGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  athenaPerTbScanned: 5,
  /** Athena bills at least 10 MB per query. */
  athenaMinBytesPerQuery: 10 * 1024 ** 2,
  fargateArmVcpuHour: 0.03238,
  fargateArmGbHour: 0.00356,
  /** Fargate Spot is typically ~70 % below on-demand. */
  fargateSpotDiscount: 0.7,
  publicIpv4Hour: 0.005,
  cloudwatchLogsIngestGb: 0.5,
  cloudwatchLogsStoreGbMonth: 0.03,
  cloudwatchCustomMetricMonth: 0.3,
  cloudwatchAlarmMonth: 0.1,
  cloudwatchDashboardMonth: 3,
} as const;

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = 30.4;
