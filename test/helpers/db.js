/**
 * A fresh, migrated database per test file. On PGlite it is in memory; on PostgreSQL (when the
 * suite runs with WAVU_TEST_DB=postgres) it is a new database created from TEST_DATABASE_URL and
 * dropped afterwards, so parallel test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from "../../src/db/migrate.js";
import { openDatabase } from "../../src/db/open.js";
export const onPostgres = () => process.env.WAVU_TEST_DB === 'postgres' && !!process.env.TEST_DATABASE_URL;
export async function createTestDatabase(opts = {}) {
    if (!onPostgres()) {
        const database = await openDatabase({ dataDir: 'memory://' });
        if (opts.migrate !== false)
            await migrate(database);
        return {
            database,
            url: undefined,
            openAnother: () => Promise.reject(new Error('a second connection needs PostgreSQL')),
            drop: () => database.close(),
        };
    }
    const adminUrl = process.env.TEST_DATABASE_URL;
    const name = `wavu_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const url = u.toString();
    const database = await openDatabase({ databaseUrl: url });
    if (opts.migrate !== false)
        await migrate(database);
    const others = [];
    return {
        database,
        url,
        async openAnother() {
            const d = await openDatabase({ databaseUrl: url });
            others.push(d);
            return d;
        },
        async drop() {
            for (const d of others)
                await d.close().catch(() => { });
            await database.close().catch(() => { });
            const c = new pg.Client({ connectionString: adminUrl });
            await c.connect();
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await c.end();
        },
    };
}
//# sourceMappingURL=db.js.map