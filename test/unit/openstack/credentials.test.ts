import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../shared/ocf/errors.ts';
import { parseOpenrc, resolveCredentials, versionedAuthUrl, type CredentialInputs } from '../../../shared/openstack/credentials.ts';
import { useTempDirs } from '../helpers.ts';

const none: CredentialInputs = {
  os_auth_url: '',
  keystone_get_token_url: '',
  os_username: '',
  os_password: '',
  os_tenant_name: '',
  os_project_name: '',
  os_user_domain_name: '',
  os_project_domain_name: '',
  os_cloud: '',
  os_client_config_file: '',
  os_credentials_file: '',
};

describe('Keystone URL versions', () => {
  it('keeps /v3 and /v2.0, and reads an unversioned URL as v3', () => {
    expect(versionedAuthUrl('http://k:5000/v3/')).toBe('http://k:5000/v3');
    expect(versionedAuthUrl('http://k:5000/v2.0')).toBe('http://k:5000/v2.0');
    expect(versionedAuthUrl('http://k:5000')).toBe('http://k:5000/v3');
    expect(versionedAuthUrl('https://k/identity')).toBe('https://k/identity/v3');
  });

  it("reads the old agents' token URL as v2.0", () => {
    expect(versionedAuthUrl('http://127.0.0.1:5000/v2.0/tokens')).toBe('http://127.0.0.1:5000/v2.0');
  });
});

describe('openrc files read as data', () => {
  it('takes export lines with or without quotes', () => {
    expect(
      parseOpenrc('export OS_USERNAME=admin\nOS_PASSWORD=\'s3cret $x\'\nexport OS_AUTH_URL="http://k:5000/v3"\n# OS_X=1\n', 'f'),
    ).toEqual({
      OS_USERNAME: 'admin',
      OS_PASSWORD: 's3cret $x',
      OS_AUTH_URL: 'http://k:5000/v3',
    });
  });

  it('refuses a value that needs the shell, naming the line but not the value', () => {
    expect(() => parseOpenrc('export OS_PASSWORD=$(pass show os)\n', '/etc/x')).toThrow(
      /\/etc\/x line 1: OS_PASSWORD needs shell expansion/,
    );
    expect(() => parseOpenrc('export OS_PASSWORD="$SECRET"\n', '/etc/x')).toThrow(ConfigurationError);
  });
});

describe('resolving the depth-10 credentials', () => {
  const tempDir = useTempDirs();

  it("uses the old agents' os_* parameters, tenant name as project", () => {
    const r = resolveCredentials(
      { ...none, os_auth_url: 'http://k:5000/v2.0/', os_username: 'admin', os_password: 'pw', os_tenant_name: 'admin' },
      [],
    );
    expect(r?.credentials).toMatchObject({
      authUrl: 'http://k:5000/v2.0',
      method: 'password',
      username: 'admin',
      password: 'pw',
      projectName: 'admin',
      userDomainName: 'Default',
      projectDomainName: 'Default',
      source: 'the os_* parameters',
    });
  });

  it('reads a clouds.yaml entry, merges secure.yaml, and takes its TLS settings', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'clouds.yaml'),
      'clouds:\n  ha:\n    auth:\n      auth_url: https://k:5000\n      username: mon\n      project_name: service\n      user_domain_name: ops\n    cacert: /etc/ssl/ca.pem\n    verify: true\n',
    );
    writeFileSync(join(dir, 'secure.yaml'), 'clouds:\n  ha:\n    auth:\n      password: from-secure\n');
    const r = resolveCredentials({ ...none, os_cloud: 'ha', os_client_config_file: join(dir, 'clouds.yaml') }, []);
    expect(r?.credentials).toMatchObject({
      authUrl: 'https://k:5000/v3',
      username: 'mon',
      password: 'from-secure',
      projectName: 'service',
      userDomainName: 'ops',
      projectDomainName: 'Default',
    });
    expect(r?.credentials.source).toMatch(/clouds.yaml entry ha/);
    expect(r?.tls).toEqual({ caFile: '/etc/ssl/ca.pem', insecure: false });
  });

  it('explicit parameters override single fields of the entry', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'clouds.yaml'),
      'clouds:\n  ha:\n    auth:\n      auth_url: http://k:5000/v3\n      username: mon\n      password: pw\n',
    );
    const r = resolveCredentials(
      { ...none, os_cloud: 'ha', os_client_config_file: join(dir, 'clouds.yaml'), os_auth_url: 'http://vip:5000/v3' },
      [],
    );
    expect(r?.credentials).toMatchObject({ authUrl: 'http://vip:5000/v3', username: 'mon' });
  });

  it('reads an application credential from a clouds.yaml entry', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'clouds.yaml'),
      'clouds:\n  ac:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: http://k:5000/v3\n      application_credential_id: abc\n      application_credential_secret: s\n',
    );
    expect(resolveCredentials({ ...none, os_cloud: 'ac', os_client_config_file: join(dir, 'clouds.yaml') }, [])?.credentials).toMatchObject(
      { method: 'application_credential', applicationCredentialId: 'abc', applicationCredentialSecret: 's' },
    );
  });

  it('a missing clouds.yaml entry is a configuration error naming the entry', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'clouds.yaml'), 'clouds:\n  other:\n    auth:\n      username: x\n');
    expect(() => resolveCredentials({ ...none, os_cloud: 'ha', os_client_config_file: join(dir, 'clouds.yaml') }, [])).toThrow(
      /has no entry clouds.ha/,
    );
  });

  it('reads an openrc file', () => {
    const dir = tempDir();
    const file = join(dir, 'openrc');
    writeFileSync(
      file,
      'export OS_AUTH_URL=http://k:5000/v3\nexport OS_USERNAME=mon\nexport OS_PASSWORD=pw\nexport OS_PROJECT_NAME=service\nexport OS_CACERT=/ca.pem\n',
    );
    chmodSync(file, 0o600);
    const r = resolveCredentials({ ...none, os_credentials_file: file }, []);
    expect(r?.credentials).toMatchObject({ username: 'mon', password: 'pw', projectName: 'service', source: `credentials file ${file}` });
    expect(r?.tls).toEqual({ caFile: '/ca.pem' });
  });

  it("falls back to the service's own [keystone_authtoken], the last config file that has one", () => {
    const dir = tempDir();
    const a = join(dir, 'nova.conf');
    const b = join(dir, 'nova-auth.conf');
    writeFileSync(a, '[keystone_authtoken]\nauth_url = http://old:5000\nusername = old\npassword = old\n');
    writeFileSync(
      b,
      '[keystone_authtoken]\nauth_url = http://k:5000\nusername = nova\npassword = pw\nproject_name = service\nuser_domain_id = default\nproject_domain_name = Default\n',
    );
    const r = resolveCredentials(none, [a, b]);
    expect(r?.credentials).toMatchObject({
      authUrl: 'http://k:5000/v3',
      username: 'nova',
      projectName: 'service',
      userDomainId: 'default',
      source: `[keystone_authtoken] of ${b}`,
    });
  });

  it('gives nothing when no source has credentials', () => {
    expect(resolveCredentials(none, [])).toBeUndefined();
  });

  it("keystone's own endpoint fills a missing auth URL; without one it is a configuration error", () => {
    expect(resolveCredentials({ ...none, os_username: 'a', os_password: 'b' }, [], 'http://127.0.0.1:5000/v3')?.credentials.authUrl).toBe(
      'http://127.0.0.1:5000/v3',
    );
    expect(() => resolveCredentials({ ...none, os_username: 'a', os_password: 'b' }, [])).toThrow(/no Keystone URL/);
  });

  it('a user without password is a configuration error that does not show values', () => {
    expect(() => resolveCredentials({ ...none, os_auth_url: 'http://k/v3', os_username: 'a' }, [])).toThrow(
      /need both a user name and a password/,
    );
  });
});
