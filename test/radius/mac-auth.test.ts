/**
 * MAC authentication trusts the MAC the router saw (Calling-Station-Id), never one typed as a user
 * name: a MAC is no secret, so typing a neighbour's MAC on the hotspot login page must not put
 * the typist online on the neighbour's package. radclient plays the NAS over real UDP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/app/deps.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { startRadiusService } from '../../src/radius/service.ts';
import type { RadiusServer } from '../../src/radius/server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addRadiusRouter, addVoucher, hasRadclient, makeDeps, NO_RADCLIENT, radclient } from './helpers.ts';

const SECRET = 'testing123';
const MA = 'Message-Authenticator = 0x00';
const clock = new ManualClock('2026-03-01T08:00:00Z');
let t: TestDatabase;
let deps: Deps;
let server: RadiusServer;

if (!hasRadclient) console.warn(NO_RADCLIENT);
const auth = (lines: string[]) => radclient(server.authPort!, 'auth', SECRET, lines);

describe.skipIf(!hasRadclient)(
  hasRadclient ? 'RADIUS MAC authentication' : `SKIPPED: ${NO_RADCLIENT}`,
  () => {
    beforeAll(async () => {
      t = await createTestDatabase();
      deps = makeDeps(t, clock);
      await addRadiusRouter(deps, { name: 'hs1', secret: SECRET, address: '127.0.0.1' });
      server = await startRadiusService(deps, {
        host: '127.0.0.1',
        authPort: 0,
        acctPort: 0,
        interimSeconds: 60,
        nasCache: { ttlMs: 5_000, missReloadMs: 0 },
      });
    });
    afterAll(async () => {
      await server?.stop();
      await t?.drop();
    });

    it("refuses another device's MAC typed as the user name; the device itself still gets in", async () => {
      const victim = 'AA:BB:CC:00:09:01';
      const v = await addVoucher(deps, { hours: 3 });
      const first = await auth([
        `User-Name = "${v.code}"`,
        `User-Password = "${v.code}"`,
        `Calling-Station-Id = "${victim}"`,
        MA,
      ]);
      expect(first.reply).toBe('Access-Accept');
      // The attacker's own device (the router reports its MAC) with the victim's MAC typed in.
      for (const typed of [victim, victim.toLowerCase().replace(/:/g, '-')]) {
        const r = await auth([
          `User-Name = "${typed}"`,
          `User-Password = "${typed}"`,
          'Calling-Station-Id = "AA:BB:CC:00:09:66"',
          MA,
        ]);
        expect(r.reply, typed).toBe('Access-Reject');
      }
      // MikroTik login-by=mac for the victim's own device: User-Name and Calling-Station-Id agree.
      const own = await auth([
        `User-Name = "${victim}"`,
        'User-Password = ""',
        `Calling-Station-Id = "${victim}"`,
        MA,
      ]);
      expect(own.reply).toBe('Access-Accept');
    });
  },
);
