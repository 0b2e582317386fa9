/** Command line of `npm run bench`. */

export interface BenchArgs {
  quick: boolean;
  only: string[] | undefined;
  /** Write bench/out/<section>.json (default on; `--no-save` for throwaway runs). */
  save: boolean;
  /** How busy the simulated market is, for sections that simulate one (1 = their reference day). */
  scale: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--only <section>[,<section>...]] [--no-save]
  --quick        small inputs, one run per case: a smoke test (figures not for quoting)
  --only <list>  run only these sections (comma separated; may repeat)
  --no-save      do not write bench/out/<section>.json
  --scale <k>    a simulated market k times as busy (sections that simulate one: silver); default 1`;

export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { quick: false, only: undefined, save: true, scale: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--no-save') args.save = false;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) throw new Error('--only needs a section name');
      args.only = [
        ...(args.only ?? []),
        ...v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ];
    } else if (a === '--scale' || a.startsWith('--scale=')) {
      const v = Number(a === '--scale' ? argv[++i] : a.slice('--scale='.length));
      if (!(v > 0) || !Number.isFinite(v)) throw new Error('--scale needs a positive number');
      args.scale = v;
    } else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  return args;
}
