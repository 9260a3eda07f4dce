/**
 * The RouterOS side of the pull agent, as text: the install script (`wavu routers script NAME`
 * for an agent router) and the short command scripts each poll answers with.
 *
 * Everything the router runs comes from here, built from an allowlist of menus, verbs and
 * properties; every value goes through `rscString` (RouterOS string escaping), so no code,
 * MAC or name can break out of its quotes. The simulator interprets exactly this subset.
 *
 * RouterOS versions (the script is generated for one of them, see `--routeros`):
 *   7.x    NTP `servers=`; `/tool fetch ... idle-timeout=` lets a poll be held open (long poll)
 *   6.43+  NTP `server-dns-names=`; fetch has no idle-timeout, so the agent polls plainly
 * Both: `http-method=post http-data=… http-header-field=… output=user as-value` (6.43+), and
 * `output=user` keeps at most 64 KB of a reply, so replies are paged well below it.
 */
import { rscString } from '../rsc.ts';

export type RouterOsMajor = 6 | 7;

export const AGENT_SCRIPT_NAME = 'wavu-agent';
/** Seconds between polls. */
export const POLL_INTERVAL_S = 10;
/** Seconds between polls while more commands are waiting (after running some, the next poll is at once). */
export const FAST_POLL_S = 2;
/** How long a v7 poll may be held open by the server, and the fetch idle timeout above it. */
export const LONG_POLL_S = 25;
const FETCH_IDLE_S = LONG_POLL_S + 10;
/** A lock older than this (router uptime) belongs to a poll that was killed: take it over. */
const LOCK_STALE_S = 90;

// ------------------------------------------------------------------ allowlisted operations

type Menu =
  | 'ip hotspot user'
  | 'ip hotspot user profile'
  | 'ip hotspot active'
  | 'ip hotspot cookie'
  | 'ip hotspot ip-binding'
  | 'ppp profile'
  | 'ppp secret'
  | 'ppp active';

/** Per menu: the verbs and properties a command may use. Nothing else can be generated. */
const ALLOW: Record<Menu, { upsertKey?: string; props: readonly string[]; where: readonly string[] }> = {
  'ip hotspot user': {
    upsertKey: 'name',
    props: [
      'name',
      'password',
      'profile',
      'limit-uptime',
      'limit-bytes-total',
      'mac-address',
      'comment',
      'disabled',
    ],
    where: ['name', 'comment'],
  },
  'ip hotspot user profile': {
    upsertKey: 'name',
    props: ['name', 'rate-limit', 'shared-users', 'idle-timeout'],
    where: ['name'],
  },
  'ip hotspot active': { props: [], where: ['user', 'mac-address', 'address'] },
  'ip hotspot cookie': { props: [], where: ['user', 'mac-address'] },
  'ip hotspot ip-binding': {
    upsertKey: 'mac-address',
    props: ['mac-address', 'type', 'comment', 'server'],
    where: ['mac-address', 'comment'],
  },
  // PPP subscribers (same fields as api mode's mikrotik/ppp-secrets.ts).
  'ppp profile': { upsertKey: 'name', props: ['name', 'rate-limit', 'comment'], where: ['name'] },
  'ppp secret': {
    upsertKey: 'name',
    props: ['name', 'password', 'service', 'profile', 'remote-address', 'disabled', 'comment'],
    where: ['name', 'comment'],
  },
  'ppp active': { props: [], where: ['name'] },
};

export type Op =
  /**
   * Add the entry, or set it where one with the same key exists (idempotent). With `ownedIf`, an
   * existing entry is set only if its property matches the pattern; otherwise the command fails
   * (the operator's own entry of that name is never overwritten).
   */
  | {
      menu: Menu;
      verb: 'upsert';
      attrs: Record<string, string>;
      ownedIf?: { prop: string; pattern: string; refusal: string };
    }
  /** Remove every entry matching any of the conditions (none matching is fine). */
  | { menu: Menu; verb: 'remove'; where: [string, string][] };

export class ScriptBuildError extends Error {
  override name = 'ScriptBuildError';
}

function checkProp(menu: Menu, prop: string, list: readonly string[]): void {
  if (!list.includes(prop)) throw new ScriptBuildError(`property ${prop} is not allowed on /${menu}`);
}

const attrText = (menu: Menu, attrs: Record<string, string>) =>
  Object.entries(attrs)
    .map(([k, v]) => {
      checkProp(menu, k, ALLOW[menu].props);
      return `${k}=${rscString(v)}`;
    })
    .join(' ');

/** One allowlisted operation as one RouterOS line. */
export function opLine(op: Op): string {
  const a = ALLOW[op.menu];
  if (!a) throw new ScriptBuildError(`menu /${String(op.menu)} is not allowed`);
  if (op.verb === 'remove') {
    if (!op.where.length) throw new ScriptBuildError('remove needs a condition');
    const cond = op.where
      .map(([k, v]) => {
        checkProp(op.menu, k, a.where);
        return `${k}=${rscString(v)}`;
      })
      .join(' or ');
    return `/${op.menu} remove [find where ${cond}]`;
  }
  if (op.verb === 'upsert') {
    const key = a.upsertKey;
    if (!key) throw new ScriptBuildError(`/${op.menu} cannot be added to`);
    const keyValue = op.attrs[key];
    if (keyValue === undefined) throw new ScriptBuildError(`upsert on /${op.menu} needs ${key}`);
    const { [key]: _k, ...rest } = op.attrs;
    const sel = `[find where ${key}=${rscString(keyValue)}]`;
    let setPart = Object.keys(rest).length ? `/${op.menu} set ${sel} ${attrText(op.menu, rest)}` : '';
    if (op.ownedIf) {
      const o = op.ownedIf;
      checkProp(op.menu, o.prop, a.where);
      const owned = `[/${op.menu} find where ${key}=${rscString(keyValue)} and ${o.prop}~${rscString(o.pattern)}]`;
      setPart = `:if ([:len ${owned}] = 0) do={:error ${rscString(o.refusal)}} else={${setPart}}`;
    }
    return `:if ([:len [/${op.menu} find where ${key}=${rscString(keyValue)}]] = 0) do={/${op.menu} add ${attrText(op.menu, op.attrs)}} else={${setPart}}`;
  }
  throw new ScriptBuildError(`verb ${(op as { verb: string }).verb} is not allowed`);
}

export interface ScriptCommand {
  id: number;
  ops: Op[];
}

/**
 * A poll's answer. Each command runs at most once per router boot: its id goes into the
 * `wavuRan` record before it runs, and a command seen again is only acknowledged (`dup`).
 * Results go into `wavuAcks`, which the next poll reports.
 */
export function commandScript(cmds: ScriptCommand[], more: boolean): string {
  const out = [':global wavuRan', ':global wavuAcks', ':global wavuMore', ':global wavuPause'];
  for (const c of cmds) {
    if (!Number.isSafeInteger(c.id) || c.id <= 0) throw new ScriptBuildError('bad command id');
    const id = String(c.id);
    const ack = (r: string) => `:set wavuAcks ($wavuAcks . "a ${id} ${r}\\n")`;
    out.push(
      `:if ([:typeof [:find $wavuRan ",${id},"]] = "nil") do={`,
      `:set wavuRan ($wavuRan . "${id},")`,
      ':do {',
      ...c.ops.map(opLine),
      ack('ok'),
      `} on-error={${ack('err')}}`,
      `} else={${ack('dup')}}`,
    );
  }
  // After running commands, poll again at once: their acks are what a waiting customer needs.
  out.push(
    `:set wavuMore ${more ? 'true' : 'false'}`,
    `:set wavuPause ${cmds.length ? 0 : FAST_POLL_S}s`,
    '',
  );
  return out.join('\n');
}

// ------------------------------------------------------------------ the agent itself

export interface AgentScriptInput {
  routerName: string;
  /** Full poll URL, e.g. https://wavu.example.com/agent/v1/poll */
  pollUrl: string;
  token: string;
  routeros: RouterOsMajor;
}

/** The scheduler script: report, fetch, run the answer; again soon while commands keep coming. */
export function agentSource(i: AgentScriptInput): string {
  const wait = i.routeros === 7 ? LONG_POLL_S : 0;
  const url = `${i.pollUrl}?wait=${wait}`;
  const get = (menu: string, prop: string) => `[/${menu} get $i ${prop}]`;
  const fetchArgs = [
    `url=${rscString(url)}`,
    'http-method=post',
    'http-data=$body',
    `http-header-field=${rscString(`Authorization: Bearer ${i.token},Content-Type: text/plain`)}`,
    'check-certificate=yes',
    'output=user',
    'as-value',
    ...(i.routeros === 7 ? [`idle-timeout=${FETCH_IDLE_S}s`] : []),
  ].join(' ');
  return [
    ':global wavuLock',
    ':global wavuRan',
    ':global wavuAcks',
    ':global wavuMore',
    ':global wavuPause',
    ':local now [/system resource get uptime]',
    `:if (([:typeof $wavuLock] = "time") && (($now - $wavuLock) < ${LOCK_STALE_S}s)) do={`,
    ':log debug "wavu: the previous poll is still running"',
    '} else={',
    ':set wavuLock $now',
    ':if ([:typeof $wavuRan] != "str") do={:set wavuRan ","}',
    ':if ([:len $wavuRan] > 4000) do={:set wavuRan ("," . [:pick $wavuRan 2000 [:len $wavuRan]])}',
    ':if ([:typeof $wavuAcks] != "str") do={:set wavuAcks ""}',
    // Tells Wavu when this record of commands run was lost (reboot): never resend what may have run.
    ':global wavuBoot',
    ':if ([:typeof $wavuBoot] != "str") do={:set wavuBoot ([/system clock get time] . "-" . [/system resource get uptime])}',
    ':local round 0',
    ':set wavuMore true',
    `:set wavuPause ${FAST_POLL_S}s`,
    ':while (($wavuMore = true) && ($round < 30)) do={',
    ':set round ($round + 1)',
    ':set wavuMore false',
    ':set wavuLock [/system resource get uptime]',
    ':local body ("wavu-agent 1\\nidentity " . [/system identity get name] . "\\nversion " . [/system resource get version] . "\\nuptime " . [/system resource get uptime] . "\\nboot " . $wavuBoot . "\\n" . $wavuAcks)',
    ':foreach i in=[/ip hotspot active find] do={',
    `:set body ($body . "s " . $i . "|" . ${get('ip hotspot active', 'mac-address')} . "|" . ${get('ip hotspot active', 'address')} . "|" . ${get('ip hotspot active', 'uptime')} . "|" . ${get('ip hotspot active', 'bytes-in')} . "|" . ${get('ip hotspot active', 'bytes-out')} . "|" . ${get('ip hotspot active', 'user')} . "\\n")`,
    '}',
    ':foreach i in=[/ppp active find] do={',
    `:set body ($body . "p " . $i . "|" . ${get('ppp active', 'caller-id')} . "|" . ${get('ppp active', 'address')} . "|" . ${get('ppp active', 'uptime')} . "|" . ${get('ppp active', 'name')} . "\\n")`,
    '}',
    ':foreach i in=[/ip hotspot user find where comment~"^wavu:"] do={',
    `:set body ($body . "u " . ${['uptime', 'bytes-in', 'bytes-out', 'limit-uptime', 'limit-bytes-total', 'mac-address', 'disabled', 'profile', 'comment', 'name'].map((p) => get('ip hotspot user', p)).join(' . "|" . ')} . "\\n")`,
    '}',
    ':do {',
    `:local r [/tool fetch ${fetchArgs}]`,
    ':set wavuAcks ""',
    ':local f [:parse ($r->"data")]',
    '$f',
    '} on-error={',
    ':log warning "wavu: poll failed (is PUBLIC_URL reachable, its certificate trusted and the clock right?)"',
    ':set wavuMore false',
    '}',
    ':if ($wavuMore = true) do={:delay $wavuPause}',
    '}',
    ':set wavuLock ""',
    '}',
  ].join('\n');
}

/** The part of the setup script that installs the agent: NTP first, then the script and its schedule. */
export function agentInstallScript(i: AgentScriptInput): string {
  const name = rscString(AGENT_SCRIPT_NAME);
  return [
    `# The Wavu agent for router "${i.routerName}" (RouterOS ${i.routeros === 7 ? '7.x' : '6.43+'}): it polls Wavu every ${POLL_INTERVAL_S} s over HTTPS.`,
    '# The clock first: certificate checks fail on a router that thinks it is 1970.',
    i.routeros === 7
      ? '/system ntp client set enabled=yes servers="pool.ntp.org"'
      : '/system ntp client set enabled=yes server-dns-names="pool.ntp.org"',
    `/system script remove [find where name=${name}]`,
    `/system script add name=${name} policy=read,write,test source=${rscString(agentSource(i))}`,
    `/system scheduler remove [find where name=${name}]`,
    `/system scheduler add name=${name} interval=${POLL_INTERVAL_S}s start-time=startup policy=read,write,test on-event=${rscString(`/system script run ${AGENT_SCRIPT_NAME}`)}`,
    '',
  ].join('\n');
}
