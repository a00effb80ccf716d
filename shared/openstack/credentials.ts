/**
 * Where a monitor's Keystone credentials come from, so that no password has to sit in the CIB: a
 * clouds.yaml entry (os_cloud), an openrc-style file (os_credentials_file), the os_* parameters (the
 * old agents' names, which override single fields), or — when none is given — the service's own
 * [keystone_authtoken] section, the account it already uses to validate tokens.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigurationError, NotInstalledError } from '../ocf/errors.ts';
import { booleanOf } from '../ocf/parameters.ts';
import { readConfig } from './ini.ts';
import { readInputFile } from './input-file.ts';
import { mappingAt, parseYamlMapping, type YamlMapping } from './yaml-mapping.ts';

export interface Credentials {
  /** The identity endpoint with its version: …/v3 or …/v2.0. */
  readonly authUrl: string;
  readonly method: 'password' | 'application_credential';
  readonly username?: string;
  readonly password?: string;
  readonly userDomainName: string;
  readonly projectName?: string;
  readonly projectDomainName: string;
  /** Domain ids, when only an id is known ([keystone_authtoken] user_domain_id = default). */
  readonly userDomainId?: string;
  readonly projectDomainId?: string;
  readonly applicationCredentialId?: string;
  readonly applicationCredentialSecret?: string;
  /** Where they came from, for messages (never the values). */
  readonly source: string;
}

/** TLS settings a clouds.yaml entry or credentials file may carry (cacert, cert, key, verify). */
export interface CredentialTls {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly insecure?: boolean;
}

export interface CredentialInputs {
  readonly os_auth_url: string;
  readonly keystone_get_token_url: string;
  readonly os_username: string;
  readonly os_password: string;
  readonly os_tenant_name: string;
  readonly os_project_name: string;
  readonly os_user_domain_name: string;
  readonly os_project_domain_name: string;
  readonly os_cloud: string;
  readonly os_client_config_file: string;
  readonly os_credentials_file: string;
}

type Field = string | undefined;
type Fields = {
  authUrl?: Field;
  username?: Field;
  password?: Field;
  projectName?: Field;
  userDomainName?: Field;
  projectDomainName?: Field;
  userDomainId?: Field;
  projectDomainId?: Field;
  applicationCredentialId?: Field;
  applicationCredentialSecret?: Field;
  authType?: Field;
};

/**
 * The identity endpoint with an explicit version. An unversioned URL means v3 (v2.0 is gone since
 * Queens); the old agents' token URL (…/v2.0/tokens) keeps meaning v2.0.
 */
export function versionedAuthUrl(url: string): string {
  const u = url
    .replace(/\/+$/, '')
    .replace(/\/tokens$/, '')
    .replace(/\/auth\/tokens$/, '');
  if (/\/v2\.0$/.test(u) || /\/v3$/.test(u)) return u;
  return `${u}/v3`;
}

export const CLOUDS_YAML_PLACES = ['/etc/openstack/clouds.yaml', '/root/.config/openstack/clouds.yaml'];

function readYaml(path: string, what: string): YamlMapping {
  const text = readInputFile(path, what);
  try {
    return parseYamlMapping(text);
  } catch (error) {
    throw new ConfigurationError(`${what} ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function str(m: YamlMapping | undefined, key: string): string | undefined {
  const v = m?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Deep merge of secure.yaml into clouds.yaml, as openstacksdk does: secure values win. */
function merge(a: YamlMapping, b: YamlMapping): YamlMapping {
  const out: Record<string, YamlMapping[string]> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = out[k];
    out[k] = typeof v !== 'string' && mine !== undefined && typeof mine !== 'string' ? merge(mine, v) : v;
  }
  return out;
}

export function fromCloudsYaml(cloud: string, file: string): { fields: Fields; tls: CredentialTls; source: string } {
  const path = file || CLOUDS_YAML_PLACES.find((p) => existsSync(p));
  if (!path)
    throw new NotInstalledError(`os_cloud ${cloud}: no clouds.yaml in ${CLOUDS_YAML_PLACES.join(' or ')}; set os_client_config_file`);
  let doc = readYaml(path, 'clouds.yaml');
  const secure = join(dirname(path), 'secure.yaml');
  if (existsSync(secure)) doc = merge(doc, readYaml(secure, 'secure.yaml'));
  const entry = mappingAt(doc, 'clouds', cloud);
  if (!entry) throw new ConfigurationError(`os_cloud: ${path} has no entry clouds.${cloud}`);
  const auth = mappingAt(entry, 'auth');
  const verify = str(entry, 'verify');
  return {
    fields: {
      authUrl: str(auth, 'auth_url'),
      username: str(auth, 'username'),
      password: str(auth, 'password'),
      projectName: str(auth, 'project_name') ?? str(auth, 'tenant_name'),
      userDomainName: str(auth, 'user_domain_name') ?? str(auth, 'domain_name'),
      projectDomainName: str(auth, 'project_domain_name') ?? str(auth, 'domain_name'),
      applicationCredentialId: str(auth, 'application_credential_id'),
      applicationCredentialSecret: str(auth, 'application_credential_secret'),
      authType: str(entry, 'auth_type'),
    },
    tls: {
      ...(str(entry, 'cacert') ? { caFile: str(entry, 'cacert')! } : {}),
      ...(str(entry, 'cert') ? { certFile: str(entry, 'cert')! } : {}),
      ...(str(entry, 'key') ? { keyFile: str(entry, 'key')! } : {}),
      ...(verify !== undefined ? { insecure: /^(false|no|0)$/i.test(verify) } : {}),
    },
    source: `clouds.yaml entry ${cloud} (${path})`,
  };
}

/**
 * An openrc file read as data, never run by a shell: `[export ]OS_NAME=value` lines with optional
 * quotes. A value that needs the shell ($, backquote) is refused, so the file means what it says.
 */
export function parseOpenrc(text: string, path: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?(OS_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) return;
    const quoted = m[2]!.trim();
    // Single quotes are literal in a shell; in double quotes or bare, $ and ` would expand.
    const literal = /^'.*'$/.test(quoted);
    const value = literal || /^".*"$/.test(quoted) ? quoted.slice(1, -1) : quoted;
    if (!literal && /[$`]/.test(value))
      throw new ConfigurationError(`${path} line ${i + 1}: ${m[1]} needs shell expansion; the agent reads literal values only`);
    out[m[1]!] = value;
  });
  return out;
}

export function fromOpenrc(path: string): { fields: Fields; tls: CredentialTls; source: string } {
  const v = parseOpenrc(readInputFile(path, 'os_credentials_file'), path);
  return {
    fields: {
      authUrl: v.OS_AUTH_URL,
      username: v.OS_USERNAME,
      password: v.OS_PASSWORD,
      projectName: v.OS_PROJECT_NAME ?? v.OS_TENANT_NAME,
      userDomainName: v.OS_USER_DOMAIN_NAME,
      projectDomainName: v.OS_PROJECT_DOMAIN_NAME,
      applicationCredentialId: v.OS_APPLICATION_CREDENTIAL_ID,
      applicationCredentialSecret: v.OS_APPLICATION_CREDENTIAL_SECRET,
      authType: v.OS_AUTH_TYPE,
    },
    tls: {
      ...(v.OS_CACERT ? { caFile: v.OS_CACERT } : {}),
      ...(v.OS_CERT ? { certFile: v.OS_CERT } : {}),
      ...(v.OS_KEY ? { keyFile: v.OS_KEY } : {}),
      ...(v.OS_INSECURE !== undefined ? { insecure: booleanOf(v.OS_INSECURE) === true } : {}),
    },
    source: `credentials file ${path}`,
  };
}

/** The service's own keystonemiddleware account, from the last config file that has one. */
export function fromServiceConfig(configFiles: readonly string[]): { fields: Fields; source: string } | undefined {
  for (const file of [...configFiles].reverse()) {
    const conf = readConfig([file]);
    const get = (k: string) => conf('keystone_authtoken', k);
    if (!get('username') || !get('password')) continue;
    return {
      fields: {
        authUrl: get('auth_url') ?? get('www_authenticate_uri'),
        username: get('username'),
        password: get('password'),
        projectName: get('project_name'),
        userDomainName: get('user_domain_name'),
        projectDomainName: get('project_domain_name'),
        userDomainId: get('user_domain_id'),
        projectDomainId: get('project_domain_id'),
      },
      source: `[keystone_authtoken] of ${file}`,
    };
  }
  return undefined;
}

/**
 * The credentials a depth-10 monitor logs in with, or undefined when nothing provides any. Explicit
 * os_* parameters override single fields of a cloud entry or file; `fallbackAuthUrl` (keystone's own
 * endpoint) fills a missing auth URL.
 */
export function resolveCredentials(
  p: CredentialInputs,
  configFiles: readonly string[],
  fallbackAuthUrl?: string,
): { credentials: Credentials; tls: CredentialTls } | undefined {
  const base = p.os_cloud
    ? fromCloudsYaml(p.os_cloud, p.os_client_config_file)
    : p.os_credentials_file
      ? fromOpenrc(p.os_credentials_file)
      : undefined;
  const explicit: Fields = {
    ...(p.os_auth_url || p.keystone_get_token_url ? { authUrl: p.os_auth_url || p.keystone_get_token_url } : {}),
    ...(p.os_username ? { username: p.os_username } : {}),
    ...(p.os_password ? { password: p.os_password } : {}),
    ...(p.os_project_name || p.os_tenant_name ? { projectName: p.os_project_name || p.os_tenant_name } : {}),
    ...(p.os_user_domain_name ? { userDomainName: p.os_user_domain_name } : {}),
    ...(p.os_project_domain_name ? { projectDomainName: p.os_project_domain_name } : {}),
  };
  let fields: Fields = { ...(base?.fields ?? {}), ...explicit };
  let source = base ? base.source : 'the os_* parameters';
  if (!fields.username && !fields.applicationCredentialId) {
    const own = fromServiceConfig(configFiles);
    if (!own) return undefined;
    fields = { ...own.fields, ...explicit };
    source = own.source;
  }
  const authUrl = fields.authUrl ?? fallbackAuthUrl;
  if (!authUrl) throw new ConfigurationError(`no Keystone URL for the depth-10 check: set os_auth_url (credentials from ${source})`);
  const appCred =
    fields.authType === 'v3applicationcredential' || (fields.applicationCredentialId !== undefined && fields.username === undefined);
  if (appCred) {
    if (!fields.applicationCredentialId || !fields.applicationCredentialSecret) {
      throw new ConfigurationError(`application credential from ${source} needs both its id and its secret`);
    }
  } else if (!fields.username || fields.password === undefined) {
    throw new ConfigurationError(`credentials from ${source} need both a user name and a password`);
  }
  return {
    credentials: {
      authUrl: versionedAuthUrl(authUrl),
      method: appCred ? 'application_credential' : 'password',
      ...(fields.username ? { username: fields.username } : {}),
      ...(fields.password !== undefined ? { password: fields.password } : {}),
      ...(fields.projectName ? { projectName: fields.projectName } : {}),
      userDomainName: fields.userDomainName ?? 'Default',
      projectDomainName: fields.projectDomainName ?? 'Default',
      ...(fields.userDomainId && !fields.userDomainName ? { userDomainId: fields.userDomainId } : {}),
      ...(fields.projectDomainId && !fields.projectDomainName ? { projectDomainId: fields.projectDomainId } : {}),
      ...(fields.applicationCredentialId ? { applicationCredentialId: fields.applicationCredentialId } : {}),
      ...(fields.applicationCredentialSecret ? { applicationCredentialSecret: fields.applicationCredentialSecret } : {}),
      source,
    },
    tls: base?.tls ?? {},
  };
}
