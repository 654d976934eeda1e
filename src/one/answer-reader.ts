// Reads oned's answer as it arrives. The answer oned sends most and biggest, [true, "<string>", i4],
// is decoded chunk by chunk and its text handed on piece by piece (a TextSink), so that a 10 000-image
// pool (40 MB, mostly &lt; and &gt;) is never held whole, neither as bytes nor as one string. Any
// other answer (failures, ids, faults) is kept whole for the xmlrpc package's Deserializer, whose
// sax parser would need seconds for such a pool. test/one checks both readers agree.

import { StringDecoder } from 'string_decoder';

/** Takes the text of a string answer as it is decoded; end() gives the call's value. */
export interface TextSink<T> {
  write(text: string): void;
  end(): T;
}

/** What a TextSink made of a string answer: the call's value in place of the string. */
export class ReadText<T> {
  constructor(readonly value: T) {}
}

/** The sink that keeps the text as one string. */
export function wholeText(): TextSink<string> {
  const parts: string[] = [];
  return { write: (text) => void parts.push(text), end: () => parts.join('') };
}

/** The answer is not well-formed XML-RPC; the message says where. */
export class AnswerError extends Error {}

export type ReadAnswer = { readonly streamed: true; readonly value: [true, unknown, number] } | { readonly streamed: false; readonly body: Buffer };

const PREFIX = /^\s*(?:<\?xml[^>]*\?>)?\s*<methodResponse>\s*<params>\s*<param>\s*<value>\s*<array>\s*<data>\s*<value>\s*<boolean>1<\/boolean>\s*<\/value>\s*<value>\s*<string>$/;
const SUFFIX = /^<\/string>\s*<\/value>\s*<value>\s*<i4>(-?\d+)<\/i4>\s*<\/value>\s*<\/data>\s*<\/array>\s*<\/value>\s*<\/param>\s*<\/params>\s*<\/methodResponse>\s*$/;
/** Where the start of the answer, up to <string>, must have shown itself; the end after </string>. */
const HEAD_LIMIT = 4096;
const AMP = 38;
const SEMI = 59;
const LT = 60;
const GT = 62;
/** The longest reference: &#x10FFFF; */
const LONGEST_REFERENCE = 10;
const NAMED: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34, apos: 39 };

/** The bytes a character reference stands for; AnswerError for anything XML does not define. */
function referenced(name: string): Buffer | number {
  const named = NAMED[name];
  if (named !== undefined) return named;
  const m = /^#(?:([0-9]{1,7})|x([0-9a-fA-F]{1,6}))$/.exec(name);
  const code = m ? (m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2], 16)) : -1;
  if (code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new AnswerError(`the string holds an unknown reference &${name.slice(0, 12)};`);
  return Buffer.from(String.fromCodePoint(code), 'utf8');
}

/**
 * Reads one answer from its chunks. push() throws AnswerError when the string is broken, and passes
 * on what the sink throws; finish() gives the streamed value or the whole body for the Deserializer.
 */
export class AnswerReader {
  private state: 'head' | 'text' | 'tail' | 'whole' = 'head';
  private kept: Buffer[] = [];
  private keptBytes = 0;
  /** The start of a reference cut off by the end of a chunk. */
  private cut: Buffer | undefined;
  private readonly utf8 = new StringDecoder('utf8');
  /** The decoded bytes of a chunk, reused from chunk to chunk. */
  private out = Buffer.alloc(0);

  constructor(private readonly sink: TextSink<unknown>) {}

  push(chunk: Buffer): void {
    if (this.state === 'text') return this.text(chunk);
    this.keep(chunk);
    if (this.state === 'head') this.head();
    else if (this.state === 'tail' && this.keptBytes > HEAD_LIMIT) throw new AnswerError('the string is followed by more than the rest of an answer');
  }

  finish(): ReadAnswer {
    if (this.state === 'text') throw new AnswerError('the answer ends inside its string');
    const body = Buffer.concat(this.kept, this.keptBytes);
    if (this.state !== 'tail') return { streamed: false, body };
    const suffix = SUFFIX.exec(body.toString('utf8'));
    if (!suffix) throw new AnswerError('the string is not followed by </string> and an <i4> code');
    return { streamed: true, value: [true, this.sink.end(), Number(suffix[1])] };
  }

  private keep(chunk: Buffer): void {
    this.kept.push(chunk);
    this.keptBytes += chunk.length;
  }

  /** Decides, once <string> shows, whether this is the answer to stream. */
  private head(): void {
    const head = this.kept.length === 1 ? this.kept[0] : Buffer.concat(this.kept, this.keptBytes);
    const open = head.indexOf('<string>');
    if (open < 0) {
      if (this.keptBytes > HEAD_LIMIT) this.state = 'whole';
      return;
    }
    const start = open + '<string>'.length;
    if (!PREFIX.test(head.toString('utf8', 0, start))) {
      this.state = 'whole';
      return;
    }
    this.state = 'text';
    this.kept = [];
    this.keptBytes = 0;
    this.text(head.slice(start));
  }

  /**
   * Decodes a chunk of the string and hands it on. A piece ends after the last '>' of the chunk where
   * there is one, and the bytes after it wait for the next chunk: the XML in the string then reaches
   * the sink in whole tags, which it reads without joining pieces.
   */
  private text(chunk: Buffer): void {
    const bytes = this.cut ? Buffer.concat([this.cut, chunk]) : chunk;
    this.cut = undefined;
    const lt = bytes.indexOf(LT);
    const end = lt < 0 ? bytes.length : lt;
    if (this.out.length < end) this.out = Buffer.allocUnsafe(Math.max(end, 2 * this.out.length));
    const out = this.out;
    let o = 0;
    /** Just after the last '>', in bytes and in out. */
    let gtIn = -1;
    let gtOut = 0;
    /** Where a reference cut off by the end of the chunk starts, in bytes. */
    let cutAt = -1;
    for (let p = 0; p < end; p++) {
      const b = bytes[p];
      if (b !== AMP) {
        out[o++] = b;
        if (b === GT) {
          gtIn = p + 1;
          gtOut = o;
        }
        continue;
      }
      // The five named ones, byte by byte: a pool holds millions of &lt; and &gt;. Past `end` lies '<'
      // or nothing, so none of these can match across it.
      const c1 = bytes[p + 1];
      const c2 = bytes[p + 2];
      const c3 = bytes[p + 3];
      if (c3 === SEMI && c2 === 116 && (c1 === 108 || c1 === 103)) {
        p += 3;
        if (c1 === 108) out[o++] = LT;
        else {
          out[o++] = GT;
          gtIn = p + 1;
          gtOut = o;
        }
        continue;
      }
      const c4 = bytes[p + 4];
      if (c1 === 97 && c2 === 109 && c3 === 112 && c4 === SEMI) {
        out[o++] = AMP; // &amp;
        p += 4;
        continue;
      }
      if (bytes[p + 5] === SEMI && ((c1 === 113 && c2 === 117 && c3 === 111 && c4 === 116) || (c1 === 97 && c2 === 112 && c3 === 111 && c4 === 115))) {
        out[o++] = c1 === 113 ? 34 : 39; // &quot; &apos;
        p += 5;
        continue;
      }
      let semi = p + 1;
      while (semi < end && semi <= p + LONGEST_REFERENCE && bytes[semi] !== SEMI) semi++;
      if (semi >= end && lt < 0 && end - p <= LONGEST_REFERENCE) {
        cutAt = p;
        break;
      }
      if (semi >= end || bytes[semi] !== SEMI) throw new AnswerError('the string holds an & that starts no reference');
      const r = referenced(bytes.toString('latin1', p + 1, semi));
      if (typeof r === 'number') out[o++] = r;
      else o += r.copy(out, o);
      p = semi;
    }
    let emit = o;
    if (lt < 0 && gtIn > 0 && gtIn < end) {
      this.cut = Buffer.from(bytes.slice(gtIn, end));
      emit = gtOut;
    } else if (cutAt >= 0) this.cut = Buffer.from(bytes.slice(cutAt, end));
    const decoded = this.utf8.write(out.slice(0, emit));
    if (decoded) this.sink.write(decoded);
    if (lt < 0) return;
    const rest = this.utf8.end();
    if (rest) this.sink.write(rest);
    this.state = 'tail';
    this.keep(bytes.slice(lt));
  }
}
