// `history <identifier>`: the runs the journals remember for an image, newest first, and what is pending.
import { formatLocalTime } from '../../clock/local-time';
import { EXIT, InvalidArgumentError } from '../../errors';
import { listSpool } from '../../spool/spool';
import { History, readHistory } from '../../status/history';
import { shortError } from '../../status/short-error';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';
import { formatTable } from '../table';

function images(r: History['runs'][number]): string {
  const parts: string[] = [];
  if (r.newImage !== null) parts.push(`new ${r.newImage}`);
  if (r.oldImage !== null) parts.push(`${r.action === 'retire' ? 'retired' : 'old'} ${r.oldImage}`);
  return parts.join(', ') || '-';
}

/** The history as text: a table of runs, then their errors, then pending events. */
export function formatHistory(h: History): string {
  let out = '';
  if (!h.runs.length) out += `no run recorded for ${h.identifier} (the journals keep the last runs of each image that changed something)\n`;
  else {
    out += formatTable(
      ['WHEN', 'EVENT', 'ACTION', 'OUTCOME', 'IMAGES', 'ERROR'],
      h.runs.map((r) => [formatLocalTime(r.startedAt), r.event, r.action, r.outcome, images(r), r.error ? shortError(r.error) : '']),
    );
  }
  for (const p of h.pending) out += `pending: ${p.type} received ${formatLocalTime(p.received)}, ${p.attempts} attempt(s)${p.lastError ? `; last error: ${shortError(p.lastError)}` : ''}\n`;
  return out;
}

/** Prints what happened to an image. */
export async function runHistory(o: CommonOptions & { json?: boolean }, identifier: string, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    if (!identifier || identifier.indexOf('/') >= 0 || identifier.charAt(0) === '.') throw new InvalidArgumentError(`history: ${JSON.stringify(identifier)} is not an image list identifier`);
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    const h = readHistory(rt.config.stateDir, identifier, listSpool(rt.config.stateDir, identifier));
    io.stdout(o.json ? JSON.stringify(h, null, 2) + '\n' : formatHistory(h));
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
