/**
 * `wavu admin create --username U --role owner [--password-stdin]`: headless account setup.
 * The password never goes on the command line (it would land in shell history and `ps`): it is
 * read from stdin, or prompted for twice without echo on a terminal.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parse, UsageError } from '../cli/command.ts';
import { loadConfig } from '../config.ts';
import { createDeps } from '../app/deps.ts';
import { migrate } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { ADMIN_ROLES, type AdminRole } from '../db/schema.ts';
import { systemClock } from '../lib/clock.ts';
import { AppError } from '../lib/errors.ts';
import { createLogger } from '../lib/log.ts';
import { SYSTEM } from './audit.ts';
import { passwordProblem } from './auth/password.ts';
import { createAdminUser, usernameSchema } from './auth/users.ts';

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function prompt(question: string): Promise<string> {
  let muted = false;
  const out = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output: out, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

export async function runAdmin(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    username: { type: 'string' },
    role: { type: 'string' },
    'password-stdin': { type: 'boolean' },
  });
  if (positionals[0] !== 'create' || positionals.length !== 1) throw new UsageError('expected: admin create');
  if (!values.username) throw new UsageError('--username is required');
  const role = (values.role ?? '') as AdminRole;
  if (!ADMIN_ROLES.includes(role)) throw new UsageError(`--role must be one of ${ADMIN_ROLES.join(', ')}`);
  let password: string;
  if (values['password-stdin']) password = await readStdinLine();
  else if (process.stdin.isTTY) {
    password = await prompt('Password: ');
    if ((await prompt('Again: ')) !== password) {
      process.stderr.write('wavu admin: the passwords differ; nothing was created.\n');
      return 1;
    }
  } else throw new UsageError('no terminal to prompt on: pass --password-stdin');

  // Refuse a bad name or password before touching the database.
  const name = usernameSchema.safeParse(values.username);
  if (!name.success) {
    process.stderr.write(`wavu admin: ${name.error.issues.map((i) => i.message).join('; ')}\n`);
    return 1;
  }
  const problem = passwordProblem(password, name.data);
  if (problem) {
    process.stderr.write(`wavu admin: ${problem}\n`);
    return 1;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database);
    const deps = createDeps({ config, database, clock: systemClock, log });
    const user = await deps.db.transaction((tx) =>
      createAdminUser(tx, deps, { username: values.username!, password, role, actor: SYSTEM }),
    );
    process.stdout.write(`Created ${user.role} "${user.username}" (id ${user.id}).\n`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      process.stderr.write(`wavu admin: ${e.message}\n`);
      return 1;
    }
    if ((e as { name?: string }).name === 'ZodError') {
      process.stderr.write(
        `wavu admin: ${(e as { issues: { message: string }[] }).issues.map((i) => i.message).join('; ')}\n`,
      );
      return 1;
    }
    throw e;
  } finally {
    await database.close();
  }
}
