/**
 * The seed's control plane for the README, in crm and in pcs: the lab's own configuration
 * (test/lab/control-plane-crm.ts, what the cluster tests run) called with an operator's paths,
 * Debian's config files and documentation addresses (RFC 5737) instead of the lab's shared disk.
 */
import { controlPlaneCrm, type ControlPlaneInputs, type Layout } from '../test/lab/control-plane-crm.ts';
import { crmStatements, crmText, crmToPcs, pcsText } from './pcs-lines.ts';

const NODES = ['ctl1', 'ctl2'];

/** One IPMI fence device per controller, kept off the node it fences (stonith-enabled is true by default). */
const FENCE = [
  ...NODES.flatMap((node, i) => [
    `primitive fence_${node} stonith:fence_ipmilan params ip=192.0.2.${101 + i} username=admin password=SECRET lanplus=1 pcmk_host_list=${node} op monitor interval=60s`,
    `location fence_${node}_elsewhere fence_${node} -inf: ${node}`,
  ]),
  '',
].join('\n');

const NOVA = 'config=/etc/nova/nova.conf';

export const OPERATOR_INPUTS: ControlPlaneInputs = {
  fence: FENCE,
  database:
    'config=/etc/mysql/my.cnf datadir=/var/lib/mysql client_option_file=/etc/mysql/tsha-monitor.cnf ' +
    'replication_user=repl replication_passwd=SECRET semi_sync=true',
  nodes: NODES.length,
  vips: { db: '192.0.2.10', rabbit: '192.0.2.11', keystone: '192.0.2.12', glance: '192.0.2.13', nova: '192.0.2.14' },
  nic: 'eth0',
  cidrNetmask: 24,
  services: {
    rabbit: 'nodename=rabbit@localhost config_file=/etc/rabbitmq/rabbitmq.conf mnesia_base=/var/lib/rabbitmq/mnesia',
    // Depth 10's login comes from clouds.yaml (os_cloud): no password in the CIB.
    keystone:
      'config=/etc/keystone/keystone.conf uwsgi_ini=/etc/keystone/keystone-uwsgi.ini http_socket=0.0.0.0:5000 ' +
      'url=http://127.0.0.1:5000/v3 os_cloud=tsha-monitor',
    objectstore: `${NOVA} url=http://127.0.0.1:3333/`,
    // No os_* parameters: depth 10 logs in with the service's own [keystone_authtoken] account.
    glanceApi: 'config=/etc/glance/glance-api.conf url=http://127.0.0.1:9292/healthcheck',
    glanceRegistry: 'config=/etc/glance/glance-registry.conf url=http://127.0.0.1:9191/',
    novaApi: `${NOVA} url=http://127.0.0.1:8774/`,
    placement:
      'config=/etc/placement/placement.conf uwsgi_ini=/etc/placement/placement-api-uwsgi.ini http_socket=0.0.0.0:8778 ' +
      'url=http://127.0.0.1:8778/',
    novaNetwork: NOVA,
    consoleauth: NOVA,
    cert: NOVA,
    scheduler: NOVA,
  },
};

/** The whole control plane of `layout` as crm statements, in the order the lab loads them. */
export function controlPlaneStatements(layout: Layout, inputs: ControlPlaneInputs = OPERATOR_INPUTS): string {
  const crm = controlPlaneCrm(layout, inputs);
  return [crm.database, crm.keystone, crm.services].join('');
}

/** The README's two spellings of `layout`: crm text for `crm configure load update`, and pcs lines. */
export function controlPlaneReadme(layout: Layout): { readonly crm: string; readonly pcs: string } {
  const statements = controlPlaneStatements(layout);
  return { crm: crmText(statements), pcs: pcsText(crmToPcs(statements)) };
}

const CONSTRAINTS = new Set(['order', 'colocation', 'location']);
const CHANGEABLE = new Set([...CONSTRAINTS, 'property']);

/** A constraint's or a property set's id: what `crm configure delete` and `pcs constraint delete` name. */
function statementId(words: readonly string[]): string {
  return words[0] === 'property' || words[0] === 'rsc_defaults' ? words[0] : words[1]!;
}

/**
 * What turns a running cluster of layout `from` into layout `to`, in crm and in pcs: the constraints
 * `to` no longer has are deleted, and what it adds or changes is loaded (pcs deletes a changed
 * constraint and creates it again; crm's `load update` replaces it). Only constraints and properties may
 * differ: a change to a resource would restart it, which is not what this is for.
 */
export function controlPlaneChange(from: Layout, to: Layout): { readonly crm: string; readonly pcs: string } {
  const before = crmStatements(controlPlaneStatements(from));
  const after = crmStatements(controlPlaneStatements(to));
  const text = (w: readonly string[]) => w.join(' ');
  const had = new Set(before.map(text));
  const added = after.filter((w) => !had.has(text(w)));
  const kept = new Set(after.map(statementId));
  const droppedStatements = before.filter((w) => !kept.has(statementId(w)));
  for (const w of added) if (!CHANGEABLE.has(w[0]!)) throw new Error(`not a constraint or property: ${text(w)}`);
  // A property set is updated, never deleted here: what `from` set and `to` does not is left alone.
  for (const w of droppedStatements) if (!CONSTRAINTS.has(w[0]!)) throw new Error(`not a constraint: ${text(w)}`);
  const dropped = droppedStatements.map(statementId);
  const replaced = added.filter((w) => before.some((b) => statementId(b) === statementId(w)) && w[0] !== 'property').map(statementId);
  const file = `${to}.crm`;
  const addedText = added.map(text).join('\n');
  return {
    crm: [
      ...(dropped.length ? [`crm configure delete ${dropped.join(' ')}`] : []),
      `cat >${file} <<'EOF'`,
      crmText(addedText),
      'EOF',
      `crm configure load update ${file}`,
    ].join('\n'),
    pcs: pcsText([...[...dropped, ...replaced].map((id) => ['constraint', 'delete', id]), ...crmToPcs(addedText)]),
  };
}
