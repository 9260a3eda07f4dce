/**
 * The simulated router's API service (8728, or TLS like api-ssl on 8729). It speaks the real wire
 * format — length-prefixed words, tagged concurrent commands, `!re/!done/!trap/!fatal/!empty` — and
 * picks its login method and `!empty` behaviour from the emulated RouterOS version.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import {
  encodeSentence,
  parseCommand,
  type ReplyWord,
  replyWords,
  SentenceDecoder,
} from '../../protocols/routeros/codec.ts';
import { challengeResponse } from '../../protocols/routeros/login.ts';
import { executeCommand, splitCommand } from './commands.ts';
import type { SimRouter } from './router.ts';
import { SimTrap } from './store.ts';

export type Fault = 'none' | 'down' | 'slow';

export interface CommandHold {
  /** Resolves when the held command has arrived. */
  reached: Promise<void>;
  release(): void;
}

export interface ApiServerOptions {
  router: SimRouter;
  host?: string;
  port?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Commands a client may send before logging in before the router gives up on it. */
const MAX_BEFORE_LOGIN = 8;

export class RouterOsApiServer {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  fault: Fault = 'none';
  slowMs = 2_000;
  port = 0;

  constructor(private readonly o: ApiServerOptions) {}

  async start(): Promise<number> {
    const onConn = (s: net.Socket) => this.onConnection(s);
    this.server = this.o.tls
      ? tls.createServer({ key: this.o.tls.key, cert: this.o.tls.cert }, onConn)
      : net.createServer(onConn);
    // A TLS handshake that fails is the client's problem, not a reason to crash.
    this.server.on('tlsClientError', () => {});
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Cut every open API connection (reboot, outage). */
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /**
   * Answer the next `command` only once `release` is called (test hook): a test can then act at
   * an exact point of a client's sequence of commands. Other commands are answered meanwhile.
   */
  hold(command: string): CommandHold {
    let reached!: () => void;
    let release!: () => void;
    const hold = {
      command,
      reached: new Promise<void>((r) => (reached = r)),
      gate: new Promise<void>((r) => (release = r)),
      arrive: () => reached(),
    };
    this.holds.push(hold);
    return { reached: hold.reached, release: () => release() };
  }

  private readonly holds: { command: string; gate: Promise<void>; arrive: () => void }[] = [];

  setFault(f: Fault, slowMs?: number): void {
    this.fault = f;
    if (slowMs !== undefined) this.slowMs = slowMs;
    if (f === 'down') this.dropAll();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private onConnection(socket: net.Socket): void {
    if (this.fault === 'down') {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    // A reply is several sentences written one by one (`!re`…, `!done`); with Nagle on, the last
    // waits for the client's delayed ACK (~40 ms) and every measurement would show that instead.
    socket.setNoDelay(true);
    const router = this.o.router;
    const decoder = new SentenceDecoder();
    const inflight = new Map<string, NodeJS.Timeout>();
    let user: string | null = null;
    let challenge: Buffer | null = null;
    let beforeLogin = 0;

    const send = (
      type: ReplyWord,
      attrs: Record<string, string> = {},
      tag?: string,
      other: string[] = [],
    ) => {
      if (!socket.destroyed) socket.write(encodeSentence(replyWords(type, attrs, tag, other)));
    };
    const trap = (message: string, tag: string | undefined, category?: number) => {
      send('!trap', { ...(category !== undefined ? { category: String(category) } : {}), message }, tag);
      send('!done', {}, tag);
    };
    const fatal = (reason: string) => {
      send('!fatal', {}, undefined, [reason]);
      socket.end();
    };

    const login = (attrs: Record<string, string>, tag: string | undefined) => {
      const v7 = router.versionAtLeast('7.0');
      const plainAllowed = router.versionAtLeast('6.43');
      const challengeAllowed = !router.versionAtLeast('6.45.1');
      const badPlain = v7 ? 'invalid user name or password (6)' : 'invalid user name or password';
      if (attrs.response !== undefined) {
        const want =
          challenge && attrs.name !== undefined && router.users.has(attrs.name)
            ? challengeResponse(router.users.get(attrs.name)!, challenge.toString('hex'))
            : null;
        challenge = null;
        if (!challengeAllowed || !want || want !== attrs.response.toLowerCase())
          return trap('cannot log in', tag);
        user = attrs.name!;
        return send('!done', {}, tag);
      }
      if (attrs.password !== undefined && plainAllowed) {
        if (attrs.name !== undefined && router.users.get(attrs.name) === attrs.password) {
          user = attrs.name;
          return send('!done', {}, tag);
        }
        return trap(badPlain, tag);
      }
      if (challengeAllowed) {
        challenge = randomBytes(16);
        return send('!done', { ret: challenge.toString('hex') }, tag);
      }
      return trap(badPlain, tag);
    };

    const run = (
      command: string,
      attrs: Record<string, string>,
      queries: string[],
      proplist: string | undefined,
      tag: string | undefined,
    ) => {
      // One write for the whole reply: a print of 12,500 users was 12,500 socket writes, and
      // the router answered nothing else meanwhile.
      socket.cork();
      try {
        const res = executeCommand(router, command, attrs, queries, proplist);
        for (const row of res.rows) send('!re', row, tag);
        const isPrint = ['print', 'getall'].includes(splitCommand(command).verb);
        if (!res.rows.length && res.ret === undefined && isPrint && router.versionAtLeast('7.18'))
          send('!empty', {}, tag);
        send('!done', res.ret !== undefined ? { ret: res.ret } : {}, tag);
      } catch (e) {
        if (e instanceof SimTrap) trap(e.message, tag, e.category);
        else trap(`failure: ${(e as Error).message}`, tag, 4);
      } finally {
        socket.uncork();
      }
    };

    const onSentence = (words: string[]) => {
      const c = parseCommand(words);
      const tag = c.tag;
      if (c.command === '/login') return login(c.attrs, tag);
      if (c.command === '/quit') return fatal('session terminated on request');
      if (!user) {
        beforeLogin++;
        if (beforeLogin > MAX_BEFORE_LOGIN) return fatal('not logged in');
        return trap('not logged in', tag, 5);
      }
      if (c.command === '/cancel') {
        const victims = c.attrs.tag !== undefined ? [c.attrs.tag] : [...inflight.keys()];
        for (const v of victims) {
          const t = inflight.get(v);
          if (!t) continue;
          clearTimeout(t);
          inflight.delete(v);
          trap('interrupted', v, 2);
        }
        return send('!done', {}, tag);
      }
      const proplist = c.api.proplist;
      if (this.fault === 'slow') {
        const key = tag ?? `untagged-${Math.random()}`;
        inflight.set(
          key,
          setTimeout(() => {
            inflight.delete(key);
            run(c.command, c.attrs, c.queries, proplist, tag);
          }, this.slowMs),
        );
        return;
      }
      const held = this.holds.findIndex((h) => h.command === c.command);
      if (held >= 0) {
        const [h] = this.holds.splice(held, 1);
        h!.arrive();
        void h!.gate.then(() => !socket.destroyed && run(c.command, c.attrs, c.queries, proplist, tag));
        return;
      }
      run(c.command, c.attrs, c.queries, proplist, tag);
    };

    socket.on('data', (chunk: Buffer) => {
      try {
        for (const words of decoder.push(chunk)) onSentence(words);
      } catch {
        fatal('protocol error');
        socket.destroy();
      }
    });
    socket.on('close', () => {
      for (const t of inflight.values()) clearTimeout(t);
      inflight.clear();
    });
  }
}
