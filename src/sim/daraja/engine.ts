/**
 * The Daraja simulator's state and behaviour, independent of HTTP (routes.ts maps requests onto
 * it). It keeps everything in memory: tokens, pushes, C2B registrations, the ledger. Each API
 * lives in its own file (oauth, stk, c2b, pull, transaction-status) over one shared context;
 * callbacks go out through the courier's fault injector.
 */
import { C2bDesk } from './c2b.ts';
import { Courier } from './courier.ts';
import { TokenDesk } from './oauth.ts';
import type { PhoneAction, Plan } from './outcomes.ts';
import { PullDesk } from './pull.ts';
import { StkDesk } from './stk.ts';
import { StatusDesk } from './transaction-status.ts';
import {
  DEMO_APP,
  DEMO_MERCHANT,
  type DarajaSimOptions,
  type Delivery,
  type Faults,
  type LedgerEntry,
  NO_FAULTS,
  type SimApp,
  type SimContext,
  type SimInitiator,
  type SimMerchant,
  type SimReply,
  type SimStats,
  type StkTxn,
} from './types.ts';

export class DarajaSim {
  readonly apps: SimApp[];
  readonly merchants: SimMerchant[];
  faults: Faults;
  /** Every payment that moved money, by receipt. */
  readonly ledger = new Map<string, LedgerEntry>();
  /** Counters for tests and the phone page. */
  readonly stats: SimStats = {
    pushes: 0,
    queries: 0,
    rateLimited: 0,
    callbacks: 0,
    dropped: 0,
    duplicated: 0,
    failed: 0,
  };
  private readonly courier: Courier;
  private readonly tokens: TokenDesk;
  private readonly stk: StkDesk;
  private readonly c2b: C2bDesk;
  private readonly pull: PullDesk;
  private readonly status: StatusDesk;

  constructor(o: DarajaSimOptions = {}) {
    this.apps = o.apps ?? [DEMO_APP];
    this.merchants = o.merchants ?? [DEMO_MERCHANT];
    this.faults = { ...NO_FAULTS, ...o.faults };
    const now = o.now ?? (() => new Date());
    const sim = this;
    const ctx: SimContext = {
      merchants: this.merchants,
      get faults() {
        return sim.faults;
      },
      random: o.random ?? Math.random,
      now,
      stats: this.stats,
      ledger: this.ledger,
    };
    this.courier = new Courier(ctx);
    this.tokens = new TokenDesk(this.apps, o.singleTokenPerApp ?? true, now);
    this.c2b = new C2bDesk(ctx, this.courier, o.validationTimeoutMs ?? 8_000);
    this.stk = new StkDesk(ctx, this.courier, this.c2b, {
      defaultPlan: o.defaultPlan ?? { kind: 'result', code: 0 },
      autoDelayMs: o.autoDelayMs ?? 1_000,
      promptTimeoutMs: o.promptTimeoutMs ?? 60_000,
    });
    this.pull = new PullDesk(ctx);
    this.status = new StatusDesk(ctx, this.courier, o.initiators ?? []);
  }

  get defaultPlan(): Plan {
    return this.stk.outcomes.defaultPlan;
  }
  set defaultPlan(p: Plan) {
    this.stk.outcomes.defaultPlan = p;
  }
  get autoDelayMs(): number {
    return this.stk.outcomes.autoDelayMs;
  }
  set autoDelayMs(ms: number) {
    this.stk.outcomes.autoDelayMs = ms;
  }
  get promptTimeoutMs(): number {
    return this.stk.outcomes.promptTimeoutMs;
  }
  set promptTimeoutMs(ms: number) {
    this.stk.outcomes.promptTimeoutMs = ms;
  }
  get txns(): Map<string, StkTxn> {
    return this.stk.txns;
  }
  get deliveries(): Delivery[] {
    return this.courier.deliveries;
  }
  get initiators(): SimInitiator[] {
    return this.status.initiators;
  }

  // ---- the APIs, as routes.ts calls them -----------------------------------------------------

  oauth(authorization: string | undefined, grantType: string | undefined): SimReply {
    return this.tokens.oauth(authorization, grantType);
  }
  /** The app behind a Bearer header, or the error Daraja gives. */
  authorize(authorization: string | undefined): { app: string } | SimReply {
    return this.tokens.authorize(authorization);
  }
  /** Test hook: revoke every token (as a token expiry would). */
  expireTokens(): void {
    this.tokens.expireTokens();
  }
  stkPush(app: string, b: Record<string, unknown>): SimReply {
    return this.stk.stkPush(app, b);
  }
  stkQuery(app: string, b: Record<string, unknown>): SimReply {
    return this.stk.stkQuery(app, b);
  }
  registerUrls(app: string, b: Record<string, unknown>, version: 'v1' | 'v2'): SimReply {
    return this.c2b.registerUrls(app, b, version);
  }
  c2bSimulate(app: string, b: Record<string, unknown>): SimReply {
    return this.c2b.c2bSimulate(app, b);
  }
  pullRegister(app: string, b: Record<string, unknown>): SimReply {
    return this.pull.pullRegister(app, b);
  }
  /** C2B payments to a registered shortcode in [StartDate, EndDate] (EAT), 100 per page. */
  pullQuery(app: string, b: Record<string, unknown>): SimReply {
    return this.pull.pullQuery(app, b);
  }
  transactionStatus(app: string, b: Record<string, unknown>): SimReply {
    return this.status.transactionStatus(app, b);
  }

  // ---- the phone and test hooks --------------------------------------------------------------

  /** Prompts waiting for a person (the phone page). */
  prompts(phone?: string): StkTxn[] {
    return this.stk.prompts(phone);
  }
  recent(limit = 10, phone?: string): StkTxn[] {
    return this.stk.recent(limit, phone);
  }
  /** A person acted on a prompt. False if it is no longer waiting. */
  act(checkoutRequestId: string, action: PhoneAction): boolean {
    return this.stk.act(checkoutRequestId, action);
  }
  /** End a pending push now with a result (tests). */
  resolve(checkoutRequestId: string, code: number | string, sendCallback = true): boolean {
    return this.stk.resolve(checkoutRequestId, code, sendCallback);
  }
  /** The callback exactly as documented: metadata only on success, Balance without Value. */
  stkCallbackBody(t: StkTxn): unknown {
    return this.stk.stkCallbackBody(t);
  }

  /** Wait until no callback is scheduled or in flight (tests). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.courier.quiet && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Wait until automatic results are in and every scheduled callback has been sent (tests). */
  async flush(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const busy = () =>
      !this.courier.sent ||
      [...this.stk.txns.values()].some(
        (t) => t.state === 'pending' && (t.plan.kind === 'result' || t.plan.kind === 'lost'),
      );
    while (busy() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  close(): void {
    this.courier.close();
  }
}
