// The reader of [true, "<string>", i4] answers decodes them as they arrive, in chunks of any size; it
// must agree with the xmlrpc package's Deserializer wherever it streams, and leave everything else
// to it, whole.

import { readdirSync } from 'fs';
import { PassThrough } from 'stream';
import Deserializer from 'xmlrpc/lib/deserializer';
import { describe, expect, it } from 'vitest';
import { AnswerError, AnswerReader, ReadAnswer, TextSink, wholeText } from '../../src/one/answer-reader';
import { recording, RECORDINGS } from './stub-server';

function deserialize(body: Buffer): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = new PassThrough();
    new Deserializer().deserializeMethodResponse(s, (err, value) => (err ? reject(err) : resolve(value)));
    s.end(body);
  });
}

/** Feeds the body in chunks of `size` bytes (the last one shorter). */
function read(body: Buffer, size: number, sink: TextSink<unknown> = wholeText()): ReadAnswer {
  const reader = new AnswerReader(sink);
  for (let at = 0; at < body.length; at += size) reader.push(body.slice(at, at + size));
  return reader.finish();
}

function streamed(body: Buffer, size = 1 << 16): unknown {
  const a = read(body, size);
  return a.streamed ? a.value : undefined;
}

function success(escaped: string, code = '0', eol = '\r\n'): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>${eol}<methodResponse>${eol}<params>${eol}<param><value><array><data>${eol}<value><boolean>1</boolean></value>${eol}<value><string>${escaped}</string></value>${eol}<value><i4>${code}</i4></value>${eol}</data></array></value></param>${eol}</params>${eol}</methodResponse>${eol}`,
  );
}

describe('AnswerReader', () => {
  const answers = readdirSync(RECORDINGS).filter((f) => f.endsWith('.xml') && !f.endsWith('.request.xml'));

  it.each(answers)('agrees with the Deserializer on %s, whatever the chunks', async (file) => {
    const body = recording(file);
    const expectString = /\.info\.(ready|used|locked|error|disabled|success|empty)\.xml$/.test(file);
    const whole = read(body, body.length);
    expect(whole.streamed).toBe(expectString);
    const expected = await deserialize(body);
    for (const size of [1, 7, 64, 4093, body.length]) {
      const a = read(body, size);
      if (a.streamed) expect(a.value).toEqual(expected);
      else expect(a.body.equals(body)).toBe(true);
    }
  });

  it.each([
    ['entities', '&lt;A&gt;&amp;lt; &quot;q&quot; &apos;a&apos; &amp;amp;&lt;/A&gt;', '<A>&lt; "q" \'a\' &amp;</A>'],
    ['numeric references', 'a&#13;b&#x0d;c&#233;&#x1F600;', 'a\rb\rcé😀'],
    ['UTF-8', 'Grüße 東京 😀', 'Grüße 東京 😀'],
    ['newlines and tabs', 'a\nb\tc\r\n', 'a\nb\tc\r\n'],
    ['empty', '', ''],
  ])('decodes %s exactly as the Deserializer does, split anywhere', async (_what, escaped, decoded) => {
    const body = success(escaped);
    expect(await deserialize(body)).toEqual([true, decoded, 0]);
    for (let size = 1; size <= 16; size++) expect(streamed(body, size)).toEqual([true, decoded, 0]);
    expect(streamed(success(escaped, '7', '\n'))).toEqual([true, decoded, 7]);
  });

  it('hands the text on in pieces as they arrive, not at the end', () => {
    const pieces: string[] = [];
    const reader = new AnswerReader({ write: (t) => void pieces.push(t), end: () => pieces.length });
    const body = success('&lt;IMAGE_POOL&gt;' + 'x'.repeat(3000) + '&lt;/IMAGE_POOL&gt;');
    for (let at = 0; at < body.length; at += 1000) {
      reader.push(body.slice(at, at + 1000));
      if (at >= 1000) expect(pieces.length).toBeGreaterThan(0);
    }
    const a = reader.finish();
    expect(a.streamed && a.value[1]).toBe(pieces.length);
    expect(pieces.join('')).toBe('<IMAGE_POOL>' + 'x'.repeat(3000) + '</IMAGE_POOL>');
  });

  it('leaves other shapes whole to the Deserializer', () => {
    const shapes = [
      Buffer.from(success('x').toString().replace('<boolean>1', '<boolean>0')),
      Buffer.from(success('x').toString().replace('<string>x</string>', '<i4>5</i4>')),
      Buffer.from('<html><string>x</string></html>'),
      Buffer.from(`<methodResponse>${' '.repeat(5000)}<params><param><value><string>x</string></value></param></params></methodResponse>`),
    ];
    for (const body of shapes) {
      const a = read(body, 100);
      expect(a.streamed).toBe(false);
      expect(!a.streamed && a.body.equals(body)).toBe(true);
    }
  });

  it('refuses a string it cannot read, naming what is wrong', () => {
    const broken: [Buffer, RegExp][] = [
      [success('a&nbsp;b'), /unknown reference &nbsp;/],
      [success('a&#0;b'), /unknown reference &#0;/],
      [success('a & b'), /an & that starts no reference/],
      [success('a <b>c</b>'), /not followed by <\/string> and an <i4> code/],
      [success('xyz').slice(0, success('xyz').indexOf('<string>') + 10), /ends inside its string/],
      [Buffer.from(success('x').toString().replace('<i4>0</i4>', '<int>0</int>')), /not followed by <\/string> and an <i4> code/],
    ];
    for (const [body, message] of broken) {
      for (const size of [1, 5, body.length]) {
        let caught: unknown;
        try {
          read(body, size);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(AnswerError);
        expect((caught as Error).message).toMatch(message);
      }
    }
  });
});
