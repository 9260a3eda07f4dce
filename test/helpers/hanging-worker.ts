/**
 * A worker process for the crash test: it claims `test.hang` jobs, reports "claimed <id>" on
 * stdout and then hangs until it is killed, as a node that dies mid-job would.
 */
import pino from 'pino';
import { openDatabase } from '../../src/db/open.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { Worker } from '../../src/jobs/worker.ts';

const database = await openDatabase({ databaseUrl: process.argv[2] });
const w = new Worker({
  database,
  clock: systemClock,
  log: pino({ level: 'silent' }),
  leaseMs: Number(process.argv[3] ?? 1000),
  pollMs: 50,
  definitions: [
    {
      kind: 'test.hang',
      async handle(_p, ctx) {
        process.stdout.write(`claimed ${ctx.job.id}\n`);
        await new Promise(() => {});
      },
    },
  ],
});
await w.start();
