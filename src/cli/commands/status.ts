// `status [identifier…]`: what OpenNebula holds for each image list entry, and what is pending. Reads only.
import { EXIT } from '../../errors';
import { listOpenJournals, listParkedJournals } from '../../exec/journal';
import { listSpool } from '../../spool/spool';
import { collectStatus, IdentifierStatus, ImageView, StatusReport } from '../../status/status-report';
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
    v.role === 'current' ? paint('bold', v.role) : v.role === 'duplicate' ? paint('yellow', v.role) : paint('dim', v.role),
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
  const images = (s.current ? [s.current] : []).concat(s.duplicates, s.retired);
  if (images.length) {
    out += formatTable(
      ['ROLE', 'ID', 'NAME', 'OWNER:GROUP', 'MODE', 'STATE', 'VMS', 'REGISTERED', 'DATASTORE', 'VERSION'],
      images.map((v) => imageRow(v, paint)),
      { indent: '  ' },
    );
  } else {
    out += '  no image in OpenNebula\n';
  }
  if (!s.current && images.length) out += `  ${paint('yellow', 'no current image')}: the next AvailablePostfix registers one\n`;
  if (s.duplicates.length) out += `  ${paint('yellow', 'several images look current')}: the next event rotates image ${s.current!.id} and leaves the others alone\n`;
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
    const images = await rt.deps.one().imagePool();
    const pending = listSpool(stateDir, undefined, (f, why) => log.warn('spool', `${f}: unreadable spool entry (${why}); left in place`));
    const waiting = listParkedJournals(stateDir);
    const report = collectStatus({ images, pending, interrupted: listOpenJournals(stateDir), waiting, identifiers, retiredNamePattern: rt.config.retiredNamePattern });
    if (o.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
    else io.stdout(formatStatus(report, painter(colorWanted(io.interactive && process.stdout.isTTY, io.env))));
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
