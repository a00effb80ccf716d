import { describe, expect, it } from 'vitest';
import { parseCleanlyOffline, parseLocate } from '../../../shared/cluster/membership.ts';

// crm_mon --one-shot --output-as=xml --include=none,nodes, as Pacemaker 2.1.5 prints it (trimmed).
const CRM_MON = `<pacemaker-result api-version="2.30" request="crm_mon --one-shot --output-as=xml --include=none,nodes">
  <nodes>
    <node name="n1" id="1" online="true" standby="false" pending="false" unclean="false" shutdown="false" type="member"/>
    <node name="n2" id="2" online="false" standby="false" pending="false" unclean="true" shutdown="false" type="member"/>
    <node name="n3" id="3" online="false" standby="false" pending="false" unclean="false" shutdown="false" type="member"/>
  </nodes>
  <status code="0" message="OK"/>
</pacemaker-result>`;

describe('Pacemaker membership', () => {
  it('a node is cleanly offline only when crm_mon says offline and not unclean (fenced or shut down)', () => {
    expect(parseCleanlyOffline(CRM_MON)).toEqual(['n3']);
  });

  it('nothing is cleanly offline when crm_mon printed no node list', () => {
    expect(parseCleanlyOffline('')).toEqual([]);
  });

  it('crm_resource --locate names the Promoted nodes in either spelling', () => {
    const text =
      'resource galera-clone is running on: n1 Promoted\nresource galera-clone is running on: n2\nresource galera-clone is running on: n3 Master\n';
    expect(parseLocate(text)).toEqual(['n1', 'n3']);
  });
});
