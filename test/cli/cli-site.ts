// Helpers for the CLI tests: a real-shaped cache.index, saved events, the bundled CLI, and zod schemas
// of every --json output.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { CachedImage } from '../e2e/scenario';
import { EVENTS, NodeKind, readEventFixture, runHook, RunResult, Site } from '../e2e/site';

export const BETA = '4d21c1e3-4a27-4444-ac07-469cbf485484';
export const GAMMA = '529d1af0-8182-498e-8356-409fb7bd674b';

type Entry = Record<string, unknown>;

/** vmcatcher's real cache.index, parsed. */
export function realCacheIndex(): Record<string, Entry> {
  return JSON.parse(fs.readFileSync(path.join(EVENTS, 'cache.index'), 'utf8'));
}

/**
 * Writes `<cache>/cache.index` in vmcatcher's shape: the real entries of these identifiers, with the
 * checksum and size of the real image files the test cached (in every key vmcatcher keeps them).
 */
export function writeCacheIndex(site: Site, images: Record<string, CachedImage & { format?: string }>): Record<string, Entry> {
  const real = realCacheIndex();
  const out: Record<string, Entry> = {};
  for (const id of Object.keys(images)) {
    const img = images[id];
    const size = fs.statSync(img.file).size;
    const e = Object.assign({}, real[id]);
    for (const k of ['sha512', 'sl:checksum:sha512', 'hv:image.sl:checksum:sha512']) e[k] = img.sha512;
    for (const k of ['size', 'hv:size', 'hv:image.hv:size']) e[k] = size;
    if (img.format) e['hv:image.hv:format'] = img.format;
    out[id] = e;
  }
  fs.writeFileSync(path.join(site.cacheDir, 'cache.index'), JSON.stringify(out, null, 4));
  return out;
}

/** A real event dump rewritten for this site, as `env` would print it. */
export function envDump(site: Site, fixture: string, over: Record<string, string> = {}): string {
  const ev = Object.assign({}, readEventFixture(fixture), {
    PWD: site.root,
    VMCATCHER_CACHE_DIR_CACHE: path.relative(site.root, site.cacheDir),
    VMCATCHER_CACHE_DIR_EXPIRE: path.relative(site.root, site.expireDir),
    VMCATCHER_CACHE_DIR_DOWNLOAD: path.relative(site.root, path.join(site.cacheDir, 'partial')),
    VMCATCHER_RDBMS: `sqlite:///${site.root}/vmcatcher.db`,
  }, over);
  return Object.keys(ev).sort().map((k) => `${k}=${ev[k]}\n`).join('');
}

/** Runs the bundled CLI with arguments (no event in the environment unless given). */
export function cli(site: Site, node: NodeKind, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<RunResult> {
  return runHook(site, env, { node, args, cwd });
}

/** Runs the bundled CLI under a pseudo-terminal (util-linux `script`); stdout and stderr come back merged. */
export function cliOnTty(site: Site, node: NodeKind, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const q = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
  const inner = ['vmcatcher_eventHndl_ON'].concat(args).map(q).join(' ');
  const bin = path.resolve(__dirname, '../../bin');
  return runHook(site, Object.assign({ PATH: `${bin}:${site.baseEnv.PATH}`, COLUMNS: '100', TERM: 'xterm' }, env), {
    node,
    command: `script -qfec ${q(inner)} /dev/null`,
  });
}

/** The image calls that change something; `plan`, `status` and dry runs must make none. */
export function nonReadCalls(methods: readonly string[]): string[] {
  return methods.filter((m) => !/\.info$/.test(m));
}

/** SGR colour sequences (ESC [ … m): there must be none with NO_COLOR or off a terminal. */
export const COLOR = /\x1b\[[0-9;]*m/;

const imageRef = z.union([z.number().int(), z.literal('new')]);
const attrs = z.record(z.string(), z.string());

/** A step as `--json` prints it: the step's own fields and its one-line description. */
function step<K extends string, S extends z.ZodRawShape>(kind: K, shape: S) {
  return z.object(Object.assign({ kind: z.literal(kind), description: z.string().min(10) }, shape)).strict();
}

export const StepSchema = z.discriminatedUnion('kind', [
  step('verify-checksum', { file: z.string(), expected: z.string().regex(/^[0-9a-f]{128}$/) }),
  step('convert', {
    input: z.string(),
    inputFormat: z.string(),
    output: z.string(),
    outputFormat: z.enum(['raw', 'qcow2']),
    ovaMember: z.object({ name: z.string(), offset: z.number(), size: z.number() }).optional(),
    expectedSha512: z.string().regex(/^[0-9a-f]{128}$/).optional(),
  }),
  step('link', { input: z.string(), output: z.string() }),
  step('rename', { image: imageRef, from: z.string(), to: z.string() }),
  step('allocate', { name: z.string(), template: attrs, datastoreId: z.number().int(), runId: z.string() }),
  step('wait-ready', { image: imageRef, timeoutMs: z.number(), path: z.string(), datastore: z.string() }),
  step('remove-staging', { dir: z.string() }),
  step('chown', { image: imageRef, uid: z.number(), gid: z.number(), fromUid: z.number(), fromGid: z.number(), uname: z.string().optional(), gname: z.string().optional(), fromUname: z.string().optional(), fromGname: z.string().optional() }),
  step('chmod', { image: imageRef, mode: z.string().regex(/^[0-7]{3}$/), fromMode: z.string() }),
  step('enable', { image: imageRef, enable: z.boolean(), bestEffort: z.boolean() }),
  step('mark-retired', { image: imageRef, attrs }),
  step('record', {
    identifier: z.string(),
    current: imageRef.nullable().optional(),
    how: z.enum(['registered', 'adopted']),
    runId: z.string(),
    at: z.string(),
    retire: z
      .object({
        id: z.number().int(),
        at: z.string(),
        from: z.object({ name: z.string(), uid: z.number().int(), gid: z.number().int(), mode: z.string().regex(/^[0-7]{3}$/), state: z.enum(['ENABLED', 'DISABLED']) }).strict(),
      })
      .strict()
      .optional(),
    before: z.unknown(),
  }),
]);

export const PlanSchema = z
  .object({
    identifier: z.string(),
    action: z.enum(['register', 'rotate', 'retire', 'nothing']),
    summary: z.string().min(1),
    warnings: z.array(z.string()),
    steps: z.array(StepSchema),
    commitIndex: z.number().int().min(0),
    stagingDir: z.string().optional(),
    runId: z.string().min(1),
  })
  .strict();

export const OutcomeSchema = z
  .object({
    type: z.string(),
    identifier: z.string().nullable(),
    outcome: z.enum(['ignored', 'queued', 'processed', 'planned', 'retried']),
    events: z.array(
      z.object({ identifier: z.string(), type: z.string(), outcome: z.enum(['done', 'nothing', 'failed', 'waiting', 'busy']), error: z.string().optional() }).strict(),
    ),
  })
  .strict();

const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);

export const ImageViewSchema = z
  .object({
    role: z.enum(['current', 'duplicate', 'look-alike', 'retired']),
    id: z.number().int(),
    name: z.string(),
    uid: z.number().int(),
    gid: z.number().int(),
    owner: z.string(),
    group: z.string(),
    mode: z.string().regex(/^[u-][m-][a-][u-][m-][a-][u-][m-][a-]$/),
    octal: z.string().regex(/^[0-7]{3}$/),
    state: z.string(),
    runningVms: z.number().int().min(0),
    vms: z.array(z.number().int()),
    registered: isoTime,
    datastoreId: z.number().int(),
    datastore: z.string(),
    version: z.string().nullable(),
    retiredAt: z.string().nullable(),
    recorded: z.boolean(),
  })
  .strict();

export const StatusSchema = z
  .object({
    identifiers: z.array(
      z
        .object({
          identifier: z.string(),
          title: z.string().nullable(),
          current: ImageViewSchema.nullable(),
          duplicates: z.array(ImageViewSchema),
          lookAlikes: z.array(ImageViewSchema),
          retired: z.array(ImageViewSchema),
          recorded: z.boolean(),
          pending: z.array(z.object({ type: z.string(), received: isoTime, attempts: z.number().int(), lastError: z.string().nullable() }).strict()),
          interrupted: z.boolean(),
          waitingRetirement: z.boolean(),
          template: z.object({ id: z.number().int().nullable(), name: z.string().nullable(), state: z.enum(['none', 'in use', 'retired', 'deleted']) }).strict().nullable(),
        })
        .strict(),
    ),
  })
  .strict();
