import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneReadme } from '../../build/control-plane.ts';
import { cibModel } from '../support/cib.ts';

// The README prints the control plane twice, in crm and in pcs (build/pcs-lines.ts translates).
// Here both texts, exactly as printed, build a cluster each: the crm text with crmsh into one empty CIB
// file, the pcs lines with pcs -f into another; the two CIBs must describe the same cluster.
//
// No cluster runs: CIB_file and pcs -f work on files. Both tools ask crm_resource for the agents'
// meta-data, which runs the installed agents; so everything runs in a private mount namespace where
// /usr/lib/ocf/resource.d is an empty folder (crmsh then skips its parameter checks, pcs is given
// --force). One python process runs every pcs line (pcs's own main(), as /usr/sbin/pcs calls it): a
// pcs process per line would take a second each.

const run = promisify(execFile);

const DRIVER = String.raw`
import shlex, sys
from pcs import app
cib, lines = sys.argv[1], open(sys.argv[2]).read().replace('\\\n', ' ').splitlines()
for line in lines:
    argv = shlex.split(line)
    if not argv:
        continue
    assert argv[0] == 'pcs', line
    try:
        app.main(['-f', cib, '--force', *argv[1:]])
    except SystemExit as e:
        if e.code not in (None, 0):
            sys.exit('pcs failed (%s): %s' % (e.code, line))
`;

const SCRIPT = `set -e
mount --bind "$DIR/ocf" /usr/lib/ocf/resource.d
cibadmin --empty >"$DIR/crm.xml"
cibadmin --empty >"$DIR/pcs.xml"
HOME="$DIR/home" CIB_file="$DIR/crm.xml" crm configure load update "$DIR/plane.crm"
python3 "$DIR/driver.py" "$DIR/pcs.xml" "$DIR/plane.pcs"
`;

describe.each(['seed', 'active-active'] as const)('the README control plane (%s layout) in crm and in pcs', (layout) => {
  let dir: string;
  let crm: ReturnType<typeof cibModel>;
  let pcs: ReturnType<typeof cibModel>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsha-crm-pcs-'));
    const text = controlPlaneReadme(layout);
    mkdirSync(join(dir, 'ocf', 'none'), { recursive: true }); // crmsh needs one provider to list
    mkdirSync(join(dir, 'home', '.config', 'crm'), { recursive: true });
    writeFileSync(join(dir, 'home', '.config', 'crm', 'crm.conf'), '[core]\ncheck_frequency = never\ncheck_mode = relaxed\n');
    writeFileSync(join(dir, 'plane.crm'), `${text.crm}\n`);
    writeFileSync(join(dir, 'plane.pcs'), `${text.pcs}\n`);
    writeFileSync(join(dir, 'driver.py'), DRIVER);
    await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', SCRIPT], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DIR: dir, LANG: 'C.UTF-8' },
      timeout: 25_000,
    });
    crm = cibModel(readFileSync(join(dir, 'crm.xml'), 'utf8'));
    pcs = cibModel(readFileSync(join(dir, 'pcs.xml'), 'utf8'));
  }, 30_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds every resource, group and clone the lab runs', () => {
    const ids = Object.keys(crm.resources);
    for (const id of [
      'ms_db',
      'db',
      'vip',
      'g_rabbit',
      'rabbit',
      'keystone',
      'glance_api',
      'cl_nova_api',
      'cl_placement',
      'cl_nova_network',
      'nova_scheduler',
    ])
      expect(ids).toContain(id);
    expect(crm.constraints.length).toBeGreaterThan(8);
    // The active/active layout raises Pacemaker's load throttle (control-plane-crm.ts); the seed sets none.
    expect(Object.keys(crm.properties).filter((k) => !['load-threshold', 'node-action-limit'].includes(k))).toEqual([]);
  });

  it('resources: the same agents, params, meta, operations, group members and clone meta', () => {
    expect(pcs.resources).toEqual(crm.resources);
  });

  it('constraints, properties and resource defaults are the same', () => {
    expect(pcs.constraints).toEqual(crm.constraints);
    expect(pcs.properties).toEqual(crm.properties);
    expect(pcs.rscDefaults).toEqual(crm.rscDefaults);
  });
});
