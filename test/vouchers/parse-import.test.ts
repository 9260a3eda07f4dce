import { describe, expect, it } from 'vitest';
import { parseRosArgs, parseVoucherFile } from '../../src/vouchers/parse-import.ts';

describe('parsing voucher imports', () => {
  it('reads a MikroTik script export, with continuations, quotes and the built-in trial user', () => {
    const rsc = [
      '# nov/23/2026 10:00:00 by RouterOS 7.16',
      '/ip hotspot user',
      'add name=default-trial',
      'add comment="vc-123-11.23.26-1h" limit-uptime=1h name=k7q2m9 password=k7q2m9 profile=1h server=all',
      'add name="X9T4PW" \\',
      '    password=X9T4PW profile=3h',
      'add name=AB12CD34 password=other profile=1h',
      'add name=k7q2m9 password=k7q2m9',
      'add name=abc',
      '/ip hotspot user profile',
      'add name=1h rate-limit=1M/2M',
      '/ip/hotspot/user/add name=QWERTY77 password=QWERTY77',
    ].join('\n');
    const p = parseVoucherFile(rsc);
    expect(p.format).toBe('mikrotik');
    expect(p.entries).toEqual([
      { line: 4, code: 'K7Q2M9' },
      { line: 5, code: 'X9T4PW' },
      { line: 7, code: 'AB12CD34', password: 'other' },
      { line: 12, code: 'QWERTY77' },
    ]);
    expect(p.problems.map((x) => [x.line, x.reason.split(';')[0]!.split(' (')[0]])).toEqual([
      [8, 'duplicate of line 4 in this file'],
      [9, 'a code must be 6 to 32 characters'],
    ]);
  });

  it('reads CSV with a code or name column and reports empty and duplicate rows', () => {
    const csv =
      'Name;Password;Profile\r\nAAAA1111;AAAA1111;1h\r\n;x;1h\r\naaaa-1111;;1h\r\n"BBBB2222";BBBB2222;3h\r\n';
    const p = parseVoucherFile(csv);
    expect(p.format).toBe('csv');
    expect(p.entries).toEqual([
      { line: 2, code: 'AAAA1111' },
      { line: 5, code: 'BBBB2222' },
    ]);
    expect(p.problems.map((x) => x.line)).toEqual([3, 4]);
    expect(p.problems[1]!.reason).toContain('duplicate of line 2');
    const exported = parseVoucherFile('code,plan,price_kes\nCDEFGHJKMN,1 Hour,20\n');
    expect(exported.entries).toEqual([{ line: 2, code: 'CDEFGHJKMN' }]);
  });

  it('keeps a Mikhmon user whose password differs, and refuses a password with spaces', () => {
    const csv =
      'Username,Password,Profile,Time Limit\nmh7k2q9x,4821,1h,1h\nzz88yy77,ZZ88YY77,1h,1h\nqq11ww22,"a b",1h,1h\n';
    const p = parseVoucherFile(csv);
    expect(p.entries).toEqual([
      { line: 2, code: 'MH7K2Q9X', password: '4821' },
      { line: 3, code: 'ZZ88YY77' },
    ]);
    expect(p.problems).toEqual([
      { line: 4, value: 'qq11ww22', reason: 'a password must be up to 64 characters, no spaces' },
    ]);
  });

  it('reads one code per line and refuses characters that cannot be typed back', () => {
    const p = parseVoucherFile('\uFEFFCDEF GHJK\n\n# comment\nCDE-FGHJK\nbad*code1\n');
    expect(p.format).toBe('list');
    expect(p.entries).toEqual([{ line: 1, code: 'CDEFGHJK' }]);
    expect(p.problems.map((x) => x.line)).toEqual([4, 5]);
  });

  it('treats look-alike spellings as the same code but keeps the code as written', () => {
    const p = parseVoucherFile('HELLO123\nhe110123\n');
    expect(p.entries).toEqual([{ line: 1, code: 'HELLO123' }]);
    expect(p.problems[0]!.reason).toBe('duplicate of line 1 in this file');
  });

  it('parses RouterOS arguments', () => {
    expect(parseRosArgs('name="a \\"b\\"" password=c profile=')).toEqual({
      name: 'a "b"',
      password: 'c',
      profile: '',
    });
  });
});
