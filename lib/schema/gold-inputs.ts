/**
 * The bits of Gold features_1m's `inputs` column: which inputs a row had. They are part of the column's contract
 * (a reader filters on them), so they live with the schema; the rule that decides which bits a row needs
 * (data_ok) and what each bit means in words are in lib/gold/data-ok.ts, which imports these.
 */

export const GoldInput = {
  KLINE_1M: 1 << 0,
  KLINE_5M: 1 << 1,
  KLINE_15M: 1 << 2,
  DAILY: 1 << 3,
  BOOK: 1 << 4,
  FUNDING: 1 << 5,
  OPEN_INTEREST: 1 << 6,
  LIQUIDATIONS: 1 << 7,
} as const;

export type GoldInputName = keyof typeof GoldInput;

/** Every bit: the largest value `inputs` can hold. */
export const ALL_GOLD_INPUTS = Object.values(GoldInput).reduce((a, b) => a | b, 0);

/** `1 KLINE_1M, 2 KLINE_5M, ...`: the bits as the registry and README list them. */
export function inputBitList(): string {
  return Object.entries(GoldInput)
    .map(([name, bit]) => `${bit} ${name}`)
    .join(', ');
}
