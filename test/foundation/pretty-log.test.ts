/** Readable logs for a terminal: one line per record, secrets still censored, errors with their stack. */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/log.ts';
import { formatLogLine, prettyStream } from '../../src/lib/pretty-log.ts';
import { testConfig } from '../helpers/app.ts';

function capture() {
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(s) > 0, isTTY: false } as unknown as NodeJS.WritableStream;
  return { lines, stream: prettyStream(out) };
}

describe('pretty logs', () => {
  it('time, level, component, message and fields on one line; secrets censored as in JSON', () => {
    const c = capture();
    const log = createLogger('info', c.stream).child({ component: 'worker' });
    log.info({ kind: 'sms.send', password: 'hunter2', note: 'two words' }, 'job done');
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}\[worker\] job done {2}kind=sms\.send password=\[redacted\] note="two words"\n$/,
    );
    expect(c.lines[0]).not.toContain('hunter2');
  });

  it('a warning carries its error message; an error its stack', () => {
    const c = capture();
    const log = createLogger('info', c.stream);
    log.warn({ err: new Error('router r1 unreachable') }, 'grant failed');
    log.error({ err: new Error('boom') }, 'unhandled');
    expect(c.lines[0]).toMatch(/WARN {2}grant failed\n {4}router r1 unreachable\n$/);
    expect(c.lines[1]).toMatch(/ERROR unhandled\n {4}Error: boom\n\s+at /);
  });

  it('passes through what is not a JSON record, and colours only a terminal', () => {
    expect(formatLogLine('plain text')).toBe('plain text\n');
    const line = JSON.stringify({ level: 40, time: 0, msg: 'x' });
    expect(formatLogLine(line, true)).toContain('\x1b[33mWARN \x1b[0m');
    expect(formatLogLine(line, false)).toBe('00:00:00 WARN  x\n');
  });

  it('LOG_FORMAT is pretty or json, nothing else', () => {
    expect(testConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(testConfig().logFormat).toBeUndefined();
    expect(() => testConfig({ LOG_FORMAT: 'fancy' })).toThrow(/LOG_FORMAT/);
  });
});
