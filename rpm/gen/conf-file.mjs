// The commented configuration file the RPM installs as /etc/vmcatcher_eventHndl_ON.conf: every
// setting of the table, its documentation and its default, commented out.

/** Words of `text` in lines of at most `width` characters, each starting with `prefix`. */
export function wrapText(text, width, prefix) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(prefix + line);
  return lines;
}

/** A value as the settings file reads it back: quoted when it holds anything but plain characters. */
export function quoteValue(value) {
  if (/^[A-Za-z0-9_.,:\/+@%-]*$/.test(value)) return value;
  // Read as sh reads it: double quotes need \ before " \ $ and `; single quotes keep everything but '.
  if (!/["\\$`]/.test(value)) return `"${value}"`;
  return value.indexOf("'") < 0 ? `'${value}'` : `"${value.replace(/["\\$`]/g, '\\$&')}"`;
}

/** The text of the configuration file for `settings` (the table from src/config/settings.ts). */
export function renderConfFile({ settings, configFile, version }) {
  const out = [
    `# ${configFile}: settings of vmcatcher_eventHndl_ON ${version}.`,
    '#',
    ...wrapText(
      'KEY=value lines, read as /bin/sh reads them (as /etc/sysconfig/vmcatcher): an unquoted value ends at ' +
        'the first blank, and a # after a blank starts a comment; single quotes keep everything, double quotes ' +
        'everything but \\ escapes; nothing is expanded, and a line sh would expand or run ($, `, ;, a blank ' +
        'followed by more text) is refused. ' +
        'Every setting is listed below, commented out, with its default: remove the # to change it. ' +
        'An empty value means unset. ' +
        'The same keys in the environment (e.g. in the cron job that runs vmcatcher_cache) override this file, ' +
        'and --set KEY=VALUE on the command line overrides both. See vmcatcher_eventHndl_ON(8).',
      78,
      '# ',
    ),
  ];
  for (const s of settings) {
    out.push('');
    out.push(...wrapText(s.doc, 78, '# '));
    if (s.default === undefined) out.push('# Default: unset.');
    out.push(`#${s.key}=${s.default === undefined ? '' : quoteValue(s.default)}`);
  }
  return out.join('\n') + '\n';
}
