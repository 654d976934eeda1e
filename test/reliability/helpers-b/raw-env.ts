// Environment values that are not valid UTF-8: Node only passes strings to a child's environment,
// so the shell that runs the hook builds them from printf octal escapes and then execs the command.
import { BIN } from '../../e2e/site';

/** Quotes one word for /bin/sh. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** printf's format for these bytes: every byte as an octal escape, so no byte reaches the shell as itself. */
export function printfOctal(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += '\\' + b.toString(8).padStart(3, '0');
  return out;
}

/** A command for runHook's `command` option: exports each variable with these exact bytes, then execs the hook. */
export function commandWithRawEnv(raw: Record<string, Buffer>, args: readonly string[] = []): string {
  const exports = Object.keys(raw).map((k) => {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k)) throw new Error(`not a variable name: ${k}`);
    // A trailing newline would be eaten by $(...): guard it with a character that is removed after.
    return `${k}="$(printf '${printfOctal(raw[k])}x')"; ${k}="\${${k}%x}"; export ${k}`;
  });
  return exports.concat(['exec ' + [BIN].concat(args).map(shQuote).join(' ')]).join('; ');
}
