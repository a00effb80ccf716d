import { integer, string, type ParameterValues } from '../ocf/parameters.ts';

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
    longdesc: 'RABBITMQ_NODENAME of the broker; it also identifies the broker process.',
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
