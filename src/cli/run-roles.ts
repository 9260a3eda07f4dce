import { loadConfig } from '../config.ts';
import type { Role } from '../app/module.ts';
import { createApp } from '../app/run.ts';
import { createLogger } from '../lib/log.ts';
import { prettyStream } from '../lib/pretty-log.ts';

/** Run the given roles until SIGTERM/SIGINT, then shut down gracefully. */
export async function runRoles(roles: Role[]): Promise<number> {
  const config = loadConfig();
  // People read a demo in a terminal; production logs go to a collector as JSON.
  const pretty =
    config.logFormat === 'pretty' || (config.logFormat === undefined && config.demo && process.stdout.isTTY);
  const log = createLogger(config.logLevel, pretty ? prettyStream() : undefined);
  const app = await createApp({ config, roles, log });
  const where = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  log.info({ roles, database: app.deps.database.kind }, 'wavu started');
  if (app.url) {
    const base = `http://localhost:${new URL(app.url).port}`;
    const lines = [
      '',
      `  Wavu is running (${config.mode} mode, ${where})`,
      '',
      `  Captive portal   ${base}/portal`,
      `  Admin dashboard  ${base}/admin`,
      `  API docs         ${base}/api/docs`,
      `  Health           ${base}/readyz`,
    ];
    if (config.demo) {
      lines.push(
        `  Phone simulator  ${base}/sim/phone`,
        `  SMS inbox        ${base}/sim/sms`,
        `  Join the WiFi    ${base}/sim/hotspot/login  (demo MikroTik "demo-router")`,
      );
    }
    lines.push('', '  Press Ctrl+C to stop.', '');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info({ signal: sig }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  const force = setTimeout(() => {
    log.error('shutdown took too long; exiting');
    process.exit(1);
  }, 30_000);
  force.unref();
  await app.stop();
  return 0;
}
