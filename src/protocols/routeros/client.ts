/**
 * RouterOS binary API client (TCP 8728, TLS 8729). Every command is tagged, so any number run at
 * once on one connection; replies are matched by tag whatever their order. The connection opens on
 * first use and again after it breaks (reconnect); a command that times out destroys the
 * connection, because a silent router usually means a half-open socket.
 */
import net from 'node:net';
import tls from 'node:tls';
import { commandWords, encodeSentence, parseReply, SentenceDecoder } from './codec.ts';
import { RosConnectionError, RosLoginError, RosTimeoutError, RosTrapError } from './errors.ts';
import { challengeResponse } from './login.ts';
import {
  type AttrValue,
  type ExecOptions,
  type RosResult,
  type Row,
  type RouterOsApi,
  toWire,
} from './types.ts';

export interface RouterOsClientOptions {
  host: string;
  port?: number;
  username: string;
  password: string;
  /** TLS (api-ssl, 8729). `fingerprint256` pins the router's certificate (self-signed is usual). */
  tls?: boolean | { fingerprint256?: string | undefined };
  /**
   * `auto`: the 6.43+ plain login, falling back to the MD5 challenge if the router answers with one
   * (6.43–6.45.0 do when they hold an old-style password). `challenge`: pre-6.43 routers only.
   */
  loginMethod?: 'auto' | 'plain' | 'challenge';
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
}

interface Pending {
  command: string;
  rows: Row[];
  trap: { message: string; category: number | undefined } | null;
  resolve(r: RosResult): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout | undefined;
}

export class RouterOsClient implements RouterOsApi {
  private socket: net.Socket | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pending = new Map<string, Pending>();
  private nextTag = 0;
  private closed = false;
  /** SHA-256 fingerprint of the router's certificate on the last TLS connection. */
  peerFingerprint256: string | undefined;

  constructor(private readonly o: RouterOsClientOptions) {}

  get connected(): boolean {
    return this.socket !== null && this.connecting === null;
  }

  async exec(
    command: string,
    attrs: Record<string, AttrValue> = {},
    opts: ExecOptions = {},
  ): Promise<RosResult> {
    if (this.closed) throw new RosConnectionError('client is closed');
    const reused = this.connected;
    await this.connect();
    try {
      return await this.send(command, attrs, opts);
    } catch (e) {
      // A kept-open connection the router dropped (reboot, NAT timeout) fails on first use with
      // EPIPE/ECONNRESET before any reply: try once more on a fresh connection. A timeout is not
      // retried (the router is slow, not gone). Callers' writes must be idempotent, as ours are:
      // the command may have reached the router just before the connection broke.
      const stale = reused && e instanceof RosConnectionError && !(e instanceof RosTimeoutError);
      if (!stale || this.closed) throw e;
      await this.connect();
      return this.send(command, attrs, opts);
    }
  }

  /** Open the connection and log in, once; concurrent callers share the attempt. */
  connect(): Promise<void> {
    if (this.socket && !this.connecting) return Promise.resolve();
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drop(new RosConnectionError('client closed'));
  }

  private async open(): Promise<void> {
    const useTls = !!this.o.tls;
    const port = this.o.port ?? (useTls ? 8729 : 8728);
    const timeout = this.o.connectTimeoutMs ?? 5_000;
    const pin = typeof this.o.tls === 'object' ? this.o.tls.fingerprint256 : undefined;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s: net.Socket = useTls
        ? tls.connect({
            host: this.o.host,
            port,
            // RouterOS certificates are nearly always self-signed; trust comes from the pin below.
            rejectUnauthorized: false,
            servername: net.isIP(this.o.host) ? undefined : this.o.host,
          })
        : net.connect({ host: this.o.host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new RosConnectionError(`no answer from ${this.o.host}:${port} within ${timeout} ms`));
      }, timeout);
      s.once(useTls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new RosConnectionError(`cannot connect to ${this.o.host}:${port}: ${e.message}`));
      });
    });
    if (socket instanceof tls.TLSSocket) {
      this.peerFingerprint256 = socket.getPeerCertificate()?.fingerprint256;
      if (pin && normFp(pin) !== normFp(this.peerFingerprint256 ?? '')) {
        socket.destroy();
        throw new RosConnectionError(
          `certificate of ${this.o.host} does not match the pinned fingerprint (got ${this.peerFingerprint256})`,
        );
      }
    }
    socket.setKeepAlive(true, 30_000);
    socket.setNoDelay(true);
    const decoder = new SentenceDecoder();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const words of decoder.push(chunk)) this.onSentence(words);
      } catch (e) {
        this.drop(
          new RosConnectionError(`protocol error from ${this.o.host}: ${(e as Error).message}`),
          socket,
        );
      }
    });
    // Always handle 'error': an unhandled socket error would crash the whole process.
    socket.on('error', (e) =>
      this.drop(new RosConnectionError(`connection to ${this.o.host} failed: ${e.message}`), socket),
    );
    socket.on('close', () =>
      this.drop(new RosConnectionError(`connection to ${this.o.host} closed`), socket),
    );
    this.socket = socket;
    try {
      await this.login();
    } catch (e) {
      this.drop(e as Error, socket);
      throw e;
    }
  }

  private async login(): Promise<void> {
    const { username: name, password } = this.o;
    const method = this.o.loginMethod ?? 'auto';
    try {
      let challenge: string | undefined;
      if (method === 'challenge') {
        challenge = (await this.send('/login', {}, {})).ret;
      } else {
        const r = await this.send('/login', { name, password }, {});
        if (r.ret === undefined) return;
        if (method === 'plain') throw new RosLoginError('router asked for the old challenge login');
        challenge = r.ret;
      }
      if (!challenge || !/^[0-9a-f]{32}$/i.test(challenge)) {
        throw new RosLoginError('router sent no usable login challenge');
      }
      await this.send('/login', { name, response: challengeResponse(password, challenge) }, {});
    } catch (e) {
      if (e instanceof RosTrapError) throw new RosLoginError(`login to ${this.o.host} refused: ${e.message}`);
      throw e;
    }
  }

  private send(command: string, attrs: Record<string, AttrValue>, opts: ExecOptions): Promise<RosResult> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new RosConnectionError('not connected'));
    const tag = String(++this.nextTag);
    const wire: Record<string, string> = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) wire[k] = toWire(v);
    if (opts.proplist?.length) wire['.proplist'] = opts.proplist.join(',');
    const timeoutMs = opts.timeoutMs ?? this.o.commandTimeoutMs ?? 10_000;
    return new Promise<RosResult>((resolve, reject) => {
      const p: Pending = { command, rows: [], trap: null, resolve, reject, timer: undefined };
      p.timer = setTimeout(() => {
        this.drop(
          new RosTimeoutError(`${command} on ${this.o.host} timed out after ${timeoutMs} ms`),
          socket,
        );
      }, timeoutMs);
      this.pending.set(tag, p);
      socket.write(encodeSentence(commandWords(command, wire, opts.query ?? [], tag)));
    });
  }

  private onSentence(words: string[]): void {
    const r = parseReply(words);
    if (r.type === '!fatal') {
      const reason = r.other.join(' ') || r.attrs.message || 'connection closed by router';
      this.drop(new RosConnectionError(`router closed the connection: ${reason}`));
      return;
    }
    const p = r.tag === undefined ? undefined : this.pending.get(r.tag);
    if (!p) return; // reply to a command we gave up on
    switch (r.type) {
      case '!re':
        p.rows.push(r.attrs);
        break;
      case '!trap':
        // Keep the first trap; the command still ends with its own !done.
        p.trap ??= {
          message: r.attrs.message ?? 'unknown error',
          category: r.attrs.category === undefined ? undefined : Number(r.attrs.category),
        };
        break;
      case '!empty':
        break; // 7.18+: "no rows"; !done follows
      case '!done':
        clearTimeout(p.timer);
        this.pending.delete(r.tag!);
        if (p.trap) p.reject(new RosTrapError(p.trap.message, p.trap.category, p.command));
        else p.resolve({ rows: p.rows, ret: r.attrs.ret });
        break;
    }
  }

  /** Close the (given) socket and fail everything waiting on it; the next exec reconnects. */
  private drop(err: Error, socket: net.Socket | null = this.socket): void {
    if (socket && socket !== this.socket) {
      socket.destroy();
      return;
    }
    if (this.socket) {
      const s = this.socket;
      this.socket = null;
      s.destroy();
    }
    for (const [tag, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(tag);
      p.reject(err);
    }
  }
}

const normFp = (s: string) => s.replace(/[^0-9a-f]/gi, '').toUpperCase();
