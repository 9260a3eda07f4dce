/** The agent's script builder and the simulator's interpreter of it, without a server. */
import { describe, expect, it } from 'vitest';
import {
  agentInstallScript,
  agentSource,
  commandScript,
  opLine,
  ScriptBuildError,
} from '../../src/gateways/agent/script.ts';
import { parseReport, ReportError } from '../../src/gateways/agent/report.ts';
import { Interpreter, ScriptError, type ScriptHost } from '../../src/sim/routeros/script/interp.ts';
import { ScriptRefused } from '../../src/sim/routeros/script/parse.ts';
import { SimRouter } from '../../src/sim/routeros/router.ts';

function host(version = '7.19.4', fetch?: ScriptHost['fetch']): ScriptHost & { logs: string[] } {
  const logs: string[] = [];
  return {
    router: new SimRouter({ version }),
    scripts: new Map(),
    schedulers: new Map(),
    ntp: {},
    logs,
    fetch: fetch ?? (async () => ({ status: 200, body: '' })),
    delay: async () => {},
    log: (l, m) => logs.push(`${l}: ${m}`),
    afterWrite: () => {},
  };
}

const NASTY = [
  'a"b',
  'x\\"; /system reset-configuration; :put "',
  '$(evil)',
  'new\nline',
  'tab\there',
  'q?',
  '\u0001',
];

describe('command script builder', () => {
  it('quotes every value so no code, MAC or comment can leave its string', async () => {
    for (const v of NASTY) {
      const h = host();
      const script = commandScript(
        [
          {
            id: 7,
            ops: [{ menu: 'ip hotspot user', verb: 'upsert', attrs: { name: v, password: v, comment: v } }],
          },
        ],
        false,
      );
      const it = new Interpreter(h);
      it.globals.set('wavuRan', { t: 'str', v: ',' });
      it.globals.set('wavuAcks', { t: 'str', v: '' });
      await it.run(script);
      const u = h.router.list('/ip/hotspot/user').find((x) => x.comment === v);
      expect(u).toMatchObject({ name: v, password: v });
      expect(it.globals.get('wavuAcks')).toEqual({ t: 'str', v: 'a 7 ok\n' });
    }
  });

  it('builds only allowlisted menus and properties', () => {
    expect(() => opLine({ menu: 'system script' as never, verb: 'remove', where: [['name', 'x']] })).toThrow(
      ScriptBuildError,
    );
    expect(() =>
      opLine({ menu: 'ip hotspot user', verb: 'upsert', attrs: { name: 'x', 'on-login': 'bad' } }),
    ).toThrow(/not allowed/);
    expect(() => opLine({ menu: 'ip hotspot active', verb: 'upsert', attrs: { user: 'x' } })).toThrow(
      /cannot be added/,
    );
    expect(() => opLine({ menu: 'ip hotspot active', verb: 'remove', where: [] })).toThrow(/condition/);
    expect(() => commandScript([{ id: -1, ops: [] }], false)).toThrow(/id/);
  });

  it('runs a command once: seen again it is only acknowledged as dup', async () => {
    const h = host();
    const it = new Interpreter(h);
    it.globals.set('wavuRan', { t: 'str', v: ',' });
    it.globals.set('wavuAcks', { t: 'str', v: '' });
    const s = commandScript(
      [{ id: 12, ops: [{ menu: 'ip hotspot user', verb: 'upsert', attrs: { name: 'K1', password: 'K1' } }] }],
      true,
    );
    await it.run(s);
    h.router.remove('/ip/hotspot/user', { '.id': 'K1' });
    await it.run(s);
    expect(h.router.list('/ip/hotspot/user').map((u) => u.name)).toEqual(['default-trial']);
    expect(it.globals.get('wavuAcks')).toEqual({ t: 'str', v: 'a 12 ok\na 12 dup\n' });
    expect(it.globals.get('wavuMore')).toEqual({ t: 'bool', v: true });
  });

  it('acks err when the router refuses a command, and carries on with the next', async () => {
    const h = host();
    const it = new Interpreter(h);
    it.globals.set('wavuRan', { t: 'str', v: ',' });
    it.globals.set('wavuAcks', { t: 'str', v: '' });
    await it.run(
      commandScript(
        [
          {
            id: 1,
            ops: [
              { menu: 'ip hotspot user', verb: 'upsert', attrs: { name: 'K1', profile: 'no-such-profile' } },
            ],
          },
          { id: 2, ops: [{ menu: 'ip hotspot user', verb: 'upsert', attrs: { name: 'K2' } }] },
        ],
        false,
      ),
    );
    expect(it.globals.get('wavuAcks')).toEqual({ t: 'str', v: 'a 1 err\na 2 ok\n' });
  });
});

describe('the interpreter refuses what Wavu does not generate', () => {
  const refused = [
    '/system reset-configuration',
    ':execute "x"',
    '/ip firewall filter add chain=input',
    ':put "$x"',
    '/file remove [find]',
    ':set undeclared 1',
  ];
  for (const src of refused) {
    it(src, async () => {
      await expect(new Interpreter(host()).run(src)).rejects.toThrow(ScriptRefused);
    });
  }
  it('on-error does not swallow a refusal, only RouterOS errors', async () => {
    const h = host();
    await expect(new Interpreter(h).run(':do {/system reboot} on-error={:log info "x"}')).rejects.toThrow(
      ScriptRefused,
    );
    await new Interpreter(h).run(
      ':do {/ip hotspot user set [find where name="nobody"] profile="p"} on-error={:log info "caught"}',
    );
    await new Interpreter(h).run(
      ':do {/ip hotspot user add name="a" profile="nope"} on-error={:log info "caught"}',
    );
    expect(h.logs).toEqual(['info: caught']);
  });
});

describe('the agent script', () => {
  const input = {
    routerName: 'r',
    pollUrl: 'https://wavu.example/agent/v1/poll',
    token: 'T0k3n-abcdefghijklmnop',
    routeros: 7 as const,
  };

  it('installs NTP first, then the script and a 10 s schedule', async () => {
    const h = host();
    await new Interpreter(h).run(agentInstallScript(input));
    expect(h.ntp).toEqual({ enabled: 'true', servers: 'pool.ntp.org' });
    expect(h.scripts.get('wavu-agent')?.source).toBe(agentSource(input));
    expect(h.schedulers.get('wavu-agent')).toMatchObject({ interval: '00:00:10', 'start-time': 'startup' });
    // Running it again replaces, not duplicates.
    await new Interpreter(h).run(agentInstallScript(input));
    expect(h.scripts.size).toBe(1);
  });

  it('v6 syntax on v6 (no idle-timeout, server-dns-names); v7 syntax fails there', async () => {
    const v6 = host('6.49.10');
    await new Interpreter(v6).run(agentInstallScript({ ...input, routeros: 6 }));
    expect(v6.ntp).toEqual({ enabled: 'true', 'server-dns-names': 'pool.ntp.org' });
    expect(agentSource({ ...input, routeros: 6 })).not.toContain('idle-timeout');
    await expect(new Interpreter(host('6.49.10')).run(agentInstallScript(input))).rejects.toThrow(
      ScriptError,
    );
  });

  it('posts a report the server parses, with the token, certificate check and long-poll wait', async () => {
    const seen: import('../../src/sim/routeros/script/interp.ts').FetchRequest[] = [];
    const h = host('7.19.4', async (r) => {
      seen.push(r);
      return { status: 200, body: ':global wavuMore\n:set wavuMore false\n' };
    });
    h.router.add('/ip/hotspot/user', { name: 'K|1', password: 'x', comment: 'wavu:abc' });
    h.router.join('A4:00:00:00:00:01', '10.5.50.2');
    h.router.login({ user: 'K|1', password: 'x', ip: '10.5.50.2', by: 'http-pap' });
    h.router.addTraffic('A4:00:00:00:00:01', 10, 20);
    const it = new Interpreter(h);
    await it.run(agentSource(input));
    expect(seen).toHaveLength(1);
    const r = seen[0]!;
    expect(r).toMatchObject({
      url: `${input.pollUrl}?wait=25`,
      method: 'POST',
      checkCertificate: true,
      idleTimeoutMs: 35_000,
    });
    expect(r.headers).toEqual({ Authorization: `Bearer ${input.token}`, 'Content-Type': 'text/plain' });
    const rep = parseReport(r.body!);
    expect(rep.version).toBe('7.19.4');
    expect(rep.sessions).toMatchObject([
      { user: 'K|1', mac: 'A4:00:00:00:00:01', ip: '10.5.50.2', bytesIn: 10, bytesOut: 20 },
    ]);
    expect(rep.users).toMatchObject([{ name: 'K|1', comment: 'wavu:abc' }]);
    // The lock is released after the run.
    expect(it.globals.get('wavuLock')).toEqual({ t: 'str', v: '' });
  });

  it('never overlaps: a run while another holds the lock does nothing', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = host('7.19.4', async () => {
      calls++;
      await gate;
      return { status: 200, body: ':global wavuMore\n:set wavuMore false\n' };
    });
    const it = new Interpreter(h);
    const first = it.run(agentSource(input));
    await new Promise((r) => setTimeout(r, 20));
    await it.run(agentSource(input));
    release();
    await first;
    expect(calls).toBe(1);
    expect(h.logs).toContain('debug: wavu: the previous poll is still running');
  });

  it('a failed fetch keeps the acks for the next poll', async () => {
    const h = host('7.19.4', async () => ({ status: 503, body: '' }));
    const it = new Interpreter(h);
    it.globals.set('wavuAcks', { t: 'str', v: 'a 5 ok\n' });
    await it.run(agentSource(input));
    expect(it.globals.get('wavuAcks')).toEqual({ t: 'str', v: 'a 5 ok\n' });
    expect(h.logs.some((l) => l.startsWith('warning: wavu: poll failed'))).toBe(true);
  });

  it('refuses a reply over 64 KB as RouterOS would', async () => {
    const h = host('7.19.4', async () => ({ status: 200, body: `# ${'x'.repeat(70_000)}` }));
    const it = new Interpreter(h);
    await it.run(agentSource(input));
    expect(h.logs.some((l) => l.startsWith('warning: wavu: poll failed'))).toBe(true);
  });
});

describe('report parser', () => {
  it('reads RouterOS times in both styles and refuses garbage', () => {
    const r = parseReport('wavu-agent 1\nuptime 1w2d03:04:05\nboot x\n');
    expect(r.uptimeSeconds).toBe(7 * 86400 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    for (const bad of [
      '',
      'wavu-agent 2\nuptime 1s',
      'wavu-agent 1\n',
      'wavu-agent 1\nuptime 1s\na x ok',
      'wavu-agent 1\nuptime soon',
    ]) {
      expect(() => parseReport(bad)).toThrow(ReportError);
    }
  });
});
