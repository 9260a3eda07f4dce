import { describe, expect, it } from 'vitest';
import { parseSubscriberImport } from '../../src/subscribers/parse-import.ts';

describe('reading subscriber files', () => {
  it('reads a /ppp secret export: continuations, quotes, escapes, comments, other menus', () => {
    const p = parseSubscriberImport(
      [
        '# jan/02/2027 by RouterOS 6.49',
        '/ppp profile',
        'add name=5M rate-limit=5M/5M',
        '/ppp secret',
        'add comment="Mary \\"Shop\\" +254 733 123 456" name=mary password="p\\$ss w0rd" \\',
        '    profile=5M remote-address=10.20.0.15 service=pppoe',
        'add name=tom password=tompass1 profile=default service=any disabled=yes',
        'add name=ovpn1 password=x1234567 service=ovpn',
        'add password=nobody1',
        'add name=nopw service=pppoe',
        '/ip hotspot user',
        'add name=HOT123 password=HOT123',
      ].join('\n'),
    );
    expect(p.format).toBe('mikrotik');
    expect(p.rows).toEqual([
      {
        line: 5,
        username: 'mary',
        password: 'p$ss w0rd',
        name: 'Mary "Shop" +254 733 123 456',
        phone: '254733123456',
        plan: '5M',
        staticIp: '10.20.0.15',
        suspended: false,
      },
      expect.objectContaining({ line: 7, username: 'tom', plan: undefined, suspended: true }),
    ]);
    expect(p.problems).toEqual([
      { line: 8, reason: 'ovpn1: service=ovpn is not PPPoE' },
      { line: 9, reason: 'an add line without name=' },
      { line: 10, reason: 'nopw: no password= (a PPPoE login needs one)' },
    ]);
  });

  it('reads the v7 path form', () => {
    const p = parseSubscriberImport('/ppp/secret/add name=a1 password=abcd1234 service=pppoe');
    expect(p.rows.map((r) => r.username)).toEqual(['a1']);
  });

  it('reads a CSV with its columns in any order, and says what a header must hold', () => {
    const p = parseSubscriberImport(
      'phone;username;password;plan;due\n0712345678;jane;pw-jane1;Home 10 Mbps;2027-01-31\n;bob;;;\n\n',
    );
    expect(p.format).toBe('csv');
    expect(p.rows).toEqual([
      expect.objectContaining({
        line: 2,
        username: 'jane',
        phone: '0712345678',
        plan: 'Home 10 Mbps',
        due: '2027-01-31',
      }),
    ]);
    expect(p.problems).toEqual([{ line: 3, reason: 'username and password are both needed' }]);
    expect(parseSubscriberImport('user,pass\na,b').problems[0]!.reason).toMatch(/must name the columns/);
  });
});
