// oned's rules for object names (PoolObjectSQL::name_is_valid), checked before we ask oned to use one.

// PoolObjectSQL::INVALID_NAME_CHARS, plus tab, newline and carriage return: oned lets those through,
// but a name with them breaks the CLI's tables and every log line that shows it.
const INVALID_CHARS = '&|:\\";/\'#{}$<>\t\n\r';
/** PoolObjectSQL::name_is_valid: "Invalid NAME, max length is 128 chars" (bytes of UTF-8). */
export const IMAGE_NAME_MAX_BYTES = 128;
const MAX_BYTES = IMAGE_NAME_MAX_BYTES;

function describe(c: string): string {
  if (c === '\t') return 'a tab';
  if (c === '\n') return 'a newline';
  if (c === '\r') return 'a carriage return';
  return `'${c}'`;
}

/** Says what makes `name` unacceptable to oned as an image name, or undefined when it is fine. */
export function imageNameProblem(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  for (let i = 0; i < name.length; i++) {
    if (INVALID_CHARS.indexOf(name[i]) >= 0) {
      return `the name contains ${describe(name[i])}, which OpenNebula does not allow (none of & | : \\ " ; / ' # { } $ < > nor tab or newline)`;
    }
  }
  // oned counts bytes of UTF-8 (std::string::length), not characters.
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_BYTES) return `the name is ${bytes} bytes long; OpenNebula allows at most ${MAX_BYTES}`;
  return undefined;
}

/** Tells whether oned accepts `name` as an image name. */
export function isValidImageName(name: string): boolean {
  return imageNameProblem(name) === undefined;
}
