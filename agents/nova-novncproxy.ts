import { integer, select, string } from '../shared/ocf/parameters.ts';
import { openstackService } from '../shared/openstack/service-agent.ts';

/** Each console proxy: its binary, default port and the page monitor GETs. */
const CONSOLES = {
  novnc: { binary: '/usr/bin/nova-novncproxy', port: 6080, page: 'vnc_auto.html' },
  spicehtml5: { binary: '/usr/bin/nova-spicehtml5proxy', port: 6082, page: 'spice_auto.html' },
} as const;

// The seed's nova-vnc; the same agent runs the SPICE HTML5 proxy with console_type=spicehtml5.
export default openstackService({
  name: 'nova-novncproxy',
  shortdesc: 'OpenStack Nova console proxy (noVNC or SPICE HTML5)',
  longdesc:
    'Manages nova-novncproxy, or nova-spicehtml5proxy with console_type=spicehtml5. Monitor checks the process ' +
    "(pid identity) and GETs the proxy's console page on console_port (url overrides both): any answer below 500 " +
    'means it serves; refusal, silence or 5xx is a failure.',
  binary: '',
  config: '/etc/nova/nova.conf',
  user: 'nova',
  check: { kind: 'http', url: '' },
  parameters: {
    console_type: select(['novnc', 'spicehtml5'], {
      shortdesc: 'Console proxy',
      longdesc:
        'Which proxy runs: novnc (nova-novncproxy) or spicehtml5 (nova-spicehtml5proxy); chooses the default binary, port and page.',
      default: 'novnc',
    }),
    console_port: integer({
      shortdesc: 'Proxy port',
      longdesc: "Port the proxy listens on (the old agent's name); 0 means the proxy's default, 6080 for noVNC, 6082 for SPICE.",
      default: 0,
      monitorOnly: true,
      reloadable: true,
    }),
    web: string({
      shortdesc: 'Console web files',
      longdesc: "Passed as --web when set (the old agent declared it but never used it); empty keeps nova's setting.",
      default: '',
    }),
  },
  extraArgs: (v) => (v.web !== '' ? ['--web', v.web] : []),
  derive: (v) => {
    const c = CONSOLES[v.console_type];
    const port = v.console_port > 0 ? v.console_port : c.port;
    return { binary: c.binary, url: `http://127.0.0.1:${port}/${c.page}` };
  },
});
