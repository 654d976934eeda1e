// The logger the settings ask for: level, format, and stderr or the log file.
import type { Config } from '../config/config';
import { createLogger, fileSink, Logger, stderrSink } from './logger';

/**
 * Builds the configured logger. Logging never decides the outcome: a log file that cannot be opened
 * or written is said once on stderr, and the lines go to stderr from then on.
 */
export function configuredLogger(config: Pick<Config, 'logLevel' | 'logFormat' | 'logFile'>): Logger {
  const stderr = stderrSink();
  if (!config.logFile) return createLogger({ level: config.logLevel, format: config.logFormat, sink: stderr });
  const file = config.logFile;
  const notice = createLogger({ level: 'error', format: config.logFormat, sink: stderr });
  const sink = fileSink(file, stderr, (why) =>
    notice.error('log', `VMCHNDL_ON_LOG_FILE: cannot write to ${file} (${why}); logging to stderr instead. The work goes on; fix the file or its directory, or the setting`),
  );
  return createLogger({ level: config.logLevel, format: config.logFormat, sink });
}
