/**
 * The command line a service is started with. A plain daemon runs as its account with one
 * --config-file per file. Under uwsgi, uwsgi itself starts as root and drops to the account (as
 * Debian's init scripts run it), with --die-on-term so that SIGTERM means shutdown, not reload, and
 * --worker-reload-mercy bounding how long the master waits for a worker at shutdown (uwsgi's own 60 s
 * is the whole default stop timeout: glance-api Zed's workers hang at exit until it ends).
 */
import type { Account } from '../process/users.ts';
import type { UwsgiDeployment } from './service-spec.ts';

export interface Launch {
  readonly file: string;
  readonly args: readonly string[];
  readonly uid: number;
  readonly gid: number;
  readonly env: Readonly<Record<string, string>>;
}

export interface LaunchInputs {
  readonly binary: string;
  readonly configFiles: readonly string[];
  readonly extra: readonly string[];
  readonly account: Account;
  readonly uwsgiIni: string;
  readonly httpSocket: string;
  readonly workers: number;
  /** Seconds uwsgi gives a worker to exit at shutdown; 0 keeps the ini's (or uwsgi's 60). */
  readonly workerMercy: number;
}

const BASE_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

export function launchCommand(i: LaunchInputs, uwsgi: UwsgiDeployment | undefined): Launch {
  if (!i.uwsgiIni) {
    return {
      file: i.binary,
      args: [...i.configFiles.flatMap((f) => ['--config-file', f]), ...i.extra],
      uid: i.account.uid,
      gid: i.account.gid,
      env: { ...BASE_ENV, HOME: i.account.home },
    };
  }
  return {
    file: i.binary,
    args: [
      '--ini',
      i.uwsgiIni,
      ...(i.httpSocket ? ['--http-socket', i.httpSocket] : []),
      ...(i.workers > 0 ? ['--processes', String(i.workers)] : []),
      '--uid',
      String(i.account.uid),
      '--gid',
      String(i.account.gid),
      '--die-on-term',
      ...(i.workerMercy > 0 ? ['--worker-reload-mercy', String(i.workerMercy)] : []),
      ...i.extra,
    ],
    uid: 0,
    gid: 0,
    env: { ...BASE_ENV, HOME: i.account.home, ...(uwsgi ? uwsgi.appEnv(i.configFiles) : {}) },
  };
}
