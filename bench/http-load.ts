/**
 * A load generator in a process of its own: POSTs bodies to a URL, `concurrency` at a time over
 * kept-alive connections, and reports how long they took and the status codes seen. Safaricom's
 * callbacks come from another machine; posting them from the app's own process made the app share
 * its event loop and CPU with the client, as pgbench (a C program beside the database) does not.
 *
 * The parent forks this file and sends one message { url, bodies, concurrency }; the answer is
 * { ms, statuses } (status code → count). See `runHttpLoad`.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export interface HttpLoad {
  url: string;
  bodies: string[];
  concurrency: number;
}
export interface HttpLoadResult {
  ms: number;
  statuses: Record<string, number>;
}

/** Run one load in a forked process and wait for its result. */
export function runHttpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => {
      child.kill();
      resolve(m as HttpLoadResult);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before answering`)));
    child.send(load);
  });
}

function post(agent: http.Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(load: HttpLoad): Promise<HttpLoadResult> {
  const url = new URL(load.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: load.concurrency });
  const statuses: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: load.concurrency }, async () => {
      while (next < load.bodies.length) {
        const status = await post(agent, url, load.bodies[next++]!);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const ms = performance.now() - t0;
  agent.destroy();
  return { ms, statuses };
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (m) => {
    void run(m as HttpLoad).then((r) => process.send!(r));
  });
}
