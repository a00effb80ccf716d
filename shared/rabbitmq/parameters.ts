import { integer, select, string, type ParameterValues } from '../ocf/parameters.ts';

/** The broker's settings, as RABBITMQ_* environment for rabbitmq-server; Debian's defaults. */
export const rabbitmqParameters = {
  binary: string({
    shortdesc: 'RabbitMQ server script',
    longdesc:
      'The server start script (not the /usr/sbin wrapper, which switches users itself). A bare name is looked up on the PATH Pacemaker gives agents.',
    default: '/usr/lib/rabbitmq/bin/rabbitmq-server',
    executable: true,
  }),
  nodename: string({
    shortdesc: 'Erlang node name',
    longdesc:
      'RABBITMQ_NODENAME of the broker; it also identifies the broker process. In clone mode only its name part counts: ' +
      "each instance runs <name>@<host>, the host being this node's entry in cluster_host_map (else its Pacemaker node name).",
    default: 'rabbit@localhost',
    unique: true,
  }),
  node_ip: string({
    shortdesc: 'AMQP listening address',
    longdesc: 'RABBITMQ_NODE_IP_ADDRESS; empty listens on every address. Monitor connects here (127.0.0.1 when empty).',
    default: '',
  }),
  node_port: integer({
    shortdesc: 'AMQP port',
    longdesc: 'RABBITMQ_NODE_PORT, checked by monitor.',
    default: 5672,
    aliases: ['amqp_server_port'],
  }),
  dist_port: integer({
    shortdesc: 'Erlang distribution port',
    longdesc: 'RABBITMQ_DIST_PORT.',
    default: 25672,
  }),
  epmd_port: integer({
    shortdesc: 'epmd port',
    longdesc: 'ERL_EPMD_PORT: the Erlang port mapper the node registers with (started by the broker if absent).',
    default: 4369,
  }),
  config_file: string({
    shortdesc: 'Configuration file',
    longdesc: 'RABBITMQ_CONFIG_FILE.',
    default: '/etc/rabbitmq/rabbitmq.conf',
  }),
  mnesia_base: string({
    shortdesc: 'Data directory',
    longdesc: 'RABBITMQ_MNESIA_BASE: where the node keeps its data; must be writable by user.',
    default: '/var/lib/rabbitmq/mnesia',
    unique: true,
  }),
  log_base: string({
    shortdesc: 'Log directory',
    longdesc: 'RABBITMQ_LOG_BASE; the output of the start script goes to tsha-startup.log there.',
    default: '/var/log/rabbitmq',
  }),
  pid_file: string({
    shortdesc: 'Pid file',
    longdesc: 'RABBITMQ_PID_FILE, written by the broker; its pid is checked to be this node before it is trusted.',
    default: '/run/rabbitmq/rabbitmq.pid',
    unique: true,
  }),
  enabled_plugins_file: string({
    shortdesc: 'Enabled plugins file',
    longdesc: 'RABBITMQ_ENABLED_PLUGINS_FILE; empty keeps the broker default.',
    default: '',
  }),
  cluster: select(['auto', 'on', 'off'] as const, {
    shortdesc: 'Clone mode: one RabbitMQ cluster across the clone',
    longdesc:
      'auto: clone mode when the resource is a clone with clone-max > 1 (OCF_RESKEY_CRM_meta_clone_max); on: always ' +
      '(a one-node cluster, ocf-tester); off: one standalone broker (the single-broker layout). In clone mode start joins ' +
      'the running cluster or, with none running, lets the node that stopped last start first; stop drains the node; ' +
      'monitor reports a paused or partitioned node as failed and a missing member as degraded (190).',
    default: 'auto',
  }),
  cluster_host_map: string({
    shortdesc: 'Pacemaker node to RabbitMQ host mapping',
    longdesc:
      'node:host pairs separated by semicolons (e.g. "ctl1:ctl1-mgmt;ctl2:ctl2-mgmt"): the host part of each member\'s ' +
      'Erlang node name and the address its AMQP port is probed on. When given it also lists the members, in this order; ' +
      'otherwise the members are the Pacemaker nodes (crm_node --list) under their own names.',
    default: '',
  }),
  erlang_cookie_file: string({
    shortdesc: 'Erlang cookie file',
    longdesc:
      'A file holding the shared Erlang cookie of the cluster (same content on every node, readable by root). The agent ' +
      'gives the broker and its own rabbitmqctl calls a private HOME with a 0400 copy of it, never the cookie in argv. ' +
      "Empty: the broker account's ~/.erlang.cookie.",
    default: '',
  }),
  set_policy: string({
    shortdesc: 'Policy set at start (the arguments of rabbitmqctl set_policy)',
    longdesc:
      'As ocf:heartbeat:rabbitmq-cluster\'s set_policy: "[--vhost V] [--priority N] [--apply-to T] name pattern definition", ' +
      'applied with rabbitmqctl set_policy each time this node starts and serves. A policy is cluster-wide, so each member ' +
      'setting it again changes nothing, and a changed value takes effect at the next start (heartbeat sets it only when ' +
      'the first instance bootstraps). The definition is a JSON object and may contain blanks. A policy RabbitMQ refuses ' +
      'fails the start with its reason. Quorum queues need no mirroring policy (ha-mode is for classic queues).',
    default: '',
  }),
  cli_dir: string({
    shortdesc: 'Directory of the RabbitMQ command-line tools',
    longdesc: 'Where rabbitmqctl, rabbitmq-diagnostics, rabbitmq-upgrade and rabbitmq-queues are (clone mode; each call bounded).',
    default: '/usr/lib/rabbitmq/bin',
  }),
  user: string({
    shortdesc: 'Account the broker runs as',
    longdesc: 'System account of the broker process.',
    default: 'rabbitmq',
  }),
  username: string({
    shortdesc: 'AMQP user for the deep monitor',
    longdesc: 'User of the OCF_CHECK_LEVEL=10 round trip through a private queue.',
    default: 'guest',
    reloadable: true,
    monitorOnly: true,
  }),
  password: string({
    shortdesc: 'AMQP password for the deep monitor',
    longdesc: 'Password of username.',
    default: '',
    secret: true,
    reloadable: true,
    monitorOnly: true,
  }),
  vhost: string({
    shortdesc: 'AMQP virtual host for the deep monitor',
    longdesc: 'Virtual host of the round trip.',
    default: '/',
    reloadable: true,
    monitorOnly: true,
  }),
} as const;

export type RabbitmqParameters = typeof rabbitmqParameters;
export type RabbitmqValues = ParameterValues<RabbitmqParameters>;
