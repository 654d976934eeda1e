// Conformance of the oned simulator with a real oned: the same call sequences against both, each
// answer reduced to what a client can rely on (success or failure, error code and text, the
// image's state, owner, mode, name, the order of a pool) with ids and times normalised.
import * as fs from 'fs';
import * as path from 'path';
import { Answer, Arg, b, i, parseDoc, s } from '../sim/rpc';

/** A place to run the sequences: the simulator or a real oned, with the same users and directories. */
export interface Target {
  readonly name: string;
  /** Sessions by user name (oneadmin, alice, bob). */
  readonly sessions: Readonly<Record<'oneadmin' | 'alice' | 'bob', string>>;
  /** User and group ids by name, to normalise messages that quote them. */
  readonly userIds: Readonly<Record<string, number>>;
  /** A directory the image datastore copies from (in SAFE_DIRS), and one it refuses. */
  readonly safeDir: string;
  readonly refusedDir: string;
  /** A self-contained oned's own directories and what a packaged oned calls them (/var/lib/one/, /etc/one/). */
  readonly localPaths?: ReadonlyArray<readonly [string, string]>;
  call(session: string, method: string, ...args: Arg[]): Promise<Answer>;
}

/** One step of a transcript, normalised. */
export interface Entry {
  readonly label: string;
  readonly result: unknown;
}

const STATE_NAMES = ['INIT', 'READY', 'USED', 'DISABLED', 'LOCKED', 'ERROR', 'CLONE', 'DELETE', 'USED_PERS', 'LOCKED_USED', 'LOCKED_USED_PERS'];

class Recorder {
  readonly entries: Entry[] = [];
  /** Real id → symbol (I1, I2, … in the order this case created them). */
  private readonly images = new Map<number, string>();
  constructor(private readonly t: Target) {}

  image(id: number): string {
    let sym = this.images.get(id);
    if (!sym) {
      sym = `I${this.images.size + 1}`;
      this.images.set(id, sym);
    }
    return sym;
  }

  text(msg: string): string {
    let out = msg.split(this.t.safeDir).join('<safe>').split(this.t.refusedDir).join('<refused>');
    for (const [local, packaged] of this.t.localPaths || []) out = out.split(local).join(packaged);
    for (const [name, id] of Object.entries(this.t.userIds)) {
      out = out.replace(new RegExp(`\\b(User|user|USER) \\[${id}\\]`, 'g'), `$1 [<${name}>]`);
    }
    // Image ids as oned quotes them: "image [12]", "IMAGE 12", "… is locked. [12]".
    const sym = (m: string, n: string): string => (this.images.has(Number(n)) ? m.replace(n, `<${this.images.get(Number(n))}>`) : m);
    out = out.replace(/\b(?:image|IMAGE) \[?(\d+)\]?/g, sym).replace(/\[(\d+)\]/g, sym);
    out = out.replace(/\b\d{9,}\b/g, '<time>');
    return out;
  }

  /** Records an answer: failures by code and text, successes by their value (ids and documents normalised). */
  record(label: string, a: Answer, value: (v: unknown) => unknown = (v) => v): unknown {
    if (a.fault) {
      this.entries.push({ label, result: { fault: a.fault.code, message: this.text(a.fault.message) } });
      return undefined;
    }
    const [okItem, v, code, respId] = a.items;
    if (okItem.v !== true) {
      const res: Record<string, unknown> = { ok: false, code: code.v, message: this.text(String(v.v)), items: a.items.length, last: a.items[a.items.length - 1].t };
      if (respId && Number(respId.v) >= 0) res.id = this.images.has(Number(respId.v)) ? this.images.get(Number(respId.v)) : respId.v;
      this.entries.push({ label, result: res });
      return undefined;
    }
    this.entries.push({ label, result: { ok: true, value: value(v.v) } });
    return v.v;
  }
}

/** What of an IMAGE document a client relies on. */
export function imageView(xml: string, rec: Recorder): Record<string, unknown> {
  const img = parseDoc(xml).IMAGE[0];
  const p = img.PERMISSIONS;
  const perm = ['OWNER_U', 'OWNER_M', 'OWNER_A', 'GROUP_U', 'GROUP_M', 'GROUP_A', 'OTHER_U', 'OTHER_M', 'OTHER_A'].map((k) => p[k]).join('');
  return {
    name: img.NAME,
    uname: img.UNAME,
    gname: img.GNAME,
    perm,
    state: STATE_NAMES[Number(img.STATE)],
    type: img.TYPE,
    persistent: img.PERSISTENT,
    runningVms: img.RUNNING_VMS,
    datastore: img.DATASTORE,
    lock: img.LOCK ? img.LOCK.LOCKED : undefined,
    error: img.TEMPLATE && img.TEMPLATE.ERROR ? rec.text(String(img.TEMPLATE.ERROR)).replace(/^[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ [\d:]+ \d{4} ?: ?/, '') : undefined,
  };
}

function imageTemplate(name: string, file: string, extra = ''): string {
  return `NAME = "${name}"\nPATH = "${file}"\nTYPE = "OS"\n${extra}`;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls an image until `done` (or it is gone): the distinct states seen, in order. */
async function states(t: Target, rec: Recorder, id: number, done: (state: string) => boolean, ms = 60000): Promise<string[]> {
  const seen: string[] = [];
  const end = Date.now() + ms;
  for (;;) {
    const a = await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false));
    let st: string;
    if (a.items[0] && a.items[0].v === true) st = STATE_NAMES[Number(parseDoc(String(a.items[1].v)).IMAGE[0].STATE)];
    else st = `gone (${a.items[2] ? String(a.items[2].v) : '?'})`;
    if (seen[seen.length - 1] !== st) seen.push(st);
    if (done(st) || st.indexOf('gone') === 0) return seen;
    if (Date.now() > end) return seen.concat('…timed out');
    await sleep(50);
  }
}

export type Case = (t: Target, rec: Recorder, tag: string) => Promise<void>;

/** The call sequences, each on images of its own (`tag` keeps names apart between runs). */
export const CASES: Record<string, Case> = {
  async 'allocate, copy, READY'(t, rec, tag) {
    const file = path.join(t.safeDir, 'disk.raw');
    const a = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-a`, file)), i(1));
    const id = rec.record('allocate', a, (v) => rec.image(Number(v))) as number;
    rec.record('disable while copying', await t.call(t.sessions.oneadmin, 'one.image.enable', i(id), b(false)), (v) => rec.image(Number(v)));
    rec.entries.push({ label: 'states until READY', result: await states(t, rec, id, (st) => st === 'READY' || st === 'ERROR') });
    rec.record('info', await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec));
    rec.record('allocate the same name again', await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-a`, file)), i(1)));
    rec.record('allocate without PATH', await t.call(t.sessions.oneadmin, 'one.image.allocate', s(`NAME = "${tag}-nopath"\nTYPE = "OS"\n`), i(1)));
    rec.record('allocate a missing file', await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-missing`, path.join(t.safeDir, 'nope.raw'))), i(1)));
    rec.record('allocate into a missing datastore', await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-x`, file)), i(999)));
    rec.record('allocate into the system datastore', await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-y`, file)), i(0)));
  },

  async 'names'(t, rec, tag) {
    const file = path.join(t.safeDir, 'disk.raw');
    const a1 = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-n1`, file)), i(1));
    rec.record('allocate', a1, (v) => rec.image(Number(v)));
    const id1 = Number(a1.items[1].v);
    const a2 = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-n2`, file)), i(1));
    rec.record('allocate a second', a2, (v) => rec.image(Number(v)));
    const id2 = Number(a2.items[1].v);
    await states(t, rec, id1, (st) => st === 'READY');
    await states(t, rec, id2, (st) => st === 'READY');
    rec.record('rename onto a name the owner has', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s(`${tag}-n1`)));
    rec.record('rename to the name it has', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s(`${tag}-n2`)));
    rec.record('rename to an empty name', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s('')));
    rec.record('rename with a quote', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s(`${tag} "q"`)));
    rec.record('rename to 129 characters', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s('x'.repeat(129))));
    rec.record('rename to 128 characters', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s(`${tag}-`.padEnd(128, 'y'))));
    rec.record('rename with spaces', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s(`${tag} 2014-06-04_12-54-44_+0200-CEST`)));
    rec.record('rename differing in case only', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s(`${tag}-N1`)));
    rec.record('chown to alice', await t.call(t.sessions.oneadmin, 'one.image.chown', i(id2), i(t.userIds.alice), i(-1)));
    rec.record('rename onto a name only oneadmin has', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id2), s(`${tag}-n1`)));
    rec.record('chown back onto a name oneadmin has', await t.call(t.sessions.oneadmin, 'one.image.chown', i(id2), i(0), i(-1)));
    const pool = await t.call(t.sessions.oneadmin, 'one.imagepool.info', i(-2), i(-1), i(-1));
    rec.record('pool order', pool, (v) =>
      (parseDoc(String(v)).IMAGE_POOL.IMAGE || [])
        .filter((img: any) => String(img.NAME).toLowerCase().indexOf(tag.toLowerCase()) === 0)
        .map((img: any) => rec.image(Number(img.ID[0] !== undefined ? img.ID[0] : img.ID))),
    );
  },

  async 'owners and permissions'(t, rec, tag) {
    const file = path.join(t.safeDir, 'disk.raw');
    const a = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-p`, file)), i(1));
    const id = Number(a.items[1].v);
    rec.record('allocate', a, (v) => rec.image(Number(v)));
    await states(t, rec, id, (st) => st === 'READY');
    rec.record('info as oneadmin', await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec));
    rec.record('alice reads a private image', await t.call(t.sessions.alice, 'one.image.info', i(id), b(false)));
    rec.record('chown to alice:users', await t.call(t.sessions.oneadmin, 'one.image.chown', i(id), i(t.userIds.alice), i(1)));
    rec.record('alice reads it', await t.call(t.sessions.alice, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec));
    rec.record('bob reads it', await t.call(t.sessions.bob, 'one.image.info', i(id), b(false)));
    rec.record('alice chmods 644', await t.call(t.sessions.alice, 'one.image.chmod', i(id), ...[1, 1, 0, 1, 0, 0, 1, 0, 0].map(i)));
    rec.record('bob reads it now', await t.call(t.sessions.bob, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec));
    rec.record('bob chmods', await t.call(t.sessions.bob, 'one.image.chmod', i(id), ...[1, 1, 1, 1, 1, 1, 1, 1, 1].map(i)));
    rec.record('bob renames', await t.call(t.sessions.bob, 'one.image.rename', i(id), s(`${tag}-bob`)));
    rec.record('bob disables', await t.call(t.sessions.bob, 'one.image.enable', i(id), b(false)));
    rec.record('alice gives it to bob', await t.call(t.sessions.alice, 'one.image.chown', i(id), i(t.userIds.bob), i(-1)));
    rec.record('alice updates its template', await t.call(t.sessions.alice, 'one.image.update', i(id), s('DESCRIPTION = "mine"'), i(1)));
    rec.record('chmod with -1 keeps', await t.call(t.sessions.oneadmin, 'one.image.chmod', i(id), ...[-1, -1, -1, -1, -1, -1, 0, 0, 0].map(i)));
    rec.record('chmod with 2', await t.call(t.sessions.oneadmin, 'one.image.chmod', i(id), ...[2, 1, 0, 0, 0, 0, 0, 0, 0].map(i)));
    rec.record('chown to a missing user', await t.call(t.sessions.oneadmin, 'one.image.chown', i(id), i(999), i(-1)));
    rec.record('chown to a missing group', await t.call(t.sessions.oneadmin, 'one.image.chown', i(id), i(-1), i(999)));
    rec.record('info after', await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec));
    rec.record('a wrong password', await t.call('oneadmin:wrong', 'one.image.info', i(id), b(false)));
    rec.record('a missing image', await t.call(t.sessions.oneadmin, 'one.image.info', i(987654), b(false)));
  },

  async 'enable and disable'(t, rec, tag) {
    const file = path.join(t.safeDir, 'disk.raw');
    const a = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-e`, file)), i(1));
    const id = Number(a.items[1].v);
    rec.record('allocate', a, (v) => rec.image(Number(v)));
    await states(t, rec, id, (st) => st === 'READY');
    for (const [label, en] of [['disable', false], ['disable again', false], ['enable', true], ['enable again', true]] as const) {
      rec.record(label, await t.call(t.sessions.oneadmin, 'one.image.enable', i(id), b(en)), (v) => rec.image(Number(v)));
      rec.record(`${label}: state`, await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec).state);
    }
  },

  async 'delete'(t, rec, tag) {
    const file = path.join(t.safeDir, 'disk.raw');
    const a = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-d`, file)), i(1));
    const id = Number(a.items[1].v);
    rec.record('allocate', a, (v) => rec.image(Number(v)));
    await states(t, rec, id, (st) => st === 'READY');
    rec.record('delete', await t.call(t.sessions.oneadmin, 'one.image.delete', i(id), b(false)), (v) => rec.image(Number(v)));
    // The image stays in DELETE while the datastore's rm runs (about half a second here), then goes.
    // (An allocate sent meanwhile runs the datastore's stat driver first, 1-2 s, and only then checks the
    // name: by then the name is free. Not compared: the simulator checks at once.)
    rec.entries.push({ label: 'states after delete', result: await states(t, rec, id, () => false) });
    const again = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-d`, file)), i(1));
    rec.record('allocate the same name once it is gone', again, (v) => rec.image(Number(v)));
    rec.record('info of the deleted id', await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)));
    rec.record('delete it again', await t.call(t.sessions.oneadmin, 'one.image.delete', i(id), b(false)));
  },

  async 'a refused directory: ERROR'(t, rec, tag) {
    const file = path.join(t.refusedDir, 'disk.raw');
    const a = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-r`, file)), i(1));
    const id = Number(a.items[1].v);
    rec.record('allocate', a, (v) => rec.image(Number(v)));
    // How long the refused copy stays LOCKED depends on the driver's speed (7.x refuses within one
    // poll): where it ends is what counts.
    const seen = await states(t, rec, id, (st) => st === 'ERROR' || st === 'READY');
    rec.entries.push({ label: 'ends in', result: seen[seen.length - 1] });
    rec.record('info', await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec));
    rec.record('enable an ERROR image', await t.call(t.sessions.oneadmin, 'one.image.enable', i(id), b(true)), (v) => rec.image(Number(v)));
    rec.record('info after enable', await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec).state);
    rec.record('delete it', await t.call(t.sessions.oneadmin, 'one.image.delete', i(id), b(false)), (v) => rec.image(Number(v)));
    rec.entries.push({ label: 'states after delete', result: await states(t, rec, id, () => false) });
  },

  async 'locks'(t, rec, tag) {
    const file = path.join(t.safeDir, 'disk.raw');
    const a = await t.call(t.sessions.oneadmin, 'one.image.allocate', s(imageTemplate(`${tag}-l`, file)), i(1));
    const id = Number(a.items[1].v);
    rec.record('allocate', a, (v) => rec.image(Number(v)));
    await states(t, rec, id, (st) => st === 'READY');
    rec.record('lock USE (1)', await t.call(t.sessions.oneadmin, 'one.image.lock', i(id), i(1), b(false)), (v) => rec.image(Number(v)));
    rec.record('info shows the lock', await t.call(t.sessions.oneadmin, 'one.image.info', i(id), b(false)), (v) => imageView(String(v), rec));
    rec.record('rename while locked', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id), s(`${tag}-l2`)));
    rec.record('disable while locked', await t.call(t.sessions.oneadmin, 'one.image.enable', i(id), b(false)));
    rec.record('chown while locked', await t.call(t.sessions.oneadmin, 'one.image.chown', i(id), i(0), i(0)));
    rec.record('chmod while locked', await t.call(t.sessions.oneadmin, 'one.image.chmod', i(id), ...[1, 1, 1, 0, 0, 0, 0, 0, 0].map(i)));
    rec.record('update while locked', await t.call(t.sessions.oneadmin, 'one.image.update', i(id), s('X = "1"'), i(1)));
    rec.record('delete while locked', await t.call(t.sessions.oneadmin, 'one.image.delete', i(id), b(false)));
    rec.record('unlock', await t.call(t.sessions.oneadmin, 'one.image.unlock', i(id)), (v) => rec.image(Number(v)));
    rec.record('rename after unlock', await t.call(t.sessions.oneadmin, 'one.image.rename', i(id), s(`${tag}-l2`)), (v) => rec.image(Number(v)));
  },
};

/** Runs one case against a target: its transcript. */
export async function transcript(t: Target, name: string, tag: string): Promise<Entry[]> {
  const rec = new Recorder(t);
  await CASES[name](t, rec, tag);
  return rec.entries;
}

/** Writes the raw disk the cases register into a target's safe and refused directories. */
export function prepareDirs(safeDir: string, refusedDir: string): void {
  for (const d of [safeDir, refusedDir]) {
    fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(d, 'disk.raw'), Buffer.alloc(1024 * 1024, 7));
  }
}

/** A known, explained difference between the simulator and a real oned. */
export interface KnownDifference {
  readonly versions: readonly string[];
  readonly case: string;
  readonly label: string;
  readonly reason: string;
}

/** The entries of two transcripts that differ, by label. */
export function differences(sim: Entry[], real: Entry[]): Array<{ label: string; sim: unknown; real: unknown }> {
  const out: Array<{ label: string; sim: unknown; real: unknown }> = [];
  const n = Math.max(sim.length, real.length);
  for (let k = 0; k < n; k++) {
    const a = sim[k];
    const r = real[k];
    if (JSON.stringify(a) !== JSON.stringify(r)) out.push({ label: (r || a).label, sim: a && a.result, real: r && r.result });
  }
  return out;
}
