// plan(event, observed, config, run): what this event will do, as plain data.
import type { Config } from '../config/config';
import type { ImageEvent } from '../event/parse-event';
import { planAvailable } from './plan-available';
import { planExpire } from './plan-expire';
import type { Observed, Plan, RunContext } from './types';

/** The one pure function that answers "what will this event do?". */
export function plan(event: ImageEvent, observed: Observed, config: Config, run: RunContext): Plan {
  return event.kind === 'available' ? planAvailable(event, observed, config, run) : planExpire(event, observed, config, run);
}
