// VM template call sequences for the conformance test (simulator against a real oned): allocate in the
// XML form our client writes and in the text form, info read by our parser, update merge and replace
// with vectors and two DISKs, chown, chmod, rename, name collisions, restricted attributes, locks,
// delete (recursive or not) and the pool. Template ids are normalised to T1, T2 … per case.
import * as path from 'path';
import { parseVmTemplate } from '../../src/one/parse-vm-template';
import { renderTemplateNodes } from '../../src/one/template';
import type { TemplateNode } from '../../src/one/types';
import { Answer, b, i, parseDoc, s } from '../sim/rpc';
import type { Case, Target } from './conformance';

type Rec = Parameters<Case>[1];

/** Template ids → T1, T2 … in the messages and failure ids a case records. */
class TemplateIds {
  private readonly ids = new Map<number, string>();
  constructor(private readonly rec: Rec) {}

  sym(id: number): string {
    if (!this.ids.has(id)) this.ids.set(id, `T${this.ids.size + 1}`);
    return this.ids.get(id) as string;
  }

  /** Records an answer and rewrites the template ids oned quotes ("TEMPLATE 3", "template [3]", "is locked. [3]"). */
  record(label: string, a: Answer, value: (v: unknown) => unknown = (v) => (typeof v === 'number' ? this.sym(v) : v)): unknown {
    const out = this.rec.record(label, a, value);
    const last = this.rec.entries.length - 1;
    const res = this.rec.entries[last].result as Record<string, unknown>;
    if (res && res.ok === false) {
      const known = (n: string): string => (this.ids.has(Number(n)) ? `<${this.ids.get(Number(n))}>` : n);
      const message = String(res.message)
        .replace(/(TEMPLATE|template) \[?(\d+)\]?/g, (m: string, w: string, n: string) => m.replace(n, known(n)))
        .replace(/\[(\d+)\]/g, (m: string, n: string) => m.replace(n, known(n)));
      const id = typeof res.id === 'number' && this.ids.has(res.id) ? this.ids.get(res.id) : res.id;
      this.rec.entries[last] = { label, result: { ...res, message, ...(id === undefined ? {} : { id }) } };
    }
    return out;
  }
}

/** What of a VMTEMPLATE a client relies on, through the project's own parser. */
function view(xml: unknown): Record<string, unknown> {
  const t = parseVmTemplate(String(xml));
  return { name: t.name, uname: t.uname, gname: t.gname, perm: t.permissions.join(''), lock: t.lock, nodes: t.nodes };
}

/** The TEMPLATE element exactly as oned wrote it. */
function rawTemplate(xml: unknown): string {
  const m = /<TEMPLATE>.*<\/TEMPLATE>/s.exec(String(xml));
  return m ? m[0] : String(xml);
}

const xmlForm = (nodes: TemplateNode[]): string => renderTemplateNodes(nodes).xml;
const chmod = (t: Target, session: string, id: number, bits: number[]): Promise<Answer> => t.call(session, 'one.template.chmod', i(id), ...bits.map(i));

/** Names of the case's templates in a pool answer, in the pool's order. */
function poolNames(v: unknown, tag: string): string[] {
  const list = parseDoc(String(v)).VMTEMPLATE_POOL;
  const items = list && list.VMTEMPLATE ? (Array.isArray(list.VMTEMPLATE) ? list.VMTEMPLATE : [list.VMTEMPLATE]) : [];
  return items.map((x: any) => String(x.NAME)).filter((n: string) => n.indexOf(tag) === 0);
}

export const TEMPLATE_CASES: Record<string, Case> = {
  async 'allocating a VM template, info, update'(t, rec, tag) {
    const ids = new TemplateIds(rec);
    const admin = t.sessions.oneadmin;
    const nodes: TemplateNode[] = [
      { name: 'NAME', value: `${tag}-app [x86_64]` },
      { name: 'MEMORY', value: '1024' },
      { name: 'CPU', value: '1' },
      { name: 'DISK', vector: { IMAGE_ID: '0' } },
      { name: 'OS', vector: { ARCH: 'x86_64' } },
      { name: 'CONTEXT', vector: { NETWORK: 'YES', SSH_PUBLIC_KEY: '$USER[SSH_PUBLIC_KEY]' } },
      { name: 'CLOUDKEEPER_APPLIANCE_DESCRIPTION', value: 'a <b> & "c"' },
      { name: 'EMPTY', value: '' },
    ];
    const a = await t.call(admin, 'one.template.allocate', s(xmlForm(nodes)));
    const id = ids.record('allocate (XML form)', a) as string;
    const tid = Number(a.items[1].v);
    ids.record('info', await t.call(admin, 'one.template.info', i(tid), b(false)), view);
    ids.record('info: the TEMPLATE element as sent', await t.call(admin, 'one.template.info', i(tid), b(false)), rawTemplate);
    ids.record('allocate the same name', await t.call(admin, 'one.template.allocate', s(xmlForm(nodes))));
    ids.record('allocate without NAME', await t.call(admin, 'one.template.allocate', s(xmlForm([{ name: 'CPU', value: '1' }]))));
    const two = await t.call(admin, 'one.template.allocate', s(`NAME = "${tag}-two"\nDISK = [ IMAGE_ID = "4" ]\nDISK = [ IMAGE_ID = "2", DEV_PREFIX = "vd" ]\nNIC = [ NETWORK_ID = "0" ]\nMEMORY = 512`));
    ids.record('allocate (text form, two DISKs)', two);
    const tid2 = Number(two.items[1].v);
    ids.record('info of two DISKs', await t.call(admin, 'one.template.info', i(tid2), b(false)), view);
    ids.record('merge empty values (text)', await t.call(admin, 'one.template.update', i(tid2), s('E1 = ""\nE2 =\nV = [ A = "", B = "1" ]'), i(1)));
    ids.record('info: empty values', await t.call(admin, 'one.template.info', i(tid2), b(false)), rawTemplate);
    ids.record('info: empty values, parsed', await t.call(admin, 'one.template.info', i(tid2), b(false)), view);
    const merge = (label: string, body: string): Promise<unknown> => t.call(admin, 'one.template.update', i(tid2), s(body), i(1)).then((x) => ids.record(label, x));
    await merge('merge one DISK (XML)', xmlForm([{ name: 'DISK', vector: { IMAGE_ID: '9' } }, { name: 'VMCATCHER_EVENT_HV_VERSION', value: '2.0' }]));
    ids.record('after merging one DISK', await t.call(admin, 'one.template.info', i(tid2), b(false)), view);
    await merge('merge two DISKs (XML)', xmlForm([{ name: 'DISK', vector: { IMAGE_ID: '5' } }, { name: 'DISK', vector: { IMAGE_ID: '6' } }]));
    ids.record('after merging two DISKs', await t.call(admin, 'one.template.info', i(tid2), b(false)), view);
    await merge('merge an empty vector (text)', 'NIC = [ ]');
    ids.record('after merging an empty vector', await t.call(admin, 'one.template.info', i(tid2), b(false)), view);
    ids.record('replace', await t.call(admin, 'one.template.update', i(tid2), s(xmlForm([{ name: 'CPU', value: '2' }, { name: 'DISK', vector: { IMAGE_ID: '7' } }])), i(0)));
    ids.record('after replace', await t.call(admin, 'one.template.info', i(tid2), b(false)), view);
    const edges = '<TEMPLATE><NOCHILD></NOCHILD><SELF/><V><A>1</A><A>2</A><B></B><C><![CDATA[]]></C></V><W><X><Y>1</Y></X></W></TEMPLATE>';
    ids.record('replace with XML edge cases', await t.call(admin, 'one.template.update', i(tid2), s(edges), i(0)));
    ids.record('after the XML edge cases', await t.call(admin, 'one.template.info', i(tid2), b(false)), rawTemplate);
    ids.record('replace with a repeated key (text)', await t.call(admin, 'one.template.update', i(tid2), s('V = [ A = "1", A = "2" ]'), i(0)));
    ids.record('after the repeated key', await t.call(admin, 'one.template.info', i(tid2), b(false)), rawTemplate);
    ids.record('update type 2', await t.call(admin, 'one.template.update', i(tid2), s('A = 1'), i(2)));
    ids.record('update a malformed template', await t.call(admin, 'one.template.update', i(tid2), s('<TEMPLATE><A>1</TEMPLATE>'), i(1)));
    ids.record('update a missing template', await t.call(admin, 'one.template.update', i(987654), s('A = 1'), i(1)));
    ids.record('info of a missing template', await t.call(admin, 'one.template.info', i(987654), b(false)));
    void id;
  },

  async 'owning a VM template, permissions, names'(t, rec, tag) {
    const ids = new TemplateIds(rec);
    const { oneadmin, alice, bob } = t.sessions;
    const name = `${tag}-p`;
    const a = await t.call(oneadmin, 'one.template.allocate', s(`NAME = "${name}"\nMEMORY = "64"`));
    ids.record('allocate', a);
    const tid = Number(a.items[1].v);
    ids.record('info as oneadmin', await t.call(oneadmin, 'one.template.info', i(tid), b(false)), view);
    ids.record('alice reads a private template', await t.call(alice, 'one.template.info', i(tid), b(false)));
    ids.record('chown to alice:users', await t.call(oneadmin, 'one.template.chown', i(tid), i(t.userIds.alice), i(1)));
    ids.record('alice reads it', await t.call(alice, 'one.template.info', i(tid), b(false)), view);
    ids.record('bob reads it', await t.call(bob, 'one.template.info', i(tid), b(false)));
    ids.record('alice chmods 640', await chmod(t, alice, tid, [1, 1, 0, 1, 0, 0, 0, 0, 0]));
    ids.record('bob reads it now', await t.call(bob, 'one.template.info', i(tid), b(false)), view);
    ids.record('bob renames', await t.call(bob, 'one.template.rename', i(tid), s(`${tag}-bob`)));
    ids.record('bob updates', await t.call(bob, 'one.template.update', i(tid), s('A = 1'), i(1)));
    ids.record('bob deletes', await t.call(bob, 'one.template.delete', i(tid), b(false)));
    ids.record('alice gives it to bob', await t.call(alice, 'one.template.chown', i(tid), i(t.userIds.bob), i(-1)));
    ids.record('alice chmods an ADMIN bit', await chmod(t, alice, tid, [-1, -1, 1, -1, -1, -1, -1, -1, -1]));
    ids.record('alice allocates the name she holds', await t.call(alice, 'one.template.allocate', s(`NAME = "${name}"`)));
    ids.record('alice sets a restricted attribute', await t.call(alice, 'one.template.allocate', s(`NAME = "${tag}-r"\nNIC = [ NETWORK_ID = "0", MAC = "02:00:00:00:00:01" ]`)));
    ids.record('alice updates a restricted attribute', await t.call(alice, 'one.template.update', i(tid), s('CPU_COST = "2"'), i(1)));
    const rs = await t.call(oneadmin, 'one.template.allocate', s(`NAME = "${tag}-rs"\nCPU_COST = "1"\nDISK = [ IMAGE_ID = "0", READ_BYTES_SEC = "100" ]`));
    ids.record('oneadmin allocates with restricted attributes', rs);
    const rid = Number(rs.items[1].v);
    ids.record('and gives it to alice', await t.call(oneadmin, 'one.template.chown', i(rid), i(t.userIds.alice), i(-1)));
    ids.record('alice replaces, leaving CPU_COST out, DISK as it was', await t.call(alice, 'one.template.update', i(rid), s('MEMORY = "1"\nDISK = [ IMAGE_ID = "3", READ_BYTES_SEC = "100" ]'), i(0)));
    ids.record('what is kept', await t.call(oneadmin, 'one.template.info', i(rid), b(false)), view);
    ids.record('alice replaces without DISK', await t.call(alice, 'one.template.update', i(rid), s('MEMORY = "2"'), i(0)));
    ids.record('alice changes DISK READ_BYTES_SEC', await t.call(alice, 'one.template.update', i(rid), s('DISK = [ IMAGE_ID = "3", READ_BYTES_SEC = "200" ]'), i(1)));
    ids.record('alice merges without DISK', await t.call(alice, 'one.template.update', i(rid), s('MEMORY = "3"'), i(1)));
    ids.record('what is kept now', await t.call(oneadmin, 'one.template.info', i(rid), b(false)), view);
    const again = await t.call(oneadmin, 'one.template.allocate', s(`NAME = "${name}"`));
    ids.record('oneadmin allocates that name again', again);
    const tid2 = Number(again.items[1].v);
    ids.record('chown it onto alice, who holds the name', await t.call(oneadmin, 'one.template.chown', i(tid2), i(t.userIds.alice), i(-1)));
    ids.record('chown it to its owner', await t.call(oneadmin, 'one.template.chown', i(tid2), i(0), i(0)));
    const third = await t.call(oneadmin, 'one.template.allocate', s(`NAME = "${tag}-q"`));
    ids.record('allocate a third', third);
    ids.record('rename onto a name the owner has', await t.call(oneadmin, 'one.template.rename', i(tid2), s(`${tag}-q`)));
    ids.record('rename to the name it has', await t.call(oneadmin, 'one.template.rename', i(tid2), s(name)));
    ids.record('rename with a quote', await t.call(oneadmin, 'one.template.rename', i(tid2), s(`${tag} "q"`)));
    ids.record('rename onto a name only alice has', await t.call(oneadmin, 'one.template.rename', i(Number(third.items[1].v)), s(`${tag}-x`)));
    ids.record('chown to a missing user', await t.call(oneadmin, 'one.template.chown', i(tid2), i(999), i(-1)));
    ids.record('chown to a missing group', await t.call(oneadmin, 'one.template.chown', i(tid2), i(-1), i(999)));
    ids.record('chmod with 2', await chmod(t, oneadmin, tid2, [2, 1, 0, 0, 0, 0, 0, 0, 0]));
    ids.record('chmod a missing template', await chmod(t, oneadmin, 987654, [1, 1, 0, 0, 0, 0, 0, 0, 0]));
    for (const [who, filter] of [['alice', -2], ['alice', -3], ['alice', -1], ['bob', -2], ['bob', -1], ['oneadmin', -2], ['oneadmin', -3]] as const) {
      ids.record(`pool ${filter} as ${who}`, await t.call(t.sessions[who], 'one.templatepool.info', i(filter), i(-1), i(-1)), (v) => poolNames(v, tag));
    }
    ids.record('pool with a wrong filter', await t.call(oneadmin, 'one.templatepool.info', i(-5), i(-1), i(-1)));
  },

  async 'locking and deleting a VM template'(t, rec, tag) {
    const ids = new TemplateIds(rec);
    const admin = t.sessions.oneadmin;
    const file = path.join(t.safeDir, 'disk.raw');
    const img = await t.call(admin, 'one.image.allocate', s(`NAME = "${tag}-img"\nPATH = "${file}"\nTYPE = "OS"\n`), i(1));
    rec.record('allocate an image', img, () => 'image');
    const iid = Number(img.items[1].v);
    for (let k = 0; k < 600; k++) {
      const st = parseDoc(String((await t.call(admin, 'one.image.info', i(iid), b(false))).items[1].v)).IMAGE[0].STATE;
      if (st !== '4') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const body = `NAME = "${tag}-d"\nDISK = [ IMAGE_ID = "${iid}" ]`;
    const a = await t.call(admin, 'one.template.allocate', s(body));
    ids.record('allocate', a);
    const tid = Number(a.items[1].v);
    ids.record('lock MANAGE (2)', await t.call(admin, 'one.template.lock', i(tid), i(2), b(false)));
    ids.record('info shows the lock', await t.call(admin, 'one.template.info', i(tid), b(false)), (v) => view(v).lock);
    ids.record('update while locked', await t.call(admin, 'one.template.update', i(tid), s('A = 1'), i(1)));
    ids.record('delete while locked', await t.call(admin, 'one.template.delete', i(tid), b(false)));
    ids.record('lock level 7', await t.call(admin, 'one.template.lock', i(tid), i(7), b(false)));
    ids.record('unlock', await t.call(admin, 'one.template.unlock', i(tid)));
    ids.record('chmod recursive', await t.call(admin, 'one.template.chmod', i(tid), ...[1, 1, 0, 1, 0, 0, 0, 0, 0].map(i), b(true)));
    rec.record('the image after a recursive chmod', await t.call(admin, 'one.image.info', i(iid), b(false)), (v) => {
      const p = parseDoc(String(v)).IMAGE[0].PERMISSIONS;
      return ['OWNER_U', 'OWNER_M', 'OWNER_A', 'GROUP_U', 'GROUP_M', 'GROUP_A', 'OTHER_U', 'OTHER_M', 'OTHER_A'].map((k) => p[k]).join('');
    });
    ids.record('delete (recursive false)', await t.call(admin, 'one.template.delete', i(tid), b(false)));
    rec.record('the image is still there', await t.call(admin, 'one.image.info', i(iid), b(false)), (v) => parseDoc(String(v)).IMAGE[0].STATE);
    ids.record('delete it again', await t.call(admin, 'one.template.delete', i(tid), b(false)));
    const a2 = await t.call(admin, 'one.template.allocate', s(body));
    ids.record('allocate again', a2);
    ids.record('delete without the flag', await t.call(admin, 'one.template.delete', i(Number(a2.items[1].v))));
    rec.record('the image is still there after', await t.call(admin, 'one.image.info', i(iid), b(false)), (v) => parseDoc(String(v)).IMAGE[0].STATE);
    const a3 = await t.call(admin, 'one.template.allocate', s(body));
    ids.record('allocate a third time', a3);
    ids.record('delete recursive', await t.call(admin, 'one.template.delete', i(Number(a3.items[1].v)), b(true)));
    const after = await t.call(admin, 'one.image.info', i(iid), b(false));
    // DELETE while the datastore's rm runs, then gone: either is a deleted image.
    const state = after.items[0].v === true ? String(parseDoc(String(after.items[1].v)).IMAGE[0].STATE) : 'gone';
    rec.entries.push({ label: 'the image after a recursive delete', result: state === '7' || state === 'gone' ? 'deleted' : `state ${state}` });
  },
};
