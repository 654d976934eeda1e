// The README's first command: the hook on an embedded default site. An oned simulator, vmcatcher's
// directories with a real qcow2 image made by qemu-img, the real event dumps of vmcatcher 0.6.3:
// first registration, then an update (Expire of v1, Available of v2), printing what happened.
import * as fs from 'fs';
import * as path from 'path';
import { requireQemuImg } from '../test/helpers/images';
import { ALPHA, availableEvent, cacheImage, expireEvent, imageListSays } from '../test/e2e/scenario';
import { makeSite, runHook, Site } from '../test/e2e/site';

/** An event saved as `env` prints it, for `replay --env-file`. */
function writeEvent(site: Site, env: Record<string, string>): string {
  const file = path.join(site.root, 'event.env');
  fs.writeFileSync(file, Object.keys(env).map((k) => `${k}=${env[k]}\n`).join(''));
  return file;
}

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

/** An administrator's command on the site, its output shown as it is. */
async function admin(site: Site, args: string[], env: Record<string, string> = {}): Promise<number> {
  console.log(`\n$ vmcatcher_eventHndl_ON ${args.join(' ')}`);
  const r = await runHook(site, env, { args });
  if (r.stdout) process.stdout.write(r.stdout.split('\n').map((l) => `  ${l}`).join('\n') + '\n');
  if (r.stderr) process.stdout.write(r.stderr.split('\n').map((l) => `  | ${l}`).join('\n') + '\n');
  console.log(`  exit code ${r.code}`);
  return r.code;
}

/** With --keep: the site stays up; the lines to use it from a shell. */
async function keepRunning(site: Site): Promise<void> {
  const bin = path.resolve(__dirname, '../../bin');
  const vars = Object.assign({}, site.baseEnv, { VMCATCHER_CACHE_DIR_CACHE: site.cacheDir, PATH: `${bin}:${site.baseEnv.PATH}` });
  const q = (v: string) => `'${v.replace(/'/g, "'\\''")}'`;
  console.log('\nThe simulator site keeps running (Ctrl-C ends it). In another shell:\n');
  for (const k of Object.keys(vars).sort()) console.log(`export ${k}=${q(vars[k])}`);
  console.log('vmcatcher_eventHndl_ON status; vmcatcher_eventHndl_ON doctor; vmcatcher_eventHndl_ON history ' + ALPHA);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
}

async function main(): Promise<void> {
  requireQemuImg();
  const keep = process.argv.indexOf('--keep') >= 0;
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
    console.log('\n=== what an administrator sees');
    await admin(site, ['status']);
    await admin(site, ['history', ALPHA]);
    const v3 = cacheImage(site, 'qcow2', 'alpha-v3', ALPHA, 16);
    console.log('\n=== a damaged download: the checksum does not match, the event is kept for a retry');
    await admin(site, ['replay', '--env-file', writeEvent(site, availableEvent(site, v3, { VMCATCHER_EVENT_HV_VERSION: '3.0', VMCATCHER_EVENT_SL_CHECKSUM_SHA512: '0'.repeat(128) }))]);
    await admin(site, ['pending']);
    await admin(site, ['check']);
    await admin(site, ['forget', ALPHA, '--yes']);
    console.log('\nDemo finished: v2 is current with the group and permissions the admin gave v1; v1 is retired (oneadmin, 700, disabled).');
    if (keep) await keepRunning(site);
    else console.log('(`npm run demo -- --keep` keeps the simulator site running and prints the lines to use it.)');
  } finally {
    await site.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
