// Template values that break naive quoting or escaping; every one must reach oned and come back exactly.

export const HOSTILE: Record<string, string> = {
  QUOTES: `say "hi" and 'bye'`,
  BACKSLASHES: 'C:\\path\\to\\',
  NEWLINES: '\nfirst\nsecond\n',
  TABS: '\tcol1\tcol2\t',
  BRACKETS: 'a]b]]c] ]',
  ANGLES: '<b>bold</b> & <i>',
  ENTITY_LOOKALIKE: '&amp; &lt; &#65;',
  NON_ASCII: 'Grüße, 東京, emoji 😀',
  LEADING_ZERO: '007',
  SPACES: '  both sides  ',
  EMPTY: '',
};
