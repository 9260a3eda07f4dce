/**
 * A TCP round-robin balancer in front of the `serve` nodes, as a deployment has one in front of
 * its HTTP servers: customers and the Daraja simulator's callbacks go through it, so each serve
 * node gets both. A node that is down refuses the connection and the next one is tried; requests
 * already on a node that is killed fail as they would behind a real balancer.
 */
import { createServer, type Socket, connect } from 'node:net';

export async function startBalancer(backends: number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const tryFrom = (k: number, left: number) => {
      if (left === 0) {
        client.destroy();
        return;
      }
      const port = backends[k % backends.length]!;
      const up = connect({ host: '127.0.0.1', port });
      const onError = () => {
        up.destroy();
        tryFrom(k + 1, left - 1);
      };
      up.once('error', onError);
      up.once('connect', () => {
        up.off('error', onError);
        sockets.add(up);
        up.once('close', () => sockets.delete(up));
        up.on('error', () => client.destroy());
        up.on('close', () => client.destroy());
        client.on('close', () => up.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
      });
    };
    tryFrom(next++, backends.length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
