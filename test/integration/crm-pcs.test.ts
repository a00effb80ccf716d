import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneChange, controlPlaneReadme } from '../../build/control-plane.ts';
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
    # --force skips the agents' checks; a delete has none and refuses the option.
    force = [] if argv[1:3] == ['constraint', 'delete'] else ['--force']
    try:
        app.main(['-f', cib, *force, *argv[1:]])
    except SystemExit as e:
        if e.code not in (None, 0):
            sys.exit('pcs failed (%s): %s' % (e.code, line))
`;

const SCRIPT = `set -e
mount --bind "$DIR/ocf" /usr/lib/ocf/resource.d
cibadmin --empty >"$DIR/crm.xml"
cibadmin --empty >"$DIR/pcs.xml"
export HOME="$DIR/home"
CIB_file="$DIR/crm.xml" crm configure load update "$DIR/plane.crm"
python3 "$DIR/driver.py" "$DIR/pcs.xml" "$DIR/plane.pcs"
if [ -e "$DIR/change.crm.sh" ]; then
  (cd "$DIR" && CIB_file="$DIR/crm.xml" sh "$DIR/change.crm.sh")
  python3 "$DIR/driver.py" "$DIR/pcs.xml" "$DIR/change.pcs"
  cibadmin --empty >"$DIR/target.xml"
  CIB_file="$DIR/target.xml" crm configure load update "$DIR/target.crm"
fi
`;

const BUILD_TIMEOUT_MS = 120_000;

/** The CIB files the README's texts build, each in its own empty CIB (no cluster, no agents). */
async function buildCibs(texts: {
  crm: string;
  pcs: string;
  change?: { crm: string; pcs: string; target: string };
}): Promise<{ crm: ReturnType<typeof cibModel>; pcs: ReturnType<typeof cibModel>; target?: ReturnType<typeof cibModel> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsha-crm-pcs-'));
  try {
    mkdirSync(join(dir, 'ocf', 'none'), { recursive: true }); // crmsh needs one provider to list
    mkdirSync(join(dir, 'home', '.config', 'crm'), { recursive: true });
    writeFileSync(join(dir, 'home', '.config', 'crm', 'crm.conf'), '[core]\ncheck_frequency = never\ncheck_mode = relaxed\n');
    writeFileSync(join(dir, 'plane.crm'), `${texts.crm}\n`);
    writeFileSync(join(dir, 'plane.pcs'), `${texts.pcs}\n`);
    writeFileSync(join(dir, 'driver.py'), DRIVER);
    if (texts.change) {
      writeFileSync(join(dir, 'change.crm.sh'), `set -e\n${texts.change.crm}\n`);
      writeFileSync(join(dir, 'change.pcs'), `${texts.change.pcs}\n`);
      writeFileSync(join(dir, 'target.crm'), `${texts.change.target}\n`);
    }
    // crm and pcs are Python programs started up to five times here: ~15 s alone, and more than 25 s when
    // the labs of test/run's cluster project hold both cores (this project runs beside it at nice 10).
    await run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', SCRIPT], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', DIR: dir, LANG: 'C.UTF-8' },
      timeout: BUILD_TIMEOUT_MS,
    });
    const model = (name: string) => cibModel(readFileSync(join(dir, name), 'utf8'));
    return { crm: model('crm.xml'), pcs: model('pcs.xml'), ...(texts.change ? { target: model('target.xml') } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(['seed', 'active-active'] as const)('the README control plane (%s layout) in crm and in pcs', (layout) => {
  let crm: ReturnType<typeof cibModel>;
  let pcs: ReturnType<typeof cibModel>;

  beforeAll(async () => {
    ({ crm, pcs } = await buildCibs(controlPlaneReadme(layout)));
  }, BUILD_TIMEOUT_MS + 5_000);

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

// The README's change from the seed's orders to the tuned ones, applied to a running seed cluster:
// both spellings, after the seed's own, build the same CIB, and it is the seed-tuned layout the lab runs.
describe("the README change from the seed's orders to the tuned ones, in crm and in pcs", () => {
  let built: Awaited<ReturnType<typeof buildCibs>>;

  beforeAll(async () => {
    const change = controlPlaneChange('seed', 'seed-tuned');
    built = await buildCibs({ ...controlPlaneReadme('seed'), change: { ...change, target: controlPlaneReadme('seed-tuned').crm } });
  }, BUILD_TIMEOUT_MS + 5_000);

  it('crm and pcs build the same cluster from the seed and the change', () => {
    expect(built.pcs).toEqual(built.crm);
  });

  it('the seed with the change applied is the seed-tuned layout, resource for resource and constraint for constraint', () => {
    expect(built.crm).toEqual(built.target);
  });

  it('the change touches no resource: it only deletes, adds and replaces constraints and properties', () => {
    const change = controlPlaneChange('seed', 'seed-tuned');
    expect(change.crm).not.toMatch(/^(primitive|group|clone|ms) /m);
    expect(change.pcs).not.toMatch(/^pcs resource /m);
  });
});
