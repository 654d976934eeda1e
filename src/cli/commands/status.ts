// `status [identifier…]`: what OpenNebula holds for each image list entry, and what is pending. Reads only.
import * as path from 'path';
import { formatLocalTime } from '../../clock/local-time';
import { EXIT } from '../../errors';
import { CACHE_INDEX_FILE, readCacheIndex } from '../../vmcatcher/cache-index';
import { listOpenJournals, listParkedJournals } from '../../exec/journal';
import { listSpool } from '../../spool/spool';
import { shortError } from '../../status/short-error';
import { warnUnreadableEntries } from '../../hook/spool-warnings';
import { HandlerRecord, listRecords, readBaseline, readRecord } from '../../record/record';
import { collectStatus, IdentifierStatus, ImageView, managedIdentifiers, StatusReport } from '../../status/status-report';
import { requireStateDir } from '../../files/state-dir';
import type { OneApi } from '../../one/types';
import { Io, reportError } from '../io';
import { errorView } from './hook';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';
import { colorWanted, formatTable, Paint, painter, visibleWidth } from '../table';

/** Local time with its offset, the one format for people (--json has ISO 8601 UTC). */
export function localTime(iso: string): string {
  return formatLocalTime(iso);
}

function stateCell(state: string, paint: Paint): string {
  if (state === 'READY' || state === 'USED' || state === 'USED_PERS') return paint('green', state);
  if (state === 'ERROR') return paint('red', state);
  return paint('yellow', state);
}

// The heading names the identifier: a name that starts with it shows only the rest.
function shortName(name: string, identifier: string): string {
  if (name === identifier) return '=';
  return name.indexOf(identifier) === 0 ? `…${name.slice(identifier.length)}` : name;
}

function imageRow(v: ImageView, paint: Paint, identifier: string): string[] {
  return [
    // `*`: in the handler's own record.
    (v.role === 'current' ? paint('bold', v.role) : v.role === 'duplicate' || v.role === 'look-alike' ? paint('yellow', v.role) : paint('dim', v.role)) + (v.recorded ? '*' : ''),
    String(v.id),
    shortName(v.name, identifier),
    `${v.owner}:${v.group}`,
    `${v.mode} (${v.octal})`,
    stateCell(v.state, paint),
    String(v.runningVms),
    localTime(v.registered),
    `${v.datastoreId}:${v.datastore}`,
    v.version || '-',
  ];
}

const HEADERS = ['ROLE', 'ID', 'NAME', 'OWNER:GROUP', 'MODE', 'STATE', 'VMS', 'REGISTERED', 'DATASTORE', 'VERSION'];
// Dropped first when the terminal is too narrow (by index in HEADERS).
const DROP_ORDER = [8, 7, 4, 9, 6];

/** Leaves out the least needed columns until every line fits `width` (0: no limit). */
export function fitColumns(headers: readonly string[], rows: readonly (readonly string[])[], width: number, indent: number): { headers: string[]; rows: string[][] } {
  let keep = headers.map((_, i) => i);
  const tooWide = () => {
    const widths = keep.map((i) => Math.max(visibleWidth(headers[i]), ...rows.map((r) => visibleWidth(r[i] || ''))));
    return indent + widths.reduce((a, b) => a + b, 0) + 2 * (keep.length - 1) > width;
  };
  for (const d of DROP_ORDER) {
    if (!width || !tooWide()) break;
    keep = keep.filter((i) => i !== d);
  }
  return { headers: keep.map((i) => headers[i]), rows: rows.map((r) => keep.map((i) => r[i])) };
}

export interface TextOptions {
  /** Terminal width to fit, 0 for none. */
  readonly width: number;
  readonly header: boolean;
}

/** One identifier as a block of text: a heading, its images as a table, then pending events and warnings. */
export function formatIdentifier(s: IdentifierStatus & { unknown?: string; cachedOnly?: boolean }, paint: Paint, opts: TextOptions = { width: 0, header: true }): string {
  let out = `${paint('bold', s.identifier)}${s.title ? `  ${s.title}` : ''}\n`;
  const images = (s.current ? [s.current] : []).concat(s.duplicates, s.lookAlikes, s.retired);
  if (images.length) {
    const fit = fitColumns(HEADERS, images.map((v) => imageRow(v, paint, s.identifier)), opts.width, 2);
    const table = formatTable(fit.headers, fit.rows, { indent: '  ' });
    out += opts.header ? table : table.slice(table.indexOf('\n') + 1);
  } else if (s.unknown) {
    out += `  ${paint('red', 'unknown')}: ${s.unknown}\n`;
  } else {
    out += '  no image in OpenNebula\n';
  }
  if (images.some((v) => v.recorded)) out += `  * in the handler's record\n`;
  if (s.cachedOnly) out += `  ${paint('yellow', 'cached by vmcatcher but not registered')}: \`vmcatcher_eventHndl_ON replay ${s.identifier}\` registers it\n`;
  if (!s.current && !s.duplicates.length && images.length) out += `  ${paint('yellow', 'no current image')}: the next AvailablePostfix registers one\n`;
  if (s.current && !s.recorded) out += `  ${paint('yellow', 'not recorded yet')}: the next event adopts image ${s.current.id} as current and records it\n`;
  if (s.duplicates.length) {
    out += `  ${paint('yellow', 'several images could be current')} and the handler has no record: events wait until \`vmcatcher_eventHndl_ON adopt ${s.identifier} <image id>\` says which\n`;
  }
  for (const v of s.lookAlikes) {
    out += `  ${paint('yellow', 'look-alike')}: image ${v.id} (owner ${v.owner}) carries the identifier but is not the handler's: events ignore it\n`;
  }
  for (const p of s.pending) {
    out += `  ${paint('cyan', 'pending')} ${p.type} received ${localTime(p.received)}, ${p.attempts} attempt(s)${p.lastError ? `, last error: ${shortError(p.lastError)}` : ''}\n`;
  }
  if (s.interrupted) out += `  ${paint('red', 'interrupted run')}: \`vmcatcher_eventHndl_ON recover ${s.identifier}\` finishes or rolls it back\n`;
  const t = s.template;
  if (t && t.state === 'deleted') out += `  ${paint('yellow', `VM template ${t.id} deleted by an administrator`)}: not made again unasked; \`vmcatcher_eventHndl_ON template ${s.identifier}\` makes it anew\n`;
  else if (t && t.id !== null) out += `  VM template ${t.id} ${JSON.stringify(t.name)}${t.state === 'retired' ? ` ${paint('dim', '(retired)')}` : ''}\n`;
  else if (t && s.current) out += `  no VM template: the next event makes one\n`;
  for (const v of s.prune ? s.prune.verdicts.filter((x) => x.delete || x.why.indexOf('one of the newest') < 0) : []) {
    out += v.delete ? `  ${paint('cyan', 'prune would delete')} image ${v.id}: ${v.why}\n` : `  prune keeps image ${v.id}: ${v.why}\n`;
  }
  if (s.waitingRetirement) {
    out += `  ${paint('yellow', 'retirement waiting for a locked image')}: \`oneimage unlock\` it, then \`vmcatcher_eventHndl_ON recover ${s.identifier}\` (or \`recover --abandon ${s.identifier}\` to leave it)\n`;
  }
  return out;
}

function csvCell(v: string | number | null): string {
  const t = v === null ? '' : String(v);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** One line per image (full names), as `oneimage list --csv` users expect. */
export function formatStatusCsv(r: StatusReport, header: boolean): string {
  const head = ['identifier', 'role', 'id', 'name', 'owner', 'group', 'mode', 'state', 'vms', 'registered', 'datastore', 'version'];
  const lines = header ? [head.join(',')] : [];
  for (const s of r.identifiers) {
    for (const v of (s.current ? [s.current] : []).concat(s.duplicates, s.retired)) {
      lines.push([s.identifier, v.role, v.id, v.name, v.owner, v.group, v.octal, v.state, v.runningVms, v.registered, v.datastore, v.version].map(csvCell).join(','));
    }
  }
  return lines.map((l) => l + '\n').join('');
}

/** The whole report as text. */
export function formatStatus(r: StatusReport, paint: Paint, opts: TextOptions = { width: 0, header: true }): string {
  if (!r.identifiers.length) return 'no images managed by vmcatcher_eventHndl_ON (none carries VMCATCHER_EVENT_DC_IDENTIFIER) and nothing pending\n';
  return r.identifiers.map((s) => formatIdentifier(s, paint, opts)).join('\n');
}

/** What needs an admin: an interrupted run, an event failing again and again, several images that look current. */
export function needsAdmin(r: StatusReport, warnAfter: number): boolean {
  return r.identifiers.some((s) => s.interrupted || s.duplicates.length > 0 || s.pending.some((p) => p.attempts >= warnAfter));
}

type Marked = IdentifierStatus & { unknown?: string; cachedOnly?: boolean };

/** For identifiers OpenNebula and the spool know nothing of: vmcatcher's cache.index tells a typo from an image not registered yet. */
function markUnknown(report: StatusReport, asked: readonly string[], cacheDir: string | undefined): { report: StatusReport; unknown: number } {
  let index: Record<string, unknown> | undefined;
  let where = '';
  if (cacheDir) {
    where = path.join(cacheDir, CACHE_INDEX_FILE);
    try {
      index = readCacheIndex(cacheDir);
    } catch (_) {
      index = undefined;
    }
  }
  let unknown = 0;
  const identifiers = report.identifiers.map((s): Marked => {
    const nothing = !s.current && !s.duplicates.length && !s.retired.length && !s.pending.length && !s.interrupted;
    if (!nothing || asked.indexOf(s.identifier) < 0) return s;
    if (index && Object.prototype.hasOwnProperty.call(index, s.identifier)) return Object.assign({}, s, { cachedOnly: true });
    unknown++;
    const why = index
      ? `neither OpenNebula nor vmcatcher's ${where} knows it (a typo?)`
      : "no image in OpenNebula carries it; give vmcatcher's cache directory (--cache-dir or $VMCATCHER_CACHE_DIR_CACHE) to tell a typo from an image not registered yet";
    return Object.assign({}, s, { unknown: why });
  });
  return { report: { identifiers }, unknown };
}

/** The retired owner's id (VMCHNDL_ON_RETIRED_OWNER, by name or id); -1 when oned has no such user (nothing is then deletable). */
async function retiredUid(one: OneApi, owner: string): Promise<number> {
  if (/^\d+$/.test(owner)) return Number(owner);
  const u = (await one.userPool()).filter((x) => x.name === owner)[0];
  return u ? u.id : -1;
}

export interface StatusOptions extends CommonOptions {
  json?: boolean;
  csv?: boolean;
  header?: boolean;
  cacheDir?: string;
}

/**
 * Shows the images of the given identifiers (all managed ones by default) and their pending events.
 * Exit 0; 2 when something needs an admin; 3 when an identifier asked for is known nowhere.
 */
export async function runStatus(o: StatusOptions, identifiers: string[], io: Io): Promise<number> {
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
    // VM templates: only when kept or recorded, so that 0.0.8 sites see no template call.
    const templates = rt.config.template || wanted.some((id) => records[id] && records[id]!.template) ? await rt.deps.one().templatePool() : undefined;
    const collected = collectStatus({
      templates,
      images,
      pending,
      interrupted,
      waiting,
      identifiers,
      retiredNamePattern: rt.config.retiredNamePattern,
      records,
      recordsSince: baseline === undefined ? undefined : Math.floor(baseline / 1000),
      adminUids: admins,
      retention: rt.config.keepRetired === undefined ? undefined : { config: rt.config, retiredUid: await retiredUid(rt.deps.one(), rt.config.retiredOwner), now: rt.deps.now() },
    });
    const cacheDir = o.cacheDir || io.env.VMCATCHER_CACHE_DIR_CACHE || undefined;
    const { report, unknown } = markUnknown(collected, identifiers, cacheDir);
    const header = o.header !== false;
    if (o.json) io.stdout(JSON.stringify(collected, null, 2) + '\n');
    else if (o.csv) io.stdout(formatStatusCsv(report, header));
    else {
      const tty = io.interactive && Boolean(process.stdout.isTTY);
      const width = Number(io.env.COLUMNS) || (tty ? process.stdout.columns || 0 : 0);
      io.stdout(formatStatus(report, painter(colorWanted(tty, io.env)), { width, header }));
    }
    for (const s of report.identifiers as Marked[]) if (s.unknown) log.error('status', `${s.identifier}: ${s.unknown}`);
    if (unknown) return EXIT.INVALID;
    if (needsAdmin(collected, rt.config.retryWarnAfter)) {
      log.warn('status', 'something needs an administrator (an interrupted run, an event failing again and again, or several images that look current): see above');
      return EXIT.FAILED;
    }
    return EXIT.OK;
  } catch (e) {
    // A script asking for data gets the failure as data too (oned down, for instance).
    if (o.json) io.stdout(JSON.stringify({ error: errorView(e) }, null, 2) + '\n');
    return reportError(e, log);
  }
}
