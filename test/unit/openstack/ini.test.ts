import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configValue, parseIni, readConfig } from '../../../shared/openstack/ini.ts';
import { parseTransportUrl, targetName } from '../../../shared/openstack/transport-url.ts';
import { useTempDirs } from '../helpers.ts';

describe('oslo.config values', () => {
  const tempDir = useTempDirs();

  it('reads a key of a section, ignoring comments and other sections', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.conf'), '# c\n[DEFAULT]\nhost = node1\n[other]\nhost = no\n');
    expect(configValue([join(dir, 'a.conf')], 'DEFAULT', 'host')).toBe('node1');
    expect(configValue([join(dir, 'a.conf')], 'DEFAULT', 'missing')).toBeUndefined();
  });

  it('across several files the last one that sets a key wins; an unreadable file sets nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.conf'), '[DEFAULT]\nhost = a\ntransport_url = rabbit://x\n');
    writeFileSync(join(dir, 'b.conf'), '[DEFAULT]\nhost = b\n');
    const files = [join(dir, 'a.conf'), join(dir, 'b.conf'), join(dir, 'missing.conf')];
    expect(configValue(files, 'DEFAULT', 'host')).toBe('b');
    expect(configValue(files, 'DEFAULT', 'transport_url')).toBe('rabbit://x');
  });
});

describe('oslo.config files read once', () => {
  const tempDir = useTempDirs();

  it('within a file the first setting of a key counts, and a section may come back', () => {
    const ini = parseIni('[DEFAULT]\nhost = a\nhost = b\n[x]\nk = 1\n[DEFAULT]\nport = 5\n');
    expect(ini.get('DEFAULT')?.get('host')).toBe('a');
    expect(ini.get('DEFAULT')?.get('port')).toBe('5');
  });

  it('one lookup answers every key from files read when it was made', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.conf'), '[DEFAULT]\nhost = a\n');
    const conf = readConfig([join(dir, 'a.conf')]);
    writeFileSync(join(dir, 'a.conf'), '[DEFAULT]\nhost = changed\n');
    expect(conf('DEFAULT', 'host')).toBe('a');
    expect(conf('DEFAULT', 'missing')).toBeUndefined();
  });
});

describe('transport URLs', () => {
  it('lists every host in order, with its decoded password, and the vhost', () => {
    expect(parseTransportUrl('rabbit://nova:p%40ss@h1:5673,nova:p%40ss@h2:5673/%2Fnova')).toEqual([
      { hostname: 'h1', port: 5673, username: 'nova', password: 'p@ss', vhost: '/nova', tls: false },
      { hostname: 'h2', port: 5673, username: 'nova', password: 'p@ss', vhost: '/nova', tls: false },
    ]);
  });

  it('a host written without credentials takes those of the host before it', () => {
    const [a, b, c] = parseTransportUrl('rabbit://u:p@h1,h2:5673,v:q@h3/');
    expect([a!.username, b!.username, c!.username]).toEqual(['u', 'u', 'v']);
    expect([b!.password, b!.port]).toEqual(['p', 5673]);
  });

  it('reads a bracketed IPv6 address and names it without credentials', () => {
    const [t] = parseTransportUrl('rabbit://u:secret@[fd00::1]:5672/');
    expect(t!.hostname).toBe('fd00::1');
    expect(targetName(t!)).toBe('[fd00::1]:5672');
  });

  it('refuses an empty host in the list', () => {
    expect(() => parseTransportUrl('rabbit://u:p@h1,,h2/')).toThrow(/empty host/);
  });

  it('knows TLS by scheme or ssl=1', () => {
    expect(parseTransportUrl('rabbits://u:p@h/')[0]!.tls).toBe(true);
    expect(parseTransportUrl('rabbit://u:p@h:5671/?ssl=1')[0]!.tls).toBe(true);
  });
});
