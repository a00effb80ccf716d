import { afterEach, describe, expect, it } from 'vitest';
import { Deadline } from '../../../shared/ocf/deadline.ts';
import { runCommand } from '../../../shared/process/command.ts';

describe('runCommand', () => {
  afterEach(() => {
    delete process.env.OCF_RESKEY_CRM_meta_on_node;
  });

  it("passes the agent's environment on (Pacemaker's tools read the resource and node from it)", async () => {
    process.env.OCF_RESKEY_CRM_meta_on_node = 'n1';
    const r = await runCommand('env', [], new Deadline(5000));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('OCF_RESKEY_CRM_meta_on_node=n1');
  });

  it('leaves out the variables named to unset (attrd_updater --all answers for that node alone otherwise)', async () => {
    process.env.OCF_RESKEY_CRM_meta_on_node = 'n1';
    const r = await runCommand('env', [], new Deadline(5000), 10_000, ['OCF_RESKEY_CRM_meta_on_node']);
    expect(r.stdout).not.toContain('OCF_RESKEY_CRM_meta_on_node');
    expect(process.env.OCF_RESKEY_CRM_meta_on_node).toBe('n1');
  });

  it('returns a failing exit code instead of throwing', async () => {
    expect((await runCommand('false', [], new Deadline(5000))).exitCode).toBe(1);
  });
});
