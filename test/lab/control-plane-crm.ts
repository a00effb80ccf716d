/**
 * The control plane's Pacemaker configuration as crm text, from the places its files live: the lab
 * calls it with its shared-disk paths, build/readme.ts with an operator's, so the README's lines are
 * the ones the lab tests run. Pure: inputs in, crm text out.
 *
 * Three layouts:
 * - `seed`: the classic recipe's groups — each service with its VIP, moved as a whole, everything
 *   ordered (Mandatory) after the database VIP and Keystone.
 * - `seed-tuned`: the seed's groups, clones and VIPs unchanged, with the active/active layout's
 *   orders and properties (below): what the README recommends to an operator who keeps the seed's
 *   groups.
 * - `active-active`: every API and RPC service cloned on every controller and left running through a
 *   failover; a VIP is colocated with its service's clone, so it only moves to a node where the service
 *   already answers. Orders between them are Optional: they order a cold start, but a VIP or broker
 *   moving never restarts the services on the surviving node (a Mandatory order would: its "then" side
 *   is stopped before and started after every move of its "first" side). They are not symmetrical
 *   either: a symmetrical order also orders the stops in reverse, and a stop on the survivor (a service
 *   recovered there) then held back the promotion — stop → the lost broker's stop → the lost master's
 *   demote → promote, 7 s in the lab. The services reconnect to the database and the broker through the
 *   VIPs by themselves.
 */

export type Layout = 'seed' | 'seed-tuned' | 'active-active';

/** Each service's `params` text (everything after `params`), from the caller's paths. */
export interface ServiceParams {
  readonly rabbit: string;
  readonly keystone: string;
  readonly objectstore: string;
  readonly glanceApi: string;
  readonly glanceRegistry: string;
  readonly novaApi: string;
  readonly placement: string;
  readonly novaNetwork: string;
  readonly consoleauth: string;
  readonly cert: string;
  readonly scheduler: string;
}

export interface ControlPlaneInputs {
  /** The fencing device's crm lines (ending in a newline), or '' without fencing. */
  readonly fence: string;
  /** ocf:tsha:mysql's params text for the master/slave set. */
  readonly database: string;
  readonly nodes: number;
  readonly vips: {
    readonly db: string;
    readonly rabbit: string;
    readonly keystone: string;
    readonly glance: string;
    readonly nova: string;
  };
  readonly nic: string;
  readonly cidrNetmask: number;
  readonly services: ServiceParams;
}

/** The three steps in the order they are loaded: the database, then RabbitMQ and Keystone, then the rest. */
export interface ControlPlaneCrm {
  readonly database: string;
  readonly keystone: string;
  readonly services: string;
}

// Python services import for seconds, more when several start at once on two cores.
const OPS = 'op start timeout=120s op stop timeout=60s op monitor interval=10s timeout=30s';
const DEEP = 'op monitor interval=31s timeout=30s OCF_CHECK_LEVEL=10';
const RABBIT_OPS = 'op start timeout=120s op stop timeout=120s op monitor interval=10s timeout=30s';

/**
 * The seed's database: ocf:tsha:mysql as a master/slave set with the VIP on the master, promoted
 * before the VIP starts. `spelling` picks Pacemaker 1.x's words (ms, Master/Slave, as the seed has
 * them) or OCF 1.1's (clone promotable=true, Promoted/Unpromoted).
 */
export function databaseCrm(
  i: Pick<ControlPlaneInputs, 'fence' | 'database' | 'nodes' | 'nic' | 'cidrNetmask'> & { readonly vips: { readonly db: string } },
  spelling: 'master-slave' | 'promoted' = 'master-slave',
  /** client_vip: each promotion resets the connections still leading to the old primary (active/active). */
  resetClients = false,
): string {
  const [promoted, unpromoted] = spelling === 'master-slave' ? ['Master', 'Slave'] : ['Promoted', 'Unpromoted'];
  return [
    i.fence,
    `primitive db ocf:tsha:mysql params ${i.database}${resetClients ? ` client_vip=${i.vips.db}` : ''} ` +
      'op start timeout=60s op stop timeout=60s op promote timeout=60s op demote timeout=60s op notify timeout=60s ' +
      `op monitor interval=5s role=${promoted} timeout=20s OCF_CHECK_LEVEL=10 op monitor interval=6s role=${unpromoted} timeout=20s OCF_CHECK_LEVEL=10`,
    spelling === 'master-slave'
      ? `ms ms_db db meta master-max=1 clone-max=${i.nodes} notify=true`
      : `clone ms_db db meta promotable=true promoted-max=1 clone-max=${i.nodes} notify=true`,
    vip(i, 'vip', i.vips.db),
    `colocation vip_on_master inf: vip ms_db:${promoted}`,
    'order promote_before_vip Mandatory: ms_db:promote vip:start',
    'rsc_defaults resource-stickiness=100',
    '',
  ].join('\n');
}

function vip(i: Pick<ControlPlaneInputs, 'nic' | 'cidrNetmask'>, id: string, address: string): string {
  return `primitive ${id} ocf:heartbeat:IPaddr2 params ip=${address} cidr_netmask=${i.cidrNetmask} nic=${i.nic} op monitor interval=5s timeout=20s`;
}

function primitives(s: ServiceParams) {
  return {
    rabbit: `primitive rabbit ocf:tsha:rabbitmq params ${s.rabbit} ${RABBIT_OPS}`,
    keystone: `primitive keystone ocf:tsha:keystone params ${s.keystone} ${OPS} ${DEEP}`,
    objectstore: `primitive nova_objectstore ocf:tsha:nova-objectstore params ${s.objectstore} ${OPS}`,
    glanceApi: `primitive glance_api ocf:tsha:glance-api params ${s.glanceApi} ${OPS} ${DEEP}`,
    glanceRegistry: `primitive glance_registry ocf:tsha:glance-registry params ${s.glanceRegistry} ${OPS}`,
    novaApi: `primitive nova_api ocf:tsha:nova-api params ${s.novaApi} ${OPS} ${DEEP}`,
    placement: `primitive placement ocf:tsha:placement-api params ${s.placement} ${OPS} ${DEEP}`,
    novaNetwork: `primitive nova_network ocf:tsha:nova-network params ${s.novaNetwork} ${OPS} ${DEEP}`,
    consoleauth: `primitive nova_consoleauth ocf:tsha:nova-consoleauth params ${s.consoleauth} ${OPS}`,
    cert: `primitive nova_cert ocf:tsha:nova-cert params ${s.cert} ${OPS}`,
    scheduler: `primitive nova_scheduler ocf:tsha:nova-scheduler params ${s.scheduler} ${OPS} ${DEEP}`,
  };
}

/** One broker with its VIP, in both layouts: the clustered broker is new (README). */
function broker(i: ControlPlaneInputs, p: ReturnType<typeof primitives>): string[] {
  return [vip(i, 'vip_rabbit', i.vips.rabbit), p.rabbit, 'group g_rabbit vip_rabbit rabbit'];
}

/** nova-network cloned in both layouts; the legacy RPC services and the scheduler as one group. */
function novaRpc(p: ReturnType<typeof primitives>): string[] {
  return [
    p.novaNetwork,
    'clone cl_nova_network nova_network meta interleave=true',
    p.consoleauth,
    p.cert,
    p.scheduler,
    'group g_nova nova_consoleauth nova_cert nova_scheduler',
  ];
}

/**
 * The seed's orders as the seed wrote them (Mandatory), or tuned so that a failover's actions do not
 * wait on each other (the active/active layout's properties, whose comments say what each one cost in
 * the lab):
 * - `order`: Optional and not symmetrical. A group that moves no longer restarts the clones and groups
 *   ordered after it on the survivor (a Mandatory order stops its then side before every move of its
 *   first side and starts it after), and a stop no longer holds a start back.
 * - `keystoneOrder`: dropped. An API service ordered after Keystone waits for it only to start, and it
 *   does not need it to start: its agent's start waits for the service's own version document or
 *   healthcheck, which answers without a token, and a request made before Keystone is back fails and
 *   is retried by the client. Ordered (even Optional), a failover that moves both starts them one after
 *   the other: Keystone's start (4–5 s on a busy controller), then the Glance group's (glance-api
 *   6.5–8.5 s) were 15 s of the 22 s the lab measured with these orders kept Optional.
 * - `tunedOnly(order('db_before_glance', 'vip', 'g_glance'))`: the Glance group after the database VIP,
 *   as Keystone is. Not for the database's sake: the promotion writes to the CIB (the fork point, the
 *   promotion score), which aborts the transition, and Pacemaker starts nothing more — the database
 *   VIP included — until every action in flight has ended. Unordered, Keystone's and glance-api's
 *   starts ran beside the promotion and the database VIP came up 4–6 s after it (+7.9 to +11.8 s
 *   after the crash, 13.0–17.8 s to answers in the lab); ordered after the VIP, they start with it.
 * - `tunedOnly(order('keystone_before_rabbit', …))`, `glance_before_rabbit`: the broker after the API
 *   groups when a failover moves them together. Its start is Erlang's boot, 5.5–13.4 s of both cores
 *   in the lab: beside it Keystone's and glance-api's starts took 7–9 s instead of 3–5, and a
 *   transition aborted while it ran (a monitor's result changing, an attribute) held every later start
 *   back until it ended (Keystone at +11.5 s instead of +5.7). The API answers come first; the RPC
 *   services, which need the broker, come back after it (the bench prints when).
 */
function orderWords(tuned: boolean) {
  const order = (id: string, first: string, then: string) =>
    tuned ? [`order ${id} Optional: ${first} ${then} symmetrical=false`] : [`order ${id} Mandatory: ${first} ${then}`];
  return {
    order,
    keystoneOrder: (id: string, first: string, then: string) => (tuned ? [] : order(id, first, then)),
    tunedOnly: (lines: string[]) => (tuned ? lines : []),
    // Pacemaker runs fewer actions at once as a node's load rises (at 1.6 per core with the 80 %
    // default it runs one at a time): on a controller busy with Python services a failover's VIP starts
    // and promotion then queue behind a 6 s broker start (measured in the lab). Actions of a failover
    // are what must not wait.
    properties: tuned ? ['property load-threshold=400% node-action-limit=8'] : [],
    // The promotion writes to the CIB, which makes Pacemaker wait for every action in flight before it
    // starts the database VIP: the broker's 5–6 s start must not be one of them. (After the broker's
    // group: pcs creates a constraint only between resources that exist.)
    brokerOrders: tuned ? ['order promote_before_rabbit Optional: ms_db:promote g_rabbit:start symmetrical=false'] : [],
  };
}

/**
 * The seed's groups, clones and VIPs; with `tuned`, the orders of `orderWords(true)`: what the README
 * recommends to an operator who keeps the seed's groups.
 */
function seed(i: ControlPlaneInputs, tuned: boolean): ControlPlaneCrm {
  const p = primitives(i.services);
  const { order, keystoneOrder, tunedOnly, properties, brokerOrders } = orderWords(tuned);
  return {
    database: databaseCrm(i),
    keystone: [
      ...properties,
      ...broker(i, p),
      ...brokerOrders,
      vip(i, 'vip_keystone', i.vips.keystone),
      p.keystone,
      'group g_keystone vip_keystone keystone',
      ...order('db_before_keystone', 'vip', 'g_keystone'),
      '',
    ].join('\n'),
    services: [
      vip(i, 'vip_glance', i.vips.glance),
      p.objectstore,
      p.glanceApi,
      p.glanceRegistry,
      'group g_glance vip_glance nova_objectstore glance_api glance_registry',
      p.novaApi,
      'clone cl_nova_api nova_api meta interleave=true',
      // Placement (nova-scheduler needs it; the seed predates it), cloned like nova-api.
      p.placement,
      'clone cl_placement placement meta interleave=true',
      vip(i, 'vip_nova', i.vips.nova),
      'colocation vip_nova_with_api inf: vip_nova cl_nova_api',
      ...novaRpc(p),
      // The seed's order: the database, then Keystone, then everything that authenticates against it.
      ...keystoneOrder('keystone_before_glance', 'g_keystone', 'g_glance'),
      ...tunedOnly(order('db_before_glance', 'vip', 'g_glance')),
      ...tunedOnly(order('keystone_before_rabbit', 'g_keystone', 'g_rabbit')),
      ...tunedOnly(order('glance_before_rabbit', 'g_glance', 'g_rabbit')),
      ...order('keystone_before_nova', 'g_keystone', 'g_nova'),
      ...keystoneOrder('keystone_before_nova_api', 'g_keystone', 'cl_nova_api'),
      ...keystoneOrder('keystone_before_placement', 'g_keystone', 'cl_placement'),
      ...order('placement_before_nova', 'cl_placement', 'g_nova'),
      ...order('rabbit_before_nova', 'g_rabbit', 'g_nova'),
      ...order('rabbit_before_nova_network', 'g_rabbit', 'cl_nova_network'),
      '',
    ].join('\n'),
  };
}

function activeActive(i: ControlPlaneInputs): ControlPlaneCrm {
  const p = primitives(i.services);
  const { properties, brokerOrders } = orderWords(true);
  // A VIP placed only where its service's clone runs, and started after it when both start together.
  const vipOn = (id: string, address: string, clone: string) => [
    vip(i, id, address),
    `colocation ${id}_with_service inf: ${id} ${clone}`,
    `order ${id}_after_service Optional: ${clone} ${id} symmetrical=false`,
  ];
  return {
    database: databaseCrm(i, 'master-slave', true),
    keystone: [
      ...properties,
      ...broker(i, p),
      ...brokerOrders,
      p.keystone,
      'clone cl_keystone keystone meta interleave=true',
      ...vipOn('vip_keystone', i.vips.keystone, 'cl_keystone'),
      'order db_before_keystone Optional: vip cl_keystone symmetrical=false',
      '',
    ].join('\n'),
    services: [
      p.objectstore,
      p.glanceApi,
      p.glanceRegistry,
      'group g_glance nova_objectstore glance_api glance_registry',
      'clone cl_glance g_glance meta interleave=true',
      ...vipOn('vip_glance', i.vips.glance, 'cl_glance'),
      p.novaApi,
      'clone cl_nova_api nova_api meta interleave=true',
      ...vipOn('vip_nova', i.vips.nova, 'cl_nova_api'),
      p.placement,
      'clone cl_placement placement meta interleave=true',
      ...novaRpc(p),
      'clone cl_nova g_nova meta interleave=true',
      // Start order on a cold start only (interleaved: each node's instance after its own Keystone).
      'order keystone_before_glance Optional: cl_keystone cl_glance symmetrical=false',
      'order keystone_before_nova Optional: cl_keystone cl_nova symmetrical=false',
      'order keystone_before_nova_api Optional: cl_keystone cl_nova_api symmetrical=false',
      'order keystone_before_placement Optional: cl_keystone cl_placement symmetrical=false',
      'order placement_before_nova Optional: cl_placement cl_nova symmetrical=false',
      'order rabbit_before_nova Optional: g_rabbit cl_nova symmetrical=false',
      'order rabbit_before_nova_network Optional: g_rabbit cl_nova_network symmetrical=false',
      '',
    ].join('\n'),
  };
}

export function controlPlaneCrm(layout: Layout, inputs: ControlPlaneInputs): ControlPlaneCrm {
  return layout === 'active-active' ? activeActive(inputs) : seed(inputs, layout === 'seed-tuned');
}
