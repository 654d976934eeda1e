// Looks for a secret in every byte a run left behind: files under a directory, and captured output.
import * as fs from 'fs';
import * as path from 'path';

/** The forms a secret can take in text we write: as is, JSON-escaped, percent-encoded, base64 of user:password. */
export function secretForms(secret: string, user?: string): string[] {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)];
  if (user !== undefined) forms.push(Buffer.from(`${user}:${secret}`).toString('base64'));
  return forms.filter((f, i) => forms.indexOf(f) === i);
}

/** Every file under `root` (symlinks not followed) whose bytes contain one of `forms`, except `allowed` paths. */
export function filesContaining(root: string, forms: readonly string[], allowed: readonly string[] = []): string[] {
  const hits: string[] = [];
  const needles = forms.map((f) => Buffer.from(f, 'utf8'));
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const st = fs.lstatSync(file);
      if (st.isDirectory()) walk(file);
      else if (st.isFile() && allowed.indexOf(file) < 0) {
        const bytes = fs.readFileSync(file);
        if (needles.some((n) => bytes.indexOf(n) >= 0)) hits.push(file);
      }
    }
  };
  walk(root);
  return hits;
}

/** The number of files under `root` that were searched (to show the search covered something). */
export function countFiles(root: string): number {
  let n = 0;
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(dir)) {
      const st = fs.lstatSync(path.join(dir, name));
      if (st.isDirectory()) walk(path.join(dir, name));
      else if (st.isFile()) n++;
    }
  };
  walk(root);
  return n;
}
