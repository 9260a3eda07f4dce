/**
 * What the CoA tests against real NAS-side peers (FreeRADIUS, pyrad) share: a free loopback UDP
 * port, starting the peer and waiting for it to say it is ready (on events, with a generous
 * bound), stopping it, and the requests both peers are sent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { attr, RadiusCode } from '../../src/protocols/radius/index.ts';
import { sendDynamicRequest } from '../../src/radius/coa-client.ts';

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  const p = s.address().port;
  s.close();
  return p;
}

export interface Peer {
  proc: ChildProcess;
  /** All it printed so far, stdout and stderr. */
  output(): string;
  stop(): void;
}

/**
 * Spawn a peer and wait until `ready` holds for what it printed; throws with its output if it
 * exits or does not get there. `onStdout` sees each chunk of stdout as it comes.
 */
export async function startPeer(o: {
  name: string;
  command: string;
  args: string[];
  ready: (output: string) => boolean;
  onStdout?: (chunk: string) => void;
  /** How long to wait for it, ms. */
  waitMs: number;
}): Promise<Peer> {
  const proc = spawn(o.command, o.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const peer: Peer = {
    proc,
    output: () => out,
    stop: () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
    },
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`${o.name} ${why}:\n${out.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail('did not start'), o.waitMs);
    const seen = (chunk: Buffer, stdout: boolean) => {
      out += chunk.toString();
      if (stdout) o.onStdout?.(chunk.toString());
      if (o.ready(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', (b: Buffer) => seen(b, true));
    proc.stderr!.on('data', (b: Buffer) => seen(b, false));
    proc.once('exit', () => fail('exited'));
    proc.once('error', (e) => fail(`could not run (${e.message})`));
  });
  return peer;
}

/** A Disconnect-Request or CoA-Request for one user's session S1. */
export const sessionRequest = (
  port: number,
  secret: string,
  code: typeof RadiusCode.DisconnectRequest | typeof RadiusCode.CoaRequest,
  user: string,
  o: { timeoutMs: number; retries: number },
) =>
  sendDynamicRequest({
    host: '127.0.0.1',
    port,
    secret,
    code,
    attributes: [attr('User-Name', user), attr('Acct-Session-Id', 'S1')],
    ...o,
  });

/** A CoA-Request that gives alice ten more minutes. */
export const extendAlice = (port: number, secret: string, retries: number) =>
  sendDynamicRequest({
    host: '127.0.0.1',
    port,
    secret,
    code: RadiusCode.CoaRequest,
    attributes: [attr('User-Name', 'alice'), attr('Session-Timeout', 600)],
    timeoutMs: 1000,
    retries,
  });
