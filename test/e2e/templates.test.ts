// VMCHNDL_ON_TEMPLATE end to end: the bundled command against the simulator's VM templates.
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { ALPHA, availableEvent, cacheImage, currentImages, expireEvent, imageListSays, publish } from './scenario';
import { runHook, stateFiles, writeCalls } from './site';
import { adminClient, adminEdit, recordOf, TEMPLATE_ON, writeCacheIndex } from './template-scenario';
import { useSite } from './use-site';

const templateCalls = (calls: string[]) => calls.filter((m) => m.indexOf('one.template') === 0);

describe('VM templates: with VMCHNDL_ON_TEMPLATE off', () => {
  const site = useSite();
  it('registers, rotates and retires without a single template call', async () => {
    const s = site();
    const v1 = cacheImage(s, 'qcow2', 'alpha-v1');
    expect((await runHook(s, availableEvent(s, v1))).code).toBe(0);
    const v2 = cacheImage(s, 'qcow2', 'alpha-v2');
    expect((await runHook(s, availableEvent(s, v2))).code).toBe(0);
    expect((await runHook(s, Object.assign(expireEvent(s), imageListSays(1)))).code).toBe(0);
    const st = await runHook(s, {}, { args: ['status', '--json'] });
    expect(JSON.parse(st.stdout).identifiers[0].template).toBe(null);
    expect(s.sim.images().length).toBe(2);
    expect(s.sim.calls.filter((c) => /^one\.template/.test(c.method))).toEqual([]);
    expect(s.sim.templates()).toEqual([]);
  }, 60000);
});

describe('VM templates: with VMCHNDL_ON_TEMPLATE=yes', () => {
  const site = useSite({ settings: TEMPLATE_ON });

  it('a first registration creates the template; a rotation points it at the new image and keeps the admin\'s edits; expiry retires it; re-endorsement brings it back', async () => {
    const s = site();
    writeCacheIndex(s, '512', '2');
    const v1 = cacheImage(s, 'qcow2', 'alpha-v1');
    const r1 = await runHook(s, availableEvent(s, v1));
    expect(r1.code, r1.stderr).toBe(0);
    const img1 = currentImages(s)[0];
    const [t] = s.sim.templates();
    expect(recordOf(s).template!.id).toBe(t.id);
    expect(t).toMatchObject({ name: 'Alpha Linux Base', uid: 0, gid: 0, permissions: [1, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(t.template).toMatchObject({
      MEMORY: '512',
      CPU: '2',
      VCPU: '2',
      CLOUDKEEPER_APPLIANCE_MPURI: 'https://appdb.example.test/store/vm/image/1e2b8099-febf-444f-8078-8942ca3e5210:101/',
      CLOUDKEEPER_APPLIANCE_VERSION: '1.0',
      CLOUDKEEPER_APPLIANCE_ARCHITECTURE: 'x86_64',
      CLOUDKEEPER_APPLIANCE_DESCRIPTION: 'Alpha Linux base image for the vmc lab (qcow2)',
      VMCATCHER_EVENT_AD_MPURI: 'https://appdb.example.test/store/vm/image/1e2b8099-febf-444f-8078-8942ca3e5210:101/',
      VMCATCHER_EVENT_HV_VERSION: '1.0',
      VMCATCHER_EVENT_DC_IDENTIFIER: ALPHA,
    });
    const vec = (name: string) => t.nodes.filter((n) => n.name === name).map((n) => ('vector' in n ? n.vector : n.value));
    expect(vec('DISK')).toEqual([{ IMAGE_ID: String(img1.id) }]);
    expect(vec('OS')).toEqual([{ ARCH: 'x86_64' }]);
    expect(vec('CONTEXT')).toEqual([{ NETWORK: 'YES', SSH_PUBLIC_KEY: '$USER[SSH_PUBLIC_KEY]' }]);

    const st = await runHook(s, {}, { args: ['status', ALPHA] });
    expect(st.stdout).toContain(`VM template ${t.id} "Alpha Linux Base"`);

    // The admin publishes the image to users (640), adds a NIC and gives the template more memory.
    await publish(s, img1.id, { gid: 1, mode: '640' });
    await adminEdit(s, t.id, [{ name: 'NIC', vector: { NETWORK: 'public' } }, { name: 'MEMORY', value: '4096' }]);
    const v2 = cacheImage(s, 'qcow2', 'alpha-v2');
    s.sim.clearCalls();
    const r2 = await runHook(s, availableEvent(s, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    expect(r2.code, r2.stderr).toBe(0);
    const img2 = currentImages(s)[0];
    expect(img2.id).not.toBe(img1.id);
    const t2 = s.sim.template(t.id)!;
    expect(s.sim.templates().length).toBe(1);
    expect(t2.nodes.filter((n) => n.name === 'DISK')).toEqual([{ name: 'DISK', vector: { IMAGE_ID: String(img2.id) } }]);
    expect(t2.nodes.filter((n) => n.name === 'NIC')).toEqual([{ name: 'NIC', vector: { NETWORK: 'public' } }]);
    expect(t2.template).toMatchObject({ MEMORY: '4096', CPU: '2', VMCATCHER_EVENT_HV_VERSION: '2.0', CLOUDKEEPER_APPLIANCE_VERSION: '2.0' });
    expect(t2).toMatchObject({ uid: 0, gid: 1, permissions: [1, 1, 0, 1, 0, 0, 0, 0, 0] });
    expect(templateCalls(writeCalls(s.sim))).toEqual(['one.template.update', 'one.template.chown', 'one.template.chmod']);

    // Expiry: the image retires, so does the template (oneadmin's group, 700, marked), never deleted.
    const r3 = await runHook(s, Object.assign(expireEvent(s), imageListSays(1)));
    expect(r3.code, r3.stderr).toBe(0);
    const t3 = s.sim.template(t.id)!;
    expect(t3).toMatchObject({ uid: 0, gid: 0, permissions: [1, 1, 1, 0, 0, 0, 0, 0, 0] });
    expect(t3.template.VMCHNDL_ON_RETIRED).toMatch(/^\d{4}-/);
    expect(t3.template).toMatchObject({ VMCHNDL_ON_RETIRED_FROM_GID: '1', VMCHNDL_ON_RETIRED_FROM_MODE: '640', MEMORY: '4096' });

    // Re-endorsement: a new image comes back with the group and mode it had, and the template with it.
    const v3 = cacheImage(s, 'qcow2', 'alpha-v3');
    const r4 = await runHook(s, availableEvent(s, v3, { VMCATCHER_EVENT_HV_VERSION: '3.0' }));
    expect(r4.code, r4.stderr).toBe(0);
    const img3 = currentImages(s)[0];
    const t4 = s.sim.template(t.id)!;
    expect(s.sim.templates().length).toBe(1);
    expect(t4.nodes.filter((n) => n.name === 'DISK')).toEqual([{ name: 'DISK', vector: { IMAGE_ID: String(img3.id) } }]);
    expect(t4).toMatchObject({ gid: 1, permissions: [1, 1, 0, 1, 0, 0, 0, 0, 0] });
    expect(t4.template).toMatchObject({ VMCHNDL_ON_RETIRED: '', VMCATCHER_EVENT_HV_VERSION: '3.0', MEMORY: '4096' });
    expect(t4.nodes.filter((n) => n.name === 'NIC').length).toBe(1);
    const st4 = JSON.parse((await runHook(s, {}, { args: ['status', '--json', ALPHA] })).stdout);
    expect(st4.identifiers[0].template).toEqual({ id: t.id, name: 'Alpha Linux Base', state: 'in use' });
  }, 90000);

  it('a template the admin deleted is not made again by events; `template <identifier>` makes it anew', async () => {
    const s = site();
    const v1 = cacheImage(s, 'qcow2', 'alpha-v1');
    expect((await runHook(s, availableEvent(s, v1))).code).toBe(0);
    const [t] = s.sim.templates();
    await (await adminClient(s)).templateDelete(t.id);
    const v2 = cacheImage(s, 'qcow2', 'alpha-v2');
    s.sim.clearCalls();
    const r = await runHook(s, availableEvent(s, v2));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/VM template \d+ of .* no longer exists .*`vmcatcher_eventHndl_ON template /);
    expect(s.sim.templates()).toEqual([]);
    expect(templateCalls(writeCalls(s.sim))).toEqual([]);

    const st = await runHook(s, {}, { args: ['status', ALPHA] });
    expect(st.stdout).toContain(`VM template ${t.id} deleted by an administrator`);
    const dry = await runHook(s, {}, { args: ['template', ALPHA, '--dry-run'] });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/create a VM template for .* \(VM template \d+, in the handler's record, no longer exists\)/);
    expect(s.sim.templates()).toEqual([]);
    const made = await runHook(s, {}, { args: ['template', ALPHA, '--json'] });
    expect(made.code, made.stderr).toBe(0);
    const out = JSON.parse(made.stdout);
    const [again] = s.sim.templates();
    expect(out).toMatchObject({ identifier: ALPHA, template: again.id, outcome: 'done' });
    expect(again.nodes.filter((n) => n.name === 'DISK')).toEqual([{ name: 'DISK', vector: { IMAGE_ID: String(currentImages(s)[0].id) } }]);
    expect(recordOf(s).template!.id).toBe(again.id);
    expect(stateFiles(s, 'journal')).toEqual([]);
    // Asked again: nothing to do.
    s.sim.clearCalls();
    const twice = await runHook(s, {}, { args: ['template', ALPHA] });
    expect(twice.code, twice.stderr).toBe(0);
    expect(templateCalls(writeCalls(s.sim))).toEqual([]);
  }, 60000);

  it('an image registered before the setting was on gets its template at its next event, even one that changes nothing else', async () => {
    const s = site();
    const v1 = cacheImage(s, 'qcow2', 'alpha-v1');
    const off = await runHook(s, availableEvent(s, v1), { args: ['-s', 'VMCHNDL_ON_TEMPLATE=no'] });
    expect(off.code, off.stderr).toBe(0);
    expect(s.sim.templates()).toEqual([]);
    const again = await runHook(s, availableEvent(s, v1));
    expect(again.code, again.stderr).toBe(0);
    expect(currentImages(s).length).toBe(1);
    const [t] = s.sim.templates();
    expect(t.nodes.filter((n) => n.name === 'DISK')).toEqual([{ name: 'DISK', vector: { IMAGE_ID: String(currentImages(s)[0].id) } }]);
    // No cache.index: the site's defaults.
    expect(t.template).toMatchObject({ MEMORY: '1024', CPU: '1', VCPU: '1' });
  }, 60000);

  it('a site template file adds NICs and more; a bad one is exit 3, the event kept and OpenNebula untouched', async () => {
    const s = site();
    const file = path.join(s.root, 'site.tmpl');
    fs.writeFileSync(file, '# site part\nNIC = [ NETWORK = "public" ]\nGRAPHICS = [ TYPE = "VNC", LISTEN = "0.0.0.0" ]\nCONTEXT = [ REPORT_READY = "YES" ]\nLOGO = "images/logos/{title}.png"\n');
    const bad = path.join(s.root, 'bad.tmpl');
    fs.writeFileSync(bad, 'NIC = [ NETWORK = "public" ]\nGRAPHICS = [ TYPE = "VNC"\n');
    const v1 = cacheImage(s, 'qcow2', 'alpha-v1');
    s.sim.clearCalls();
    const refused = await runHook(s, availableEvent(s, v1), { args: ['-s', `VMCHNDL_ON_TEMPLATE_FILE=${bad}`] });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`VMCHNDL_ON_TEMPLATE_FILE: ${bad} line 2: the vector GRAPHICS is not closed`);
    expect(writeCalls(s.sim)).toEqual([]);
    expect(stateFiles(s, 'spool').length).toBe(1);
    const r = await runHook(s, availableEvent(s, v1), { args: ['-s', `VMCHNDL_ON_TEMPLATE_FILE=${file}`] });
    expect(r.code, r.stderr).toBe(0);
    const [t] = s.sim.templates();
    const vec = (name: string) => t.nodes.filter((n) => n.name === name).map((n) => ('vector' in n ? n.vector : n.value));
    expect(vec('NIC')).toEqual([{ NETWORK: 'public' }]);
    expect(vec('GRAPHICS')).toEqual([{ TYPE: 'VNC', LISTEN: '0.0.0.0' }]);
    expect(vec('CONTEXT')).toEqual([{ NETWORK: 'YES', SSH_PUBLIC_KEY: '$USER[SSH_PUBLIC_KEY]', REPORT_READY: 'YES' }]);
    expect(t.template.LOGO).toBe('images/logos/Alpha Linux Base.png');
    expect(stateFiles(s, 'spool')).toEqual([]);
  }, 60000);

  it("README's worked example: its site file gives the template the README shows", async () => {
    const s = site();
    const readme = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const siteFile = readme.split('`/etc/vmcatcher_eventHndl_ON.template`:\n\n```\n')[1].split('```')[0];
    const shown = readme.split('TEMPLATE CONTENTS\n')[1].split('```')[0].trim().split('\n');
    const file = path.join(s.root, 'site.tmpl');
    fs.writeFileSync(file, siteFile);
    writeCacheIndex(s, '512', '2');
    const r = await runHook(s, availableEvent(s, cacheImage(s, 'qcow2', 'alpha-v1')), { args: ['-s', `VMCHNDL_ON_TEMPLATE_FILE=${file}`] });
    expect(r.code, r.stderr).toBe(0);
    const [t] = s.sim.templates();
    expect(t.name).toBe('Alpha Linux Base');
    const unquote = (v: string) => JSON.parse(v) as string;
    const expected = shown
      .filter((l) => !/^(VMCHNDL_ON_RUN|DISK)=/.test(l))
      .map((l) => {
        const eq = l.indexOf('=');
        const name = l.slice(0, eq);
        const v = l.slice(eq + 1);
        if (v.charAt(0) !== '[') return { name, value: unquote(v) };
        const vector: Record<string, string> = {};
        for (const m of v.slice(1, -1).match(/[A-Z_]+="(?:[^"\\]|\\.)*"/g) || []) vector[m.slice(0, m.indexOf('='))] = unquote(m.slice(m.indexOf('=') + 1));
        return { name, vector };
      });
    expect(t.nodes.filter((n) => n.name !== 'VMCHNDL_ON_RUN' && n.name !== 'DISK')).toEqual(expected);
    expect(t.nodes.filter((n) => n.name === 'DISK')).toEqual([{ name: 'DISK', vector: { DEV_PREFIX: 'vd', IMAGE_ID: String(currentImages(s)[0].id) } }]);
  }, 60000);

  it('a lost record: no second template at the next event; `template <identifier>` takes the handler\'s own back', async () => {
    const s = site();
    expect((await runHook(s, availableEvent(s, cacheImage(s, 'qcow2', 'alpha-v1')))).code).toBe(0);
    const [t] = s.sim.templates();
    fs.rmSync(path.join(s.stateDir, 'records'), { recursive: true, force: true });
    const r = await runHook(s, availableEvent(s, cacheImage(s, 'qcow2', 'alpha-v1')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`VM template ${t.id} .* not in the handler's record: no other template is created`));
    expect(s.sim.templates().length).toBe(1);
    s.sim.clearCalls();
    const taken = await runHook(s, {}, { args: ['template', ALPHA] });
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stderr).toMatch(/recorded as the template of/);
    expect(s.sim.templates().map((x) => x.id)).toEqual([t.id]);
    expect(recordOf(s).template!.id).toBe(t.id);
    expect(templateCalls(writeCalls(s.sim))).toEqual([]);
  }, 60000);
});
