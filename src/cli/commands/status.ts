// `status [identifier…]`: what OpenNebula holds for each image list entry, and what is pending. Reads only.
import { EXIT } from '../../errors';
import { listOpenJournals, listParkedJournals } from '../../exec/journal';
import { listSpool } from '../../spool/spool';
import { warnUnreadableEntries } from '../../hook/spool-warnings';
import { HandlerRecord, listRecords, readBaseline, readRecord } from '../../record/record';
import { collectStatus, IdentifierStatus, ImageView, managedIdentifiers, StatusReport } from '../../status/status-report';
import { requireStateDir } from '../../files/state-dir';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';
import { colorWanted, formatTable, Paint, painter } from '../table';

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local `YYYY-MM-DD HH:MM:SS` (the table is for the admin's eyes; --json has ISO 8601 UTC). */
export function localTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function stateCell(state: string, paint: Paint): string {
  if (state === 'READY' || state === 'USED' || state === 'USED_PERS') return paint('green', state);
  if (state === 'ERROR') return paint('red', state);
  return paint('yellow', state);
}

function imageRow(v: ImageView, paint: Paint): string[] {
  return [
    // `*`: in the handler's own record.
    (v.role === 'current' ? paint('bold', v.role) : v.role === 'duplicate' || v.role === 'look-alike' ? paint('yellow', v.role) : paint('dim', v.role)) + (v.recorded ? '*' : ''),
    String(v.id),
    v.name,
    `${v.owner}:${v.group}`,
    `${v.mode} (${v.octal})`,
    stateCell(v.state, paint),
    String(v.runningVms),
    localTime(v.registered),
    `${v.datastoreId}:${v.datastore}`,
    v.version || '-',
  ];
}

/** One identifier as a block of text: a heading, its images as a table, then pending events and warnings. */
export function formatIdentifier(s: IdentifierStatus, paint: Paint): string {
  let out = `${paint('bold', s.identifier)}${s.title ? `  ${s.title}` : ''}\n`;
  const images = (s.current ? [s.current] : []).concat(s.duplicates, s.lookAlikes, s.retired);
  if (images.length) {
    out += formatTable(
      ['ROLE', 'ID', 'NAME', 'OWNER:GROUP', 'MODE', 'STATE', 'VMS', 'REGISTERED', 'DATASTORE', 'VERSION'],
      images.map((v) => imageRow(v, paint)),
      { indent: '  ' },
    );
  } else {
    out += '  no image in OpenNebula\n';
  }
  if (images.some((v) => v.recorded)) out += `  * in the handler's record\n`;
  if (!s.current && !s.duplicates.length && images.length) out += `  ${paint('yellow', 'no current image')}: the next AvailablePostfix registers one\n`;
  if (s.current && !s.recorded) out += `  ${paint('yellow', 'not recorded yet')}: the next event adopts image ${s.current.id} as current and records it\n`;
  if (s.duplicates.length) {
    out += `  ${paint('yellow', 'several images could be current')} and the handler has no record: events wait until \`vmcatcher_eventHndl_ON adopt ${s.identifier} <image id>\` says which\n`;
  }
  for (const v of s.lookAlikes) {
    out += `  ${paint('yellow', 'look-alike')}: image ${v.id} (owner ${v.owner}) carries the identifier but is not the handler's: events ignore it\n`;
  }
  for (const p of s.pending) {
    out += `  ${paint('cyan', 'pending')} ${p.type} received ${localTime(p.received)}, ${p.attempts} attempt(s)${p.lastError ? `, last error: ${p.lastError}` : ''}\n`;
  }
  if (s.interrupted) out += `  ${paint('red', 'interrupted run')}: \`vmcatcher_eventHndl_ON recover ${s.identifier}\` finishes or rolls it back\n`;
  if (s.waitingRetirement) {
    out += `  ${paint('yellow', 'retirement waiting for a locked image')}: \`oneimage unlock\` it, then \`vmcatcher_eventHndl_ON recover ${s.identifier}\` (or \`recover --abandon ${s.identifier}\` to leave it)\n`;
  }
  return out;
}

/** The whole report as text. */
export function formatStatus(r: StatusReport, paint: Paint): string {
  if (!r.identifiers.length) return 'no images managed by vmcatcher_eventHndl_ON (none carries VMCATCHER_EVENT_DC_IDENTIFIER) and nothing pending\n';
  return r.identifiers.map((s) => formatIdentifier(s, paint)).join('\n');
}

/** Shows the images of the given identifiers (all managed ones by default) and their pending events. */
export async function runStatus(o: CommonOptions & { json?: boolean }, identifiers: string[], io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const stateDir = rt.config.stateDir;
    requireStateDir(stateDir, 'read');
    const images = await rt.deps.one().imagePool();
    warnUnreadableEntries(stateDir, log, true);
    const pending = listSpool(stateDir, undefined, undefined, false);
    const interrupted = listOpenJournals(stateDir);
    const waiting = listParkedJournals(stateDir);
    const wanted = identifiers.length ? identifiers : managedIdentifiers(images, pending, interrupted).concat(listRecords(stateDir));
    const records: Record<string, HandlerRecord | undefined> = {};
    for (const id of wanted) records[id] = readRecord(stateDir, id);
    const baseline = readBaseline(stateDir);
    // Owners only an admin can give an image to: oneadmin, the retired owner, the user we log in as.
    const admins = [0].concat(images.filter((i) => i.uname === rt.config.retiredOwner || i.uname === rt.deps.sessionUser()).map((i) => i.uid));
    if (/^\d+$/.test(rt.config.retiredOwner)) admins.push(Number(rt.config.retiredOwner));
    const report = collectStatus({
      images,
      pending,
      interrupted,
      waiting,
      identifiers,
      retiredNamePattern: rt.config.retiredNamePattern,
      records,
      recordsSince: baseline === undefined ? undefined : Math.floor(baseline / 1000),
      adminUids: admins,
    });
    if (o.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    else io.stdout(formatStatus(report, painter(colorWanted(io.interactive && process.stdout.isTTY, io.env))));
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
