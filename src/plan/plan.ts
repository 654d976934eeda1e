// plan(event, observed, config, run): what this event will do, as plain data.
import type { Config } from '../config/config';
import type { ImageEvent } from '../event/parse-event';
import { planAvailable } from './plan-available';
import { planExpire } from './plan-expire';
import { planTemplateSteps } from './plan-template';
import { isAdminOnly } from './choose-images';
import { withPrune } from './plan-prune';
import { planDisableUnused } from './plan-retire';
import { adminUids } from './plan-record';
import { selectImages } from './select-images';
import type { Observed, Plan, RunContext } from './types';

/** The one pure function that answers "what will this event do?". */
export function plan(event: ImageEvent, observed: Observed, config: Config, run: RunContext): Plan {
  const images = event.kind === 'available' ? planAvailable(event, observed, config, run) : planExpire(event, observed, config, run);
  // The appliance's VM template follows its image (VMCHNDL_ON_TEMPLATE; nothing when off).
  const p = planTemplateSteps(event, observed, config, run, images);
  // Retired images left enabled because VMs used them are disabled once none does (rolled forward, best
  // effort): only the handler's own (in its record, or only an admin could have made them), never an
  // image another user dressed up as retired.
  const admins = adminUids(observed);
  const recorded = observed.record ? observed.record.retired.map((r) => r.id) : [];
  const ours = selectImages(observed.images, event.identifier, config.retiredNamePattern).retired.filter((img) => recorded.indexOf(img.id) >= 0 || isAdminOnly(img, admins));
  const later = planDisableUnused(ours);
  const what = `disable retired image${later.ids.length > 1 ? 's' : ''} ${later.ids.join(', ')}, no longer in use`;
  const q = later.steps.length ? Object.assign({}, p, { steps: p.steps.concat(later.steps), summary: `${p.summary}; ${what}` }) : p;
  // Retention (VMCHNDL_ON_KEEP_RETIRED) ends a rotation or an expiry.
  return withPrune(q, observed, config, run);
}
