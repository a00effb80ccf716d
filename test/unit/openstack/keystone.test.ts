import { describe, expect, it } from 'vitest';
import type { Credentials } from '../../../shared/openstack/credentials.ts';
import { tokenRequestBody } from '../../../shared/openstack/keystone.ts';

const base: Credentials = {
  authUrl: 'http://k:5000/v3',
  method: 'password',
  username: 'mon',
  password: 'pw',
  projectName: 'service',
  userDomainName: 'Default',
  projectDomainName: 'Default',
  source: 'test',
};

describe('Keystone token requests', () => {
  it('v3 password auth is scoped to the project, domains by name', () => {
    expect(tokenRequestBody(base)).toEqual({
      path: '/auth/tokens',
      body: {
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'mon', domain: { name: 'Default' }, password: 'pw' } } },
          scope: { project: { name: 'service', domain: { name: 'Default' } } },
        },
      },
    });
  });

  it('uses domain ids when only ids are known', () => {
    const body = tokenRequestBody({ ...base, userDomainId: 'default', projectDomainId: 'default' }).body as {
      auth: { identity: { password: { user: { domain: unknown } } }; scope: { project: { domain: unknown } } };
    };
    expect(body.auth.identity.password.user.domain).toEqual({ id: 'default' });
    expect(body.auth.scope.project.domain).toEqual({ id: 'default' });
  });

  it('an application credential carries its own scope', () => {
    expect(
      tokenRequestBody({ ...base, method: 'application_credential', applicationCredentialId: 'id1', applicationCredentialSecret: 's' }),
    ).toEqual({
      path: '/auth/tokens',
      body: { auth: { identity: { methods: ['application_credential'], application_credential: { id: 'id1', secret: 's' } } } },
    });
  });

  it('v2.0 only where the auth URL says so: passwordCredentials and tenantName', () => {
    expect(tokenRequestBody({ ...base, authUrl: 'http://k:5000/v2.0' })).toEqual({
      path: '/tokens',
      body: { auth: { passwordCredentials: { username: 'mon', password: 'pw' }, tenantName: 'service' } },
    });
  });
});
