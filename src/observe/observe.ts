// Observe (async, read-only): everything the planner needs to know about one event.
import * as path from 'path';
import type { Config } from '../config/config';
import type { ImageEvent } from '../event/parse-event';
import type { OneApi } from '../one/types';
import { chooseImages } from '../plan/choose-images';
import { adminUids } from '../plan/plan-record';
import { holdsSameFile } from '../plan/select-images';
import { readBaseline, readRecord } from '../record/record';
import type { Observed } from '../plan/types';
import { readSubscriptionState } from '../vmcatcher/subscription';
import { observeFile } from './observe-file';
import { observeOne, observeVoGroup } from './observe-one';
import { observeTemplates } from './observe-templates';

export interface ObserveDeps {
  one: OneApi;
  config: Config;
  sessionUser: string;
  env: NodeJS.ProcessEnv;
}

/** Reads oned, the cached file and (for expiry) vmcatcher's subscription state. Changes nothing. */
export async function observe(event: ImageEvent, deps: ObserveDeps): Promise<Observed> {
  const seen = await observeOne(deps.one, deps.config, deps.sessionUser);
  // The handler's own record decides which image is current; the baseline says which images predate records.
  const record = readRecord(deps.config.stateDir, event.identifier);
  const baseline = readBaseline(deps.config.stateDir);
  // VM templates only with VMCHNDL_ON_TEMPLATE: a site without it makes no template call at all.
  const cacheDir = event.kind === 'available' && event.file ? path.dirname(event.file) : deps.env.VMCATCHER_CACHE_DIR_CACHE;
  const templates = deps.config.template ? await observeTemplates(deps.one, deps.config, event.identifier, cacheDir) : undefined;
  const one: Observed = Object.assign({}, seen, { record, recordsSince: baseline === undefined ? undefined : Math.floor(baseline / 1000), templates });
  const sel = chooseImages(one.images, event.identifier, deps.config.retiredNamePattern, { record, recordsSince: one.recordsSince, adminUids: adminUids(one) });
  if (event.kind === 'expire') {
    const subscriptionState = sel.current
      ? await readSubscriptionState(
          deps.config.vmcatcherImage,
          event.identifier,
          // A spooled event retried later (cron) still needs the database vmcatcher named.
          event.rdbms ? Object.assign({}, deps.env, { VMCATCHER_RDBMS: event.rdbms }) : deps.env,
        )
      : undefined;
    return Object.assign({}, one, { subscriptionState });
  }
  // A mapped VO's group is used by a first registration only (a rotation carries the current image's
  // group), but a mapping to a group that does not exist is a configuration error for every new version:
  // the admin hears of a typo at the first event, not at the next new appliance. The event is kept.
  const voGroup = await observeVoGroup(deps.one, deps.config, event.vars.VMCATCHER_EVENT_VO);
  const withGroup: Observed = voGroup ? Object.assign({}, one, { voGroup }) : one;
  // The same version again (a re-download, a replay): the file need not even be read.
  if (sel.current && holdsSameFile(sel.current, event.vars, event.checksum)) return withGroup;
  const file = await observeFile(event.file!, deps.config.qemuImg);
  return Object.assign({}, withGroup, { file });
}

/** What retention (`prune`) needs of one identifier: oned's images, who we are, the handler's record. Changes nothing. */
export async function observeRecorded(identifier: string, deps: ObserveDeps): Promise<Observed> {
  const seen = await observeOne(deps.one, deps.config, deps.sessionUser);
  const baseline = readBaseline(deps.config.stateDir);
  return Object.assign({}, seen, { record: readRecord(deps.config.stateDir, identifier), recordsSince: baseline === undefined ? undefined : Math.floor(baseline / 1000) });
}
