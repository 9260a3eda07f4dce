/**
 * `wavu routers …`: the routers registry from the command line, through the same use cases as the
 * admin API, so each change (and each setup script, which carries a secret) is audited as `cli`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZodError } from 'zod';
import type { Deps } from '../app/deps.ts';
import { type Command, parse, UsageError } from '../cli/command.ts';
import { audit, cliActor } from '../audit/index.ts';
import { isAppError } from '../lib/errors.ts';
import { describeZod } from '../http/server.ts';
import { addRouter } from './routers/add-router.ts';
import { findRouter } from './routers/get-router.ts';
import { listRouters } from './routers/list-routers.ts';
import { removeRouter } from './routers/remove-router.ts';
import { testRouter } from './routers/test-router.ts';
import { updateRouter } from './routers/update-router.ts';
import { routerScript } from './routers/router-script.ts';
import { AGENT_SECTION, loginHtml } from './setup-script.ts';
import type { RouterRow } from './adapter.ts';
import { rotateAgentToken } from './routers/rotate-agent-token.ts';
import { apiConnection, describe, radiusFrom } from './cli/describe.ts';
import { ALLOWED, addInput, OPTIONS, precheckAdd, USAGE, type Values } from './cli/options.ts';

export const routersCommand: Command = {
  name: 'routers',
  summary: 'Add, list, test and remove routers; print a router setup script.',
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, OPTIONS);
    const [sub, name, ...extra] = positionals;
    if (!sub) throw new UsageError('say what to do: add, list, show, update, remove, test or script');
    const allowed = ALLOWED[sub];
    if (!allowed) throw new UsageError(`unknown subcommand "${sub}"`);
    const given = Object.keys(values) as (keyof typeof OPTIONS)[];
    const wrong = given.filter((k) => !allowed.includes(k));
    if (wrong.length) throw new UsageError(`--${wrong[0]} does not apply to "routers ${sub}"`);
    if (sub !== 'list' && !name) throw new UsageError(`"routers ${sub}" needs the router's name`);
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (sub === 'add') precheckAdd(values); // before opening the database: mistakes answer at once
    return ctx.withDeps(async (deps) => {
      try {
        return await SUBCOMMANDS[sub]!(deps, name ?? '', values);
      } catch (e) {
        if (isAppError(e)) {
          process.stderr.write(`wavu routers ${sub}: ${e.message}\n`);
          return 1;
        }
        if (e instanceof ZodError) {
          process.stderr.write(
            `wavu routers ${sub}: ${describeZod(e).replace(/(^|; )(\w+)/g, (_m, p, f) => `${p}--${kebab(f)}`)}\n`,
          );
          return 2;
        }
        throw e;
      }
    });
  },
};

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const out = (s: string) => process.stdout.write(`${s}\n`);

const SUBCOMMANDS: Record<string, (deps: Deps, name: string, v: Values) => Promise<number>> = {
  async add(deps, name, v) {
    const res = await addRouter(deps, addInput(v, name) as never, { actor: cliActor() });
    out(`Added router ${res.router.name}.`);
    out(describe(res.router).slice(1).join('\n'));
    if (res.generated.password)
      out(
        `  API password generated for user "${res.router.username}" (the setup script sets it on the router).`,
      );
    if (res.generated.secret) out(`  RADIUS secret generated: ${res.generated.secret}`);
    if (res.generated.faskey) out('  faskey generated (the setup script carries it).');
    if (res.router.tunnel === 'wireguard')
      out(`  WireGuard key pair generated; the router's tunnel address is ${res.router.tunnelAddress}.`);
    if (res.generated.agentToken) {
      out(`  Agent token (shown once, only its hash is kept): ${res.generated.agentToken}`);
      out('');
      out('Next:');
      out(
        `  1. wavu routers script ${res.router.name} --token=${res.generated.agentToken} --out .   (add --routeros 6 for RouterOS 6.43+)`,
      );
      out(
        `  2. import wavu-${res.router.name}.rsc on the router; it checks in within 10 s (wavu routers show ${res.router.name})`,
      );
      return 0;
    }
    for (const w of res.router.warnings) process.stderr.write(`Warning: ${w}\n`);
    out('');
    out('Next:');
    let step = 0;
    if (res.router.tunnel === 'wireguard')
      out(
        `  ${++step}. wavu wireguard server-config --out /etc/wireguard/wavu.conf   (then wg-quick up wavu, or wg syncconf)`,
      );
    out(
      `  ${++step}. wavu routers script ${res.router.name} --out .     (then import wavu-${res.router.name}.rsc on the router)`,
    );
    if (res.router.mode === 'api') out(`  ${++step}. wavu routers test ${res.router.name}`);
    return 0;
  },
  async list(deps, _name, v) {
    const list = await listRouters(deps);
    if (v.json) {
      out(JSON.stringify(list, null, 2));
      return 0;
    }
    if (!list.length) {
      out(
        'No routers yet. Add one: wavu routers add NAME --mode api --host ADDRESS   (see wavu routers --help)',
      );
      return 0;
    }
    const rows = list.map((r) => [
      r.name,
      r.mode,
      r.mode === 'opennds'
        ? `openNDS level ${r.openndsLevel} (polls Wavu)`
        : r.mode === 'unifi'
          ? `UniFi ${r.unifiUrl} site ${r.unifiSite}`
          : r.mode !== 'api'
            ? `radius ${radiusFrom(r)}`
            : r.transport === 'agent'
              ? 'agent (polls Wavu)'
              : apiConnection(r),
      r.enabled ? r.status : 'disabled',
      r.lastSeenAt ? r.lastSeenAt.toISOString().replace('T', ' ').slice(0, 19) : '-',
    ]);
    const head = ['NAME', 'MODE', 'CONNECTION', 'STATUS', 'LAST SEEN (UTC)'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows])
      out(
        r
          .map((c, i) => c.padEnd(w[i]!))
          .join('  ')
          .trimEnd(),
      );
    const warnings = list.flatMap((r) => r.warnings);
    if (warnings.length) out('');
    for (const w of warnings) out(`WARNING: ${w}`);
    return 0;
  },
  async show(deps, name, v) {
    const list = await listRouters(deps);
    const r = list.find((x) => x.name === name || String(x.id) === name);
    if (!r) await findRouter(deps, name); // throws the not-found message
    out(v.json ? JSON.stringify(r, null, 2) : describe(r!).join('\n'));
    return 0;
  },
  async update(deps, name, v) {
    if (v.enable && v.disable) throw new UsageError('--enable and --disable together make no sense');
    const input = addInput(v, name) as Record<string, unknown>;
    delete input.name;
    if (v.name) input.name = v.name;
    if (v.enable) input.enabled = true;
    if (v.disable) input.enabled = false;
    if (Object.keys(input).length === 0) throw new UsageError('nothing to change: give at least one option');
    const r = await updateRouter(deps, name, input, { actor: cliActor() });
    out(`Updated ${r.name}.`);
    out(describe(r).join('\n'));
    if (input.allowFrom !== undefined || input.address !== undefined)
      out('A running RADIUS server applies the change within 5 seconds.');
    return 0;
  },
  async remove(deps, name) {
    const res = await removeRouter(deps, name, { actor: cliActor() });
    out(
      res.removed
        ? `Removed ${name}. (Nothing was changed on the router itself.)`
        : `${name} has payments or sessions on record, so it was disabled instead of deleted.`,
    );
    return 0;
  },
  async test(deps, name) {
    const res = await testRouter(deps, name);
    const h = res.health;
    if (h.ok) {
      out(`OK: ${name} answered in ${h.latencyMs} ms`);
      if (h.identity !== undefined)
        out(
          `  identity ${h.identity} · RouterOS ${h.version} · ${h.board} · up ${h.uptimeSeconds}s · ${h.activeSessions} online`,
        );
      if (res.fingerprint256)
        out(
          `  certificate SHA-256 ${res.fingerprint256}\n  pin it: wavu routers update ${name} --tls-fingerprint ${res.fingerprint256}`,
        );
      return 0;
    }
    process.stderr.write(`FAILED: ${name}: ${h.error}\n`);
    if (res.hint) process.stderr.write(`  ${res.hint}\n`);
    return 1;
  },
  async script(deps, name, v) {
    let router = await findRouter(deps, name);
    if (v['rotate-password']) {
      if (router.mode !== 'api') throw new UsageError('--rotate-password is for routers in api mode');
      const { generateSecret } = await import('./routers/add-router.ts');
      await updateRouter(deps, router.id, { password: generateSecret() }, { actor: cliActor() });
      router = await findRouter(deps, router.id);
      process.stderr.write(
        'New API password stored: Wavu uses it from now on, so run this script on the router now.\n',
      );
    }
    if (router.name === 'demo-router') {
      process.stderr.write(
        'Note: demo-router is simulated inside the demo; this is the script a real MikroTik would run.\n',
      );
    }
    const agent = await agentScriptOptions(deps, router, v);
    const html = loginHtml({ publicUrl: deps.config.publicUrl, routerName: router.name });
    if ((router.mode === 'opennds' || router.mode === 'unifi') && (v.out || v['login-html'])) {
      throw new UsageError(
        `--out and --login-html are for MikroTik routers; an ${router.mode === 'unifi' ? 'UniFi' : 'openNDS'} script prints as text`,
      );
    }
    if (
      v.ppp &&
      !((router.mode === 'api' || router.mode === 'radius') && router.radiusProfile === 'mikrotik')
    ) {
      throw new UsageError(
        '--ppp is for MikroTik routers (api mode, or radius mode with the mikrotik profile)',
      );
    }
    if (v['fas-ip'] !== undefined && router.mode !== 'opennds') {
      throw new UsageError('--fas-ip is for openNDS routers');
    }
    if (v['login-html']) {
      process.stdout.write(html);
      return 0;
    }
    if (/^https?:\/\/(localhost|127\.)/.test(deps.config.publicUrl)) {
      process.stderr.write(
        `Note: PUBLIC_URL is ${deps.config.publicUrl}, which phones on the hotspot cannot reach. Set PUBLIC_URL to this server's address first.\n`,
      );
    }
    const script = await routerScript(deps, router, {
      radiusAddress: v['radius-address'],
      ...agent,
      fasIp: v['fas-ip'],
      ppp: v.ppp === true,
    });
    await audit(deps.db, deps, {
      actor: cliActor(),
      action: 'router.script',
      entity: 'router',
      entityId: router.id,
    });
    if (v['agent-only']) {
      process.stdout.write(script.slice(script.indexOf(AGENT_SECTION)));
      return 0;
    }
    if (v.out) {
      const dir = resolve(v.out);
      mkdirSync(join(dir, 'wavu'), { recursive: true });
      const rsc = join(dir, `wavu-${router.name}.rsc`);
      writeFileSync(rsc, script, { mode: 0o600 });
      writeFileSync(join(dir, 'wavu', 'login.html'), html);
      out(`Wrote ${rsc} (contains a password: keep it private) and ${join(dir, 'wavu', 'login.html')}.`);
      out(
        `Upload both to the router (Winbox > Files; keep the wavu folder), then run: /import file-name=wavu-${router.name}.rsc`,
      );
      return 0;
    }
    process.stdout.write(script);
    return 0;
  },
};

/**
 * The agent part of `script`: which token and which RouterOS syntax. A token typed with --token
 * goes to routerScript as typed, so it is checked against the stored hash (a mistyped token would
 * otherwise give a script that can never check in); a token just made by --rotate-token is the
 * stored one by construction.
 */
async function agentScriptOptions(
  deps: Deps,
  router: RouterRow,
  v: Values,
): Promise<
  { agent: { token: string; routeros: 6 | 7 } } | { agentToken: string; routeros: 6 | 7 } | undefined
> {
  const agentFlags = v.token || v['rotate-token'] || v.routeros || v['agent-only'];
  if (router.apiTransport !== 'agent') {
    if (agentFlags)
      throw new UsageError('--token, --rotate-token, --routeros and --agent-only are for agent routers');
    return undefined;
  }
  if (v.routeros !== undefined && v.routeros !== '6' && v.routeros !== '7')
    throw new UsageError('--routeros is 6 (6.43 or later) or 7');
  const routeros = v.routeros === '6' ? 6 : 7;
  let rotated: string | undefined;
  if (v['rotate-token']) {
    rotated = await rotateAgentToken(deps, router.id);
    process.stderr.write(
      'New agent token stored: the old one no longer works, so run this script on the router now.\n',
    );
  }
  if (!rotated && !v.token) {
    throw new UsageError(
      `the script carries the router's agent token, which Wavu keeps only as a hash: give the one "wavu routers add" showed (--token TOKEN), or make a new one with --rotate-token`,
    );
  }
  if (!deps.config.publicUrl.startsWith('https://')) {
    process.stderr.write(
      `Note: PUBLIC_URL is ${deps.config.publicUrl}; the agent checks certificates (check-certificate=yes), so it needs an https:// PUBLIC_URL with a certificate the router trusts.\n`,
    );
  }
  return rotated ? { agent: { token: rotated, routeros } } : { agentToken: v.token!, routeros };
}
