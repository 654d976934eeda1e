// The README's first command: the hook on an embedded default site. An oned simulator, vmcatcher's
// directories with a real qcow2 image made by qemu-img, the real event dumps of vmcatcher 0.6.3:
// first registration, then an update (Expire of v1, Available of v2), printing what happened.
import * as fs from 'fs';
import { requireQemuImg } from '../test/helpers/images';
import { ALPHA, availableEvent, cacheImage, expireEvent, imageListSays } from '../test/e2e/scenario';
import { makeSite, runHook, Site } from '../test/e2e/site';

function table(site: Site): string {
  const rows = site.sim.images().map((i) => {
    const mode = i.permissions.map((b, n) => (b ? 'uma'[n % 3] : '-')).join('');
    return `  ${String(i.id).padEnd(3)} ${i.name.padEnd(72)} ${`${i.uname}:${i.gname}`.padEnd(18)} ${mode}  ${i.stateName.padEnd(8)} v${i.template.VMCATCHER_EVENT_HV_VERSION || '?'}`;
  });
  return [`  ${'ID'.padEnd(3)} ${'NAME'.padEnd(72)} ${'OWNER:GROUP'.padEnd(18)} ${'PERMS'.padEnd(9)}  ${'STATE'.padEnd(8)} VERSION`].concat(rows).join('\n');
}

async function step(site: Site, title: string, env: Record<string, string>): Promise<void> {
  console.log(`\n=== ${title}\n$ /bin/sh -c /usr/bin/vmcatcher_eventHndl_ON   # VMCATCHER_EVENT_TYPE=${env.VMCATCHER_EVENT_TYPE}`);
  const r = await runHook(site, env);
  process.stdout.write(r.stderr.split('\n').map((l) => `  | ${l}`).join('\n') + '\n');
  console.log(`  exit code ${r.code}\n\nImages in OpenNebula now:\n${table(site)}`);
  if (r.code !== 0) throw new Error(`the hook failed with exit code ${r.code}`);
}

async function main(): Promise<void> {
  requireQemuImg();
  const site = await makeSite();
  try {
    console.log(`oned simulator (OpenNebula ${site.sim.version}) at ${site.sim.url}; vmcatcher cache ${site.cacheDir}`);
    // The admin has published the image to the users group; the rotation must keep that.
    const v1 = cacheImage(site, 'qcow2', 'alpha-v1', ALPHA, 64);
    await step(site, 'vmcatcher caches alpha v1 (qcow2): AvailablePostfix → first registration', availableEvent(site, v1));
    const id = site.sim.images()[0].id;
    const { createOneClient } = await import('../src/one/client');
    const one = createOneClient({ endpoint: site.sim.url, session: fs.readFileSync(site.authFile, 'utf8').trim() });
    await one.imageChown(id, -1, 1);
    await one.imageChmod(id, [1, 1, 0, 1, 0, 0, 0, 0, 0]);
    console.log(`\n=== the admin publishes image ${id} to the users group (chgrp users, chmod 640)\n${table(site)}`);
    await step(site, 'the list is updated: ExpirePostfix for v1 (vmcatcher_image -l says 3: still subscribed)', Object.assign(expireEvent(site), imageListSays(3)));
    const v2 = cacheImage(site, 'qcow2', 'alpha-v2', ALPHA, 64);
    await step(site, 'AvailablePostfix for alpha v2 → rotation', availableEvent(site, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    await step(site, 'the same event again (vmcatcher re-downloaded the file) → nothing to do', availableEvent(site, v2, { VMCATCHER_EVENT_HV_VERSION: '2.0' }));
    console.log('\nDemo finished: v2 is current with the group and permissions the admin gave v1; v1 is retired (oneadmin, 700, disabled).');
  } finally {
    await site.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
