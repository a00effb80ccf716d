import { describe, expect, it } from 'vitest';
import { launchCommand } from '../../../shared/openstack/launch.ts';

const account = { name: 'nova', uid: 64060, gid: 64060, home: '/var/lib/nova' };

describe('service command lines', () => {
  it('a plain daemon runs as its account with one --config-file per file, then the extra arguments', () => {
    const l = launchCommand(
      {
        binary: '/usr/bin/nova-compute',
        configFiles: ['/etc/nova/nova.conf', '/etc/nova/nova-compute.conf'],
        extra: ['--debug'],
        account,
        uwsgiIni: '',
        httpSocket: '',
        workers: 0,
        workerMercy: 10,
      },
      undefined,
    );
    expect(l).toMatchObject({
      file: '/usr/bin/nova-compute',
      args: ['--config-file', '/etc/nova/nova.conf', '--config-file', '/etc/nova/nova-compute.conf', '--debug'],
      uid: 64060,
      gid: 64060,
    });
    expect(l.env.HOME).toBe('/var/lib/nova');
  });

  it('uwsgi starts as root and drops to the account itself, with --die-on-term and a bounded worker shutdown, and tells the app its config', () => {
    const l = launchCommand(
      {
        binary: '/usr/bin/uwsgi_python3',
        configFiles: ['/srv/keystone.conf'],
        extra: [],
        account: { ...account, name: 'keystone', uid: 100, gid: 101 },
        uwsgiIni: '/etc/keystone/keystone-uwsgi.ini',
        httpSocket: ':5000',
        workers: 2,
        workerMercy: 10,
      },
      { ini: '', httpSocket: '', appEnv: (files) => ({ OS_KEYSTONE_CONFIG_FILES: files.join(';') }) },
    );
    expect(l.uid).toBe(0);
    expect(l.args).toEqual([
      '--ini',
      '/etc/keystone/keystone-uwsgi.ini',
      '--http-socket',
      ':5000',
      '--processes',
      '2',
      '--uid',
      '100',
      '--gid',
      '101',
      '--die-on-term',
      '--worker-reload-mercy',
      '10',
    ]);
    expect(l.env.OS_KEYSTONE_CONFIG_FILES).toBe('/srv/keystone.conf');
  });

  it('worker_mercy 0 leaves the worker shutdown bound to the ini', () => {
    const l = launchCommand(
      {
        binary: '/usr/bin/uwsgi',
        configFiles: ['/etc/glance/glance-api.conf'],
        extra: [],
        account,
        uwsgiIni: '/etc/glance/glance-api-uwsgi.ini',
        httpSocket: '',
        workers: 0,
        workerMercy: 0,
      },
      undefined,
    );
    expect(l.args).not.toContain('--worker-reload-mercy');
  });
});
