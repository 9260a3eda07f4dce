/**
 * The routers of `bench/expiry-scale.ts`, in processes of their own: RouterOS simulators on their
 * own API ports (a process each), and NAS peers on loopback addresses answering each
 * Disconnect-Request with a Disconnect-ACK (counted per session). Real routers are other
 * machines; in the bench's process their bookkeeping over 12,500 users each would share the
 * worker's event loop and be measured as the worker's lateness.
 *
 * Started by `startRouters` below with fork(); it answers {id, op, args} messages with {id, result}.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { AccessSpec } from '../src/gateways/adapter.ts';
import { profileAttrs, profileName, userAttrs } from '../src/gateways/mikrotik/hotspot-users.ts';
import {
  decodePacket,
  encodeResponse,
  getText,
  RadiusCode,
  verifyRequest,
} from '../src/protocols/radius/index.ts';
import { startRouterOsSim } from '../src/sim/routeros/index.ts';

/** Where a logged-in seed user is. */
export interface SeedUser {
  mac: string;
  ip: string;
}
export interface RouterStats {
  usersLeft: number;
  activeLeft: number;
  disconnects: number;
  duplicates: number;
}
interface Seed {
  api: number;
  nasHosts: string[];
  routerPass: string;
  secret: string;
}

// ------------------------------------------------------------------ in the child

async function serve(seed: Seed) {
  const sims: Awaited<ReturnType<typeof startRouterOsSim>>[] = [];
  const seen = new Map<string, number>();
  const socks: ReturnType<typeof createSocket>[] = [];
  for (let i = 0; i < seed.api; i++)
    sims.push(
      await startRouterOsSim({ users: [{ name: 'wavu', password: seed.routerPass }], httpPort: false }),
    );
  const coaPorts: number[] = [];
  for (const host of seed.nasHosts) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, host, () => r()));
    s.on('message', (msg, rinfo) => {
      const req = decodePacket(msg);
      if (!verifyRequest(req, seed.secret).ok) return;
      const id = getText(req, 'Acct-Session-Id') ?? '';
      // A retransmission of the same packet is the client's retry, not a second revoke.
      const key = `${id}|${req.identifier}|${req.authenticator.toString('hex')}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const code = req.code === RadiusCode.DisconnectRequest ? RadiusCode.DisconnectAck : RadiusCode.CoaAck;
      s.send(
        encodeResponse({ code, request: req, attributes: [], secret: seed.secret }),
        rinfo.port,
        rinfo.address,
      );
    });
    socks.push(s);
    coaPorts.push(s.address().port);
  }
  const ops = {
    /**
     * Router `r`'s users as its grants wrote them (the plan's profile, the limits, the comment),
     * so the worker's first reconcile of the router finds nothing to change; `online[i]` logged in.
     */
    seedUsers(r: number, specs: AccessSpec[], online: (SeedUser | null)[]) {
      const router = sims[r]!.router;
      for (const spec of new Map(specs.map((x) => [profileName(x.planId), x])).values())
        router.add('/ip/hotspot/user/profile', { name: profileName(spec.planId), ...profileAttrs(spec) });
      specs.forEach((spec, i) => {
        router.add('/ip/hotspot/user', userAttrs(spec, undefined, []));
        const u = online[i];
        if (u) router.login({ user: spec.code, password: spec.code, ip: u.ip, mac: u.mac, by: 'http-chap' });
      });
    },
    stats(): RouterStats {
      const perSession = new Map<string, number>();
      for (const k of seen.keys()) {
        const id = k.split('|')[0]!;
        perSession.set(id, (perSession.get(id) ?? 0) + 1);
      }
      return {
        usersLeft: sims.reduce(
          (n, s) =>
            n + s.router.list('/ip/hotspot/user').filter((u) => u.comment?.startsWith('wavu:')).length,
          0,
        ),
        activeLeft: sims.reduce((n, s) => n + s.router.list('/ip/hotspot/active').length, 0),
        disconnects: perSession.size,
        duplicates: [...perSession.values()].filter((v) => v > 1).length,
      };
    },
    async stop() {
      for (const s of sims) await s.stop();
      for (const s of socks) s.close();
      setImmediate(() => process.exit(0));
    },
  };
  process.on('message', async (m: { id: number; op: keyof typeof ops; args: unknown[] }) => {
    const result = await (ops[m.op] as (...a: unknown[]) => unknown)(...m.args);
    process.send!({ id: m.id, result });
  });
  process.send!({ id: 0, result: { apiPorts: sims.map((s) => s.apiPort), coaPorts } });
}

if (process.env.BENCH_ROUTERS_CHILD) await serve(JSON.parse(process.env.BENCH_ROUTERS_CHILD) as Seed);

// ------------------------------------------------------------------ in the bench

/**
 * Starts the routers: each api router in a process of its own, as each real router is a machine
 * of its own (in one process, one router's 12,500-user listing held up every other router's
 * revokes), and the NAS peers in one more. Returns their ports and calls.
 */
export async function startRouters(seed: Seed) {
  const api = await Promise.all(
    Array.from({ length: seed.api }, () => startChild({ ...seed, api: 1, nasHosts: [] })),
  );
  const nas = seed.nasHosts.length ? [await startChild({ ...seed, api: 0 })] : [];
  const all = [...api, ...nas];
  return {
    apiPorts: api.flatMap((c) => c.ready.apiPorts),
    coaPorts: nas.flatMap((c) => c.ready.coaPorts),
    seedUsers: (r: number, specs: AccessSpec[], online: (SeedUser | null)[]) =>
      api[r]!.call<void>('seedUsers', 0, specs, online),
    async stats(): Promise<RouterStats> {
      const each = await Promise.all(all.map((c) => c.call<RouterStats>('stats')));
      return {
        usersLeft: each.reduce((n, x) => n + x.usersLeft, 0),
        activeLeft: each.reduce((n, x) => n + x.activeLeft, 0),
        disconnects: each.reduce((n, x) => n + x.disconnects, 0),
        duplicates: each.reduce((n, x) => n + x.duplicates, 0),
      };
    },
    async stop() {
      await Promise.all(all.map((c) => c.stop()));
    },
  };
}

async function startChild(seed: Seed) {
  const child: ChildProcess = fork(new URL(import.meta.url).pathname, [], {
    env: { ...process.env, BENCH_ROUTERS_CHILD: JSON.stringify(seed) },
    // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each routers' process there.
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    // Dates and large arrays of specs cross as structured clones, not JSON.
    serialization: 'advanced',
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id: number; result: unknown }) => {
    waiting.get(m.id)?.resolve(m.result);
    waiting.delete(m.id);
  });
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`a routers' process exited (${code})`));
    waiting.clear();
  });
  let seq = 0;
  const call = <T>(op: string, ...args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      const id = ++seq;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, args });
    });
  const ready = await new Promise<{ apiPorts: number[]; coaPorts: number[] }>((resolve, reject) =>
    waiting.set(0, { resolve: resolve as (v: unknown) => void, reject }),
  );
  return {
    ready,
    call,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      await call<void>('stop').catch(() => {}); // it may exit before its answer crosses
      await exited;
    },
  };
}
