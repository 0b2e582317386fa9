import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { IgnoreStrategy } from 'aws-cdk-lib';
import { tmpDir } from '../helpers/sample-rows';

/**
 * Docker is not available to the tests, so this runs collector-fargate/Dockerfile's own instructions without
 * it: the build stage's COPY sources are taken from the build context exactly as CDK stages it (the root
 * .dockerignore, through CDK's own ignore rules), its RUN commands run in a scratch copy (`npm ci` alone is
 * replaced by a link to the installed node_modules), and the runtime stage's COPY --from lands in a scratch
 * "image" folder with no node_modules anywhere above it. What the Dockerfile says is what gets tested.
 */

export const REPO = path.resolve(__dirname, '../..');
export const DOCKERFILE = 'collector-fargate/Dockerfile';

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  image: string;
  name?: string;
  flags: string[];
  instructions: Instruction[];
}

/** Stages of a Dockerfile: comments dropped, continuation lines joined, instructions upper-cased. */
export function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    if (op.toUpperCase() === 'FROM') {
      const words = args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith('--'));
      const [image, as, name] = words.filter((w) => !w.startsWith('--'));
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, flags, instructions: [] });
    } else {
      if (!stages.length) throw new Error(`${op} before FROM`);
      stages[stages.length - 1].instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** The exec-form command of a CMD or `HEALTHCHECK [options] CMD [...]` instruction; undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.startsWith('[') ? args : /(?:^|\s)CMD\s+(\[.*\])$/.exec(args)?.[1];
  if (!json) return undefined;
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
}

/** True when the build context CDK stages for fromAsset(REPO, { file: DOCKERFILE }) holds `relPath`. */
export function inBuildContext(relPath: string): boolean {
  return !contextIgnore().ignores(path.join(REPO, relPath));
}

let ignore: IgnoreStrategy | undefined;
function contextIgnore(): IgnoreStrategy {
  // The same patterns DockerImageAsset builds: .dockerignore, then its own re-inclusions and cdk.out.
  const lines = fs
    .readFileSync(path.join(REPO, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((l) => !!l);
  ignore ??= IgnoreStrategy.docker(REPO, [...lines, '!.dockerignore', `!${path.basename(DOCKERFILE)}`, 'cdk.out']);
  return ignore;
}

export interface BuiltImage {
  stages: Stage[];
  /** Scratch folder standing for the runtime image's `/`. */
  root: string;
  /** WORKDIR of the runtime stage, mapped into `root`. */
  workdir: string;
  /** CMD and HEALTHCHECK with absolute container paths mapped into `root`. */
  cmd: string[];
  healthcheck: string[];
}

export function buildLikeDocker(): BuiltImage {
  const stages = parseDockerfile(fs.readFileSync(path.join(REPO, DOCKERFILE), 'utf8'));
  const runtime = stages[stages.length - 1];
  const scratch = tmpDir('docker-like');
  const stageRoot = (s: Stage) => path.join(scratch, s.name ?? 'runtime');
  let workdir = '/';
  for (const stage of stages) {
    workdir = '/';
    const at = (p: string) => path.join(stageRoot(stage), path.isAbsolute(p) ? p : path.join(workdir, p));
    for (const i of stage.instructions) {
      switch (i.op) {
        case 'WORKDIR':
          workdir = i.args;
          fs.mkdirSync(at('.'), { recursive: true });
          break;
        case 'COPY': {
          const words = i.args.split(/\s+/);
          const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
          const paths = words.filter((w) => !w.startsWith('--'));
          const dest = paths.pop()!;
          for (const src of paths) {
            if (from) copyTree(path.join(stageRoot(stages.find((x) => x.name === from)!), src), at(dest), () => true);
            else copyFromContext(src, at(dest));
          }
          break;
        }
        case 'RUN':
          if (/^npm ci\b/.test(i.args)) fs.symlinkSync(path.join(REPO, 'node_modules'), at('node_modules'), 'dir');
          else
            execFileSync('sh', ['-c', i.args], {
              cwd: at('.'),
              env: { PATH: process.env.PATH, HOME: process.env.HOME },
              stdio: ['ignore', 'ignore', 'pipe'],
            });
          break;
      }
    }
  }
  const root = stageRoot(runtime);
  const mapped = (cmd: string[]) => cmd.map((a) => (a.startsWith('/') ? path.join(root, a) : a));
  const cmd = execForm(runtime.instructions.find((i) => i.op === 'CMD')?.args ?? '');
  const healthcheck = execForm(runtime.instructions.find((i) => i.op === 'HEALTHCHECK')?.args ?? '');
  if (!cmd || !healthcheck) throw new Error('the runtime stage needs exec-form CMD and HEALTHCHECK');
  return { stages, root, workdir: path.join(root, workdir), cmd: mapped(cmd), healthcheck: mapped(healthcheck) };
}

/** COPY <src> <dest> from the build context: a file, or a folder's contents, minus what .dockerignore drops. */
function copyFromContext(src: string, dest: string): void {
  if (/[*?[]/.test(src)) throw new Error(`wildcards in COPY are not supported here: ${src}`);
  const abs = path.join(REPO, src);
  if (!inBuildContext(src)) throw new Error(`COPY ${src}: not in the build context`);
  if (fs.statSync(abs).isDirectory()) copyTree(abs, dest, (rel) => inBuildContext(path.relative(REPO, rel)));
  else copyFile(abs, dest.endsWith('/') ? path.join(dest, path.basename(src)) : dest);
}

function copyTree(from: string, to: string, keep: (abs: string) => boolean): void {
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const abs = path.join(from, e.name);
    if (!keep(abs)) continue;
    if (e.isDirectory()) copyTree(abs, path.join(to, e.name), keep);
    else copyFile(abs, path.join(to, e.name));
  }
}

function copyFile(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}
