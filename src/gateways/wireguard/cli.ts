/** `wavu wireguard …`: the server end of the tunnels to routers added with `--tunnel wireguard`. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, parse, UsageError } from '../../cli/command.ts';
import { serverConfig } from './server-config.ts';

const USAGE = `wavu wireguard <subcommand> [options]

The server end of the WireGuard tunnels to routers added with
  wavu routers add NAME --mode api --tunnel wireguard

Subcommands:
  server-config [--out FILE]   print the server's wg-quick file: its key, its address in
                               WIREGUARD_SUBNET, WIREGUARD_LISTEN_PORT, and every tunnelled
                               router as a peer. Run it again after adding or removing one.

Example:
  wavu wireguard server-config --out /etc/wireguard/wavu.conf && wg-quick up wavu
  (later, without dropping the tunnels: wg syncconf wavu <(wg-quick strip wavu))

Step-by-step guide: docs/mikrotik-setup.md`;

export const wireguardCommand: Command = {
  name: 'wireguard',
  summary: "Print the WireGuard server's config for tunnelled routers.",
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = parse(argv, { out: { type: 'string' } });
    const [sub, ...extra] = positionals;
    if (sub !== 'server-config')
      throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'say what to do: server-config');
    if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
    return ctx.withDeps(async (deps) => {
      const conf = await serverConfig(deps);
      if (!values.out) {
        process.stdout.write(conf);
        return 0;
      }
      const file = resolve(values.out);
      writeFileSync(file, conf, { mode: 0o600 });
      process.stdout.write(`Wrote ${file} (contains the server's private key: keep it private).\n`);
      return 0;
    });
  },
};
