import { describe, expect, it } from 'vitest';
import { createLogger, fileSink, memorySink } from '../../src/log/logger';
import { secretsOfSession } from '../../src/log/redact';

describe('logger', () => {
  it("writes 0.0.8's line format, one record a line", () => {
    const sink = memorySink();
    const log = createLogger({ level: 'info', format: 'text', sink, clock: () => new Date(2014, 5, 4, 12, 54, 44, 7).getTime() });
    log.info('rotate', 'two\nlines');
    log.debug('rotate', 'hidden');
    expect(sink.lines).toEqual(['2014-06-04 12:54:44,007;     INFO; vmcatcher_eventHndl_ON; rotate -- two\\nlines\n']);
  });

  it('writes JSON lines when asked', () => {
    const sink = memorySink();
    createLogger({ level: 'debug', format: 'json', sink }).warn('x', 'msg', { id: 7 });
    expect(JSON.parse(sink.lines[0])).toMatchObject({ level: 'WARNING', program: 'vmcatcher_eventHndl_ON', where: 'x', message: 'msg', id: 7 });
  });

  it('never writes the session or the password', () => {
    const sink = memorySink();
    const log = createLogger({ level: 'debug', format: 'text', sink });
    log.addSecrets(secretsOfSession('oneadmin:s3cr3t-pass'));
    log.error('auth', 'failed for oneadmin:s3cr3t-pass and s3cr3t-pass');
    expect(sink.lines.join('')).not.toContain('s3cr3t-pass');
    expect(sink.lines.join('')).toContain('***');
  });
});

describe('a log file that cannot be written', () => {
  it('sends that line and every later one to the fallback, and says why once', () => {
    const fallback = memorySink();
    const why: string[] = [];
    const sink = fileSink('/dev/full', fallback, (w) => why.push(w));
    sink.write('first\n');
    sink.write('second\n');
    expect(why).toHaveLength(1);
    expect(why[0]).toMatch(/^ENOSPC: /);
    expect(fallback.lines).toEqual(['first\n', 'second\n']);
  });

  it('a log file that cannot be opened (a missing directory) falls back the same way', () => {
    const fallback = memorySink();
    const why: string[] = [];
    const sink = fileSink('/nonexistent/dir/handler.log', fallback, (w) => why.push(w));
    sink.write('only\n');
    expect(why.join()).toMatch(/^ENOENT: /);
    expect(fallback.lines).toEqual(['only\n']);
  });
});

describe('fields', () => {
  it('a child logger puts its fields on every JSON record, the call-site ones last', () => {
    const sink = memorySink();
    const log = createLogger({ level: 'info', format: 'json', sink }).with({ identifier: 'abc', event: 'AvailablePostfix' });
    log.with({ step: 2, stepKind: 'rename', image: 7 }).error('execute', 'failed', { code: 'ONE_ERROR', detail: 'step 2/5: rename image 7' });
    log.info('main', 'done');
    expect(JSON.parse(sink.lines[0])).toMatchObject({ where: 'execute', message: 'failed', identifier: 'abc', event: 'AvailablePostfix', step: 2, stepKind: 'rename', image: 7, code: 'ONE_ERROR', detail: 'step 2/5: rename image 7' });
    expect(JSON.parse(sink.lines[1])).toEqual(expect.objectContaining({ message: 'done', identifier: 'abc' }));
    expect(JSON.parse(sink.lines[1]).step).toBeUndefined();
  });

  it('text lines keep the message alone; the detail is a DEBUG line under it at -v only', () => {
    const at = new Date(2014, 5, 4, 12, 54, 44, 7).getTime();
    const quiet = memorySink();
    createLogger({ level: 'info', format: 'text', sink: quiet, clock: () => at }).with({ identifier: 'abc' }).error('main', 'cause', { code: 'X', detail: 'the long part' });
    expect(quiet.lines).toEqual(['2014-06-04 12:54:44,007;    ERROR; vmcatcher_eventHndl_ON; main -- cause\n']);
    const verbose = memorySink();
    createLogger({ level: 'debug', format: 'text', sink: verbose, clock: () => at }).error('main', 'cause', { detail: 'the long part' });
    expect(verbose.lines).toEqual([
      '2014-06-04 12:54:44,007;    ERROR; vmcatcher_eventHndl_ON; main -- cause\n',
      '2014-06-04 12:54:44,007;    DEBUG; vmcatcher_eventHndl_ON; main --   the long part\n',
    ]);
  });

  it('a child shares the secrets of its parent, also those added later', () => {
    const sink = memorySink();
    const log = createLogger({ level: 'info', format: 'json', sink });
    const child = log.with({ identifier: 'abc' });
    log.addSecrets(secretsOfSession('oneadmin:s3cr3t-pass'));
    child.error('auth', 'refused', { detail: 'oneadmin:s3cr3t-pass' });
    expect(sink.lines.join('')).not.toContain('s3cr3t-pass');
  });
});
