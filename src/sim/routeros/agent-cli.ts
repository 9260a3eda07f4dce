/**
 * `wavu sim routeros --agent-script FILE`: a router that only polls out. Nothing listens; a test
 * (or a person) drives the hotspot side on stdin: devices joining, logging in, using data.
 */
import { createInterface } from 'node:readline';
import { SimAgent } from './agent.ts';
import { SimRouter } from './router.ts';

export async function runAgentRouter(o: {
  script: string;
  statePath?: string | undefined;
  ca?: Buffer | undefined;
  pollEveryMs?: number | undefined;
  version?: string | undefined;
  identity?: string | undefined;
}): Promise<number> {
  const router = new SimRouter({
    ...(o.version ? { version: o.version } : {}),
    ...(o.identity ? { identity: o.identity } : {}),
  });
  const agent = new SimAgent({
    router,
    ...(o.statePath ? { statePath: o.statePath } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.pollEveryMs ? { intervalMs: o.pollEveryMs } : {}),
    log: (level, message) => process.stderr.write(`[${level}] ${message}\n`),
  });
  const say = (s: string) => process.stdout.write(`${s}\n`);
  await agent.runScript(o.script);
  agent.start();
  say(`READY RouterOS ${router.version}, agent-only (no API, nothing listening)`);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [cmd, ...a] = line.trim().split(/\s+/);
    try {
      if (cmd === 'join') {
        router.join(a[0]!, a[1]!);
        say('OK join');
      } else if (cmd === 'login') {
        const r = router.login({ user: a[0]!, password: a[1]!, mac: a[2]!, ip: a[3]!, by: 'http-pap' });
        say(r.ok ? 'OK login' : `ERR ${r.error}`);
      } else if (cmd === 'traffic') {
        router.addTraffic(a[0]!, Number(a[1]), Number(a[2]));
        say('OK traffic');
      } else if (cmd === 'poll') {
        await agent.tick();
        say('OK poll');
      } else if (cmd === 'users')
        say(JSON.stringify(router.list('/ip/hotspot/user').filter((u) => u.comment?.startsWith('wavu:'))));
      else if (cmd === 'active') say(JSON.stringify(router.list('/ip/hotspot/active')));
      else if (cmd === 'refused') say(JSON.stringify(agent.refused));
      else if (cmd) say(`ERR unknown control command ${cmd}`);
    } catch (e) {
      say(`ERR ${(e as Error).message}`);
    }
  }
  await agent.stop();
  return 0;
}
