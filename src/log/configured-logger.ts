// The logger the settings ask for: level, format, and stderr or the log file.
import type { Config } from '../config/config';
import { InvalidConfigError } from '../errors';
import { createLogger, fileSink, Logger, LogSink, stderrSink } from './logger';

/** Builds the configured logger; a log file that cannot be opened is a configuration error. */
export function configuredLogger(config: Pick<Config, 'logLevel' | 'logFormat' | 'logFile'>): Logger {
  let sink: LogSink = stderrSink();
  if (config.logFile) {
    try {
      sink = fileSink(config.logFile);
    } catch (e) {
      throw new InvalidConfigError([`VMCHNDL_ON_LOG_FILE: cannot open ${config.logFile} for appending (${(e as NodeJS.ErrnoException).code || (e as Error).message})`]);
    }
  }
  return createLogger({ level: config.logLevel, format: config.logFormat, sink });
}
