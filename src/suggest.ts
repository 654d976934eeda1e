// "Did you mean …?" for a mistyped command or setting: the closest known name by edit distance.

function distance(a: string, b: string): number {
  const prev: number[] = [];
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      // A swap of two neighbours counts as one edit, as in "stauts".
      const swap = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1), swap ? diag : Infinity);
      diag = up;
    }
  }
  return prev[b.length];
}

/** The known name closest to `word`, when close enough to be a typo (or `word` is its prefix). */
export function suggestName(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.indexOf(word) === 0 && word.length >= 2 ? 0.5 : distance(word.toLowerCase(), k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}
