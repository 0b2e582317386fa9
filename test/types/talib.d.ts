/** The part of the `talib` package (TA-Lib built natively) the tests use; the package ships no types. */
declare module 'talib' {
  interface TalibResult {
    begIndex: number;
    nbElement: number;
    result: Record<string, number[]>;
  }
  export function execute(params: Record<string, unknown>): TalibResult;
}
