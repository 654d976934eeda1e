// `adopt <identifier> <image id>`: record which image is current, then process the events waiting for it.
import { EXIT, InvalidArgumentError } from '../../errors';
import { isUsableIdentifier } from '../../event/parse-event';
import { requireStateDir } from '../../files/state-dir';
import { adoptImage } from '../../hook/adopt';
import { failIfAnyFailed } from '../../hook/handle-event';
import { processIdentifier } from '../../hook/process-identifier';
import { Io, reportError } from '../io';
import { bootstrapLogger, CommonOptions, makeRuntime } from '../runtime';

/** Adopts an image as the identifier's current one; pending events for it are processed afterwards. */
export async function runAdopt(o: CommonOptions & { json?: boolean }, identifier: string, imageId: string, io: Io): Promise<number> {
  let log = bootstrapLogger(o);
  try {
    if (!isUsableIdentifier(identifier)) throw new InvalidArgumentError(`adopt: ${JSON.stringify(identifier)} is not a usable identifier`);
    if (!/^\d{1,9}$/.test(imageId)) throw new InvalidArgumentError(`adopt: the image id must be a number, got ${JSON.stringify(imageId)}`);
    const rt = makeRuntime(o, io.env, io.interactive);
    log = rt.log;
    requireStateDir(rt.config.stateDir, 'write');
    const a = await adoptImage(identifier, Number(imageId), rt.deps);
    if (a.already) log.info('adopt', `image ${imageId} already is the recorded current image of ${identifier}`);
    const results = await processIdentifier(identifier, rt.deps, { ignoreBackoff: true });
    if (results.length) log.info('adopt', `${results.filter((r) => r.outcome === 'done' || r.outcome === 'nothing').length} pending event(s) for ${identifier} processed`);
    if (o.json) {
      io.stdout(
        JSON.stringify({ identifier, image: a.image.id, previous: a.previous, events: results.map((r) => ({ type: r.entry.type, outcome: r.outcome })) }, null, 2) + '\n',
      );
    }
    failIfAnyFailed(results, 'adopt');
    return EXIT.OK;
  } catch (e) {
    return reportError(e, log);
  }
}
