/**
 * `wavu admin create | unlock | reset-password`: headless account care, for the server's shell.
 * A password never goes on the command line (it would land in shell history and `ps`): it is
 * read from stdin, prompted for twice without echo on a terminal, or generated and printed once.
 * Each change is audited with `cli` as the actor (and the OS user).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ZodError } from 'zod';
import type { Deps } from '../app/deps.ts';
import { parse, UsageError } from '../cli/command.ts';
import { ADMIN_ROLES, type AdminRole } from '../db/schema.ts';
import { AppError } from '../lib/errors.ts';
import { randomToken } from '../lib/random.ts';
import { cliActor } from '../audit/index.ts';
import { passwordProblem } from './auth/password.ts';
import { createAdminUser, usernameSchema } from './auth/users.ts';
import { findStaffId, updateStaff } from './staff/manage-staff.ts';

/** Where the command gets its database and password input; tests pass their own. */
export interface AdminCliIo {
  /** Runs `fn` with the app's dependencies on the configured (migrated) database. */
  withDeps(fn: (deps: Deps) => Promise<number>): Promise<number>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

const OPTIONS = {
  username: { type: 'string' },
  role: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  generate: { type: 'boolean' },
} as const;

const ALLOWED: Record<string, { options: (keyof typeof OPTIONS)[]; user: boolean }> = {
  create: { options: ['username', 'role', 'password-stdin', 'generate'], user: false },
  unlock: { options: [], user: true },
  'reset-password': { options: ['password-stdin', 'generate'], user: true },
};

const fail = (message: string) => {
  process.stderr.write(`wavu admin: ${message}\n`);
  return 1;
};

export async function runAdmin(argv: string[], io: AdminCliIo): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [sub, user, ...extra] = positionals;
  const allowed = sub ? ALLOWED[sub] : undefined;
  if (!allowed) throw new UsageError('expected: admin create, admin unlock or admin reset-password');
  const wrong = (Object.keys(values) as (keyof typeof OPTIONS)[]).find((k) => !allowed.options.includes(k));
  if (wrong) throw new UsageError(`--${wrong} does not apply to "admin ${sub}"`);
  if (allowed.user && !user) throw new UsageError(`"admin ${sub}" needs the account's username`);
  const unexpected = allowed.user ? extra[0] : user;
  if (unexpected !== undefined) throw new UsageError(`unexpected argument "${unexpected}"`);
  if (values['password-stdin'] && values.generate)
    throw new UsageError('give either --password-stdin or --generate, not both');

  if (sub === 'create') {
    if (!values.username) throw new UsageError('--username is required');
    const role = (values.role ?? '') as AdminRole;
    if (!ADMIN_ROLES.includes(role)) throw new UsageError(`--role must be one of ${ADMIN_ROLES.join(', ')}`);
  }
  // Refuse a bad name or password before touching the database.
  const name = usernameSchema.safeParse(sub === 'create' ? values.username : user);
  if (!name.success) return fail(name.error.issues.map((i) => i.message).join('; '));
  if (sub === 'unlock') return io.withDeps((deps) => handled(() => unlock(deps, name.data)));

  const password = await newPassword(io, values, name.data);
  if (password === null) return fail(`the passwords differ; nothing was changed.`);
  const problem = passwordProblem(password.value, name.data);
  if (problem) return fail(problem);
  return io.withDeps((deps) =>
    handled(async () => {
      if (sub === 'create') {
        const role = values.role as AdminRole;
        const created = await deps.db.transaction((tx) =>
          createAdminUser(tx, deps, {
            username: name.data,
            password: password.value,
            role,
            actor: cliActor(),
          }),
        );
        process.stdout.write(`Created ${created.role} "${created.username}" (id ${created.id}).\n`);
      } else {
        const id = await existing(deps, name.data);
        if (id === null) return 1;
        // A new password also lifts every lock: the person it is for can sign in at once.
        await updateStaff(deps, id, { password: password.value, unlock: true }, cliActor(), null);
        process.stdout.write(
          `Reset the password of "${name.data}": signed out everywhere and unlocked from every address.\n`,
        );
      }
      if (password.generated) process.stdout.write(`Password: ${password.value}\n`);
      return 0;
    }),
  );
}

async function unlock(deps: Deps, username: string): Promise<number> {
  const id = await existing(deps, username);
  if (id === null) return 1;
  await updateStaff(deps, id, { unlock: true }, cliActor(), null);
  process.stdout.write(`Unlocked "${username}": every address may sign in again.\n`);
  return 0;
}

async function existing(deps: Deps, username: string): Promise<number | null> {
  const id = await findStaffId(deps, username);
  if (id === null) fail(`there is no admin account named "${username}".`);
  return id;
}

/** Mistakes the use cases refuse (AppError, zod) are one line and exit code 1. */
async function handled(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof AppError) return fail(e.message);
    if (e instanceof ZodError) return fail(e.issues.map((i) => i.message).join('; '));
    throw e;
  }
}

/** The new password: from stdin, generated, or typed twice (null when the two differ). */
async function newPassword(
  io: AdminCliIo,
  values: { 'password-stdin'?: boolean | undefined; generate?: boolean | undefined },
  username: string,
): Promise<{ value: string; generated: boolean } | null> {
  if (values['password-stdin']) return { value: await readStdinLine(io.stdin), generated: false };
  if (values.generate) {
    let value = randomToken(15);
    while (passwordProblem(value, username)) value = randomToken(15);
    return { value, generated: true };
  }
  if (!io.stdin.isTTY) throw new UsageError('no terminal to prompt on: pass --password-stdin or --generate');
  const value = await prompt(io.stdin, 'Password: ');
  return (await prompt(io.stdin, 'Again: ')) === value ? { value, generated: false } : null;
}

async function readStdinLine(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function prompt(stdin: NodeJS.ReadableStream, question: string): Promise<string> {
  let muted = false;
  const out = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: stdin, output: out, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}
