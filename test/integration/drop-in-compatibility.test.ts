import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { OCF } from '../../shared/ocf/exit-codes.ts';
import { REPLACED_AGENTS, type ReplacedAgent } from '../fixtures/replaced-agents.ts';
import { pacemakerEnv } from '../support/pacemaker-env.ts';
import { INSTALLED, OCF_ROOT } from '../support/paths.ts';
import { runAgent } from '../support/run-agent.ts';

// Drop-in replacement, parameter by parameter: a resource of each agent tsha replaces changes only its
// provider (and type). The old agents' parameters come from the installed resource-agents' own
// meta-data where Debian packages them, from test/fixtures/replaced-agents.ts (sources named there)
// where it does not; the tsha side is the installed agents' meta-data, as crm and pcs read it.

const run = promisify(execFile);

interface Declared {
  readonly name: string;
  readonly shortdesc: string;
  readonly longdesc: string;
  readonly default: string;
  readonly aliases: readonly string[];
}

const unescape = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');

function parameters(xml: string): Declared[] {
  return [...xml.matchAll(/<parameter name="([A-Za-z0-9_]+)"[^>]*>([\s\S]*?)<\/parameter>/g)].map(([, name, body]) => {
    const longdesc = unescape(/<longdesc[^>]*>([\s\S]*?)<\/longdesc>/.exec(body!)?.[1] ?? '').trim();
    return {
      name: name!,
      longdesc,
      shortdesc: unescape(/<shortdesc[^>]*>([\s\S]*?)<\/shortdesc>/.exec(body!)?.[1] ?? '').trim(),
      default: unescape(/<content[^>]*default="([^"]*)"/.exec(body!)?.[1] ?? ''),
      aliases: (/Also accepted as: ([^.]*)\./.exec(longdesc)?.[1] ?? '').split(/,\s*/).filter(Boolean),
    };
  });
}

async function metadata(executable: string): Promise<Declared[]> {
  const { stdout } = await run(executable, ['meta-data'], { env: { OCF_ROOT, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  return parameters(stdout);
}

// Values every replacement needs before any other can be judged (a required parameter).
const REQUIRED: Readonly<Record<string, Record<string, string>>> = { galera: { wsrep_cluster_address: 'gcomm://n1,n2,n3' } };

/** The old agents Debian packages: their meta-data as resource-agents installs it. */
const PACKAGED: readonly { old: string; tsha: string; file: string }[] = [
  { old: 'ocf:heartbeat:mysql', tsha: 'mysql', file: join(OCF_ROOT, 'resource.d/heartbeat/mysql') },
  { old: 'ocf:heartbeat:galera', tsha: 'galera', file: join(OCF_ROOT, 'resource.d/heartbeat/galera') },
  // Clone mode of ocf:tsha:rabbitmq replaces it (its one parameter, set_policy).
  { old: 'ocf:heartbeat:rabbitmq-cluster', tsha: 'rabbitmq', file: join(OCF_ROOT, 'resource.d/heartbeat/rabbitmq-cluster') },
];

async function oldAgents(): Promise<ReplacedAgent[]> {
  const packaged = await Promise.all(
    PACKAGED.map(async ({ old, tsha, file }) => ({
      old,
      tsha,
      source: file,
      parameters: Object.fromEntries((await metadata(file)).map((p) => [p.name, p.default])),
    })),
  );
  return [...packaged, ...REPLACED_AGENTS];
}

const ALL = await oldAgents();
/** A parameter tsha takes without acting on it says so in its short description. */
const UNUSED = /\((unused|refused)\)$/;

describe.each(ALL.map((a) => [a.old, a.tsha, a] as const))('%s → ocf:tsha:%s', (_old, tsha, old) => {
  it('declares every parameter of the old agent (by name or as an alias the meta-data names)', async () => {
    const declared = await metadata(join(INSTALLED, tsha));
    const names = new Set(declared.flatMap((p) => [p.name, ...p.aliases]));
    expect(Object.keys(old.parameters).filter((n) => !names.has(n))).toEqual([]);
  });

  it('takes each default of the old agent as a valid value (validate-all at level 0)', async () => {
    const refused: string[] = [];
    for (const [name, value] of Object.entries(old.parameters)) {
      if (value === '' || name === 'replication_options') continue;
      const env = pacemakerEnv({ ...REQUIRED[tsha], [name]: value }, { OCF_CHECK_LEVEL: '0', OCF_RESOURCE_TYPE: tsha });
      const r = await runAgent(tsha, 'validate-all', env, join(INSTALLED, tsha));
      if (r.exitCode !== OCF.SUCCESS) refused.push(`${name}=${value}: ${r.exitCode} ${r.exitReason ?? ''}`);
    }
    expect(refused).toEqual([]);
  });

  it('a parameter of the old agent that tsha does not act on says why in the meta-data', async () => {
    const declared = await metadata(join(INSTALLED, tsha));
    const unexplained = Object.keys(old.parameters)
      .map((n) => declared.find((p) => p.name === n || p.aliases.includes(n)))
      .filter((p) => p !== undefined && UNUSED.test(p.shortdesc) && !/compatib/i.test(p.longdesc))
      .map((p) => p!.name);
    expect(unexplained).toEqual([]);
  });
});

describe('a binary given as a bare name is looked up on the PATH Pacemaker gives agents', () => {
  // One agent per family; each validate-all runs at the default level, which checks this node.
  const FAMILIES: readonly { agent: string; found?: string; params?: Record<string, string> }[] = [
    { agent: 'mysql', found: 'mariadbd' },
    { agent: 'galera', found: 'mariadbd', params: { wsrep_cluster_address: 'gcomm://n1,n2,n3' } },
    { agent: 'rabbitmq' },
    { agent: 'keystone' },
    { agent: 'nova-scheduler', found: 'nova-scheduler' },
    { agent: 'nova-api', found: 'nova-api' },
  ];

  it.each(FAMILIES)(
    '$agent: a bare name found nowhere on the PATH is not installed (5), not a configuration error',
    async ({ agent, params }) => {
      const env = pacemakerEnv({ ...params, binary: 'tsha-no-such-program' }, { OCF_RESOURCE_TYPE: agent });
      const r = await runAgent(agent, 'validate-all', env, join(INSTALLED, agent));
      expect(r.exitReason).toBe("binary tsha-no-such-program is not installed: not found on the agent's PATH");
      expect(r.exitCode).toBe(OCF.ERR_INSTALLED);
    },
  );

  it.each(FAMILIES.filter((f) => f.found))(
    '$agent: binary=$found is the program of that name on the PATH',
    async ({ agent, found, params }) => {
      // The runner says what it resolved at debug level (spawned agents' stderr is a socket, which
      // /dev/stderr cannot open: the debug log goes to a file).
      const debugLog = join(mkdtempSync(join(tmpdir(), 'tsha-path-')), 'debug.log');
      const env = pacemakerEnv({ ...params, binary: found! }, { OCF_RESOURCE_TYPE: agent, HA_debug: '1', HA_DEBUGLOG: debugLog });
      const r = await runAgent(agent, 'validate-all', env, join(INSTALLED, agent));
      expect(readFileSync(debugLog, 'utf8')).toMatch(new RegExp(`binary ${found} is /usr/s?bin/${found} `));
      expect(r.exitReason ?? '').not.toMatch(/binary/);
      rmSync(dirname(debugLog), { recursive: true, force: true });
    },
  );
});
