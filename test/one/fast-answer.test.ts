// The quick reader of [true, "<string>", i4] answers must agree with the xmlrpc package's
// Deserializer wherever it answers, and leave everything else to it.

import { readdirSync } from 'fs';
import { PassThrough } from 'stream';
import Deserializer from 'xmlrpc/lib/deserializer';
import { describe, expect, it } from 'vitest';
import { readStringSuccess } from '../../src/one/fast-answer';
import { recording, RECORDINGS } from './stub-server';

function deserialize(body: Buffer): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = new PassThrough();
    new Deserializer().deserializeMethodResponse(s, (err, value) => (err ? reject(err) : resolve(value)));
    s.end(body);
  });
}

function success(escaped: string, code = '0', eol = '\r\n'): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>${eol}<methodResponse>${eol}<params>${eol}<param><value><array><data>${eol}<value><boolean>1</boolean></value>${eol}<value><string>${escaped}</string></value>${eol}<value><i4>${code}</i4></value>${eol}</data></array></value></param>${eol}</params>${eol}</methodResponse>${eol}`,
  );
}

describe('readStringSuccess', () => {
  const answers = readdirSync(RECORDINGS).filter((f) => !f.endsWith('.request.xml'));

  it.each(answers)('agrees with the Deserializer on %s', async (file) => {
    const body = recording(file);
    const quick = readStringSuccess(body);
    const expectString = /\.info\.(ready|used|locked|error|disabled|success|empty)\.xml$/.test(file);
    expect(quick === undefined).toBe(!expectString);
    if (quick) expect(quick).toEqual(await deserialize(body));
  });

  it.each([
    ['entities', '&lt;A&gt;&amp;lt; &quot;q&quot; &apos;a&apos; &amp;amp;&lt;/A&gt;', '<A>&lt; "q" \'a\' &amp;</A>'],
    ['UTF-8', 'Grüße 東京 😀', 'Grüße 東京 😀'],
    ['newlines and tabs', 'a\nb\tc\r\n', 'a\nb\tc\r\n'],
    ['empty', '', ''],
  ])('decodes %s exactly as the Deserializer does', async (_what, escaped, decoded) => {
    const body = success(escaped);
    expect(readStringSuccess(body)).toEqual([true, decoded, 0]);
    expect(await deserialize(body)).toEqual([true, decoded, 0]);
    expect(readStringSuccess(success(escaped, '7', '\n'))).toEqual([true, decoded, 7]);
  });

  it('leaves numeric references, unknown entities and other shapes to the Deserializer', async () => {
    expect(readStringSuccess(success('a&#13;b'))).toBeUndefined();
    expect(await deserialize(success('a&#13;b'))).toEqual([true, 'a\rb', 0]);
    expect(readStringSuccess(success('a&nbsp;b'))).toBeUndefined();
    expect(readStringSuccess(success('a <b'))).toBeUndefined();
    expect(readStringSuccess(Buffer.from(success('x').toString().replace('<boolean>1', '<boolean>0')))).toBeUndefined();
    expect(readStringSuccess(Buffer.from(success('x').toString().replace('<i4>0</i4>', '<int>0</int>')))).toBeUndefined();
    expect(readStringSuccess(Buffer.from('<html><string>x</string></html>'))).toBeUndefined();
  });
});
