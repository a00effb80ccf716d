/**
 * A CIB's configuration reduced to what the cluster does with it, so that two tools' spellings of
 * one configuration compare equal: resources (agent, params, meta, operations by action, interval,
 * timeout, role and depth; group members in order; clones with their meta, `<master>` read as a
 * promotable clone), constraints, properties and resource defaults. Generated ids, attribute order,
 * duration spellings (0 / 0s, 60 / 60s / 1min) and role synonyms (Master / Promoted) are normalised.
 */

interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
}

/** Elements and attributes only: what a CIB holds (no text content, no namespaces). */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: '#root', attrs: {}, children: [] };
  const stack = [root];
  const tag = /<(\/?)([\w:-]+)((?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g;
  const unescape = (s: string) =>
    s.replace(/&(lt|gt|quot|apos|amp|#\d+);/g, (_, e: string) =>
      e === 'lt'
        ? '<'
        : e === 'gt'
          ? '>'
          : e === 'quot'
            ? '"'
            : e === 'apos'
              ? "'"
              : e === 'amp'
                ? '&'
                : String.fromCodePoint(Number(e.slice(1))),
    );
  for (const m of text.matchAll(tag)) {
    const [, close, name, attrText, selfClose] = m;
    if (!name) continue;
    const top = stack[stack.length - 1]!;
    if (close) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? '').matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = unescape(a[2] ?? a[3] ?? '');
    const el: XmlElement = { name, attrs, children: [] };
    top.children.push(el);
    if (!selfClose) stack.push(el);
  }
  return root;
}

function find(el: XmlElement, name: string): XmlElement | undefined {
  if (el.name === name) return el;
  for (const c of el.children) {
    const f = find(c, name);
    if (f) return f;
  }
  return undefined;
}

const ROLE: Record<string, string> = { Master: 'Promoted', Slave: 'Unpromoted' };
const META: Record<string, string> = { 'master-max': 'promoted-max', 'master-node-max': 'promoted-node-max' };

/** A duration in milliseconds (Pacemaker's: bare numbers are seconds). */
export function durationMs(text: string): number {
  const m = /^\s*(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { ms: 1, msec: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000 }[m[2] ?? 's']!;
  return Number(m[1]) * unit;
}

function score(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  if (/^\+?inf(inity)?$/i.test(s)) return 'INFINITY';
  if (/^-inf(inity)?$/i.test(s)) return '-INFINITY';
  return s;
}

function nvpairs(el: XmlElement | undefined, set: string, rename: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of el?.children.filter((c) => c.name === set) ?? [])
    for (const nv of s.children.filter((c) => c.name === 'nvpair')) out[rename[nv.attrs.name!] ?? nv.attrs.name!] = nv.attrs.value ?? '';
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function op(el: XmlElement) {
  const a = el.attrs;
  const params = nvpairs(el, 'instance_attributes');
  return {
    name: a.name,
    interval: durationMs(a.interval ?? '0'),
    ...(a.timeout !== undefined ? { timeout: durationMs(a.timeout) } : {}),
    ...(a.role !== undefined ? { role: ROLE[a.role] ?? a.role } : {}),
    ...(params.OCF_CHECK_LEVEL !== undefined ? { depth: params.OCF_CHECK_LEVEL } : {}),
    ...Object.fromEntries(Object.entries(a).filter(([k]) => !['id', 'name', 'interval', 'timeout', 'role'].includes(k))),
  };
}

function resource(el: XmlElement, parent: string | undefined, out: Record<string, unknown>): void {
  const id = el.attrs.id!;
  const base = { parent };
  if (el.name === 'primitive') {
    const ops = (find(el, 'operations')?.children ?? []).map(op);
    ops.sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
    out[id] = {
      ...base,
      kind: 'primitive',
      agent: [el.attrs.class, el.attrs.provider, el.attrs.type].filter(Boolean).join(':'),
      params: nvpairs(el, 'instance_attributes'),
      meta: nvpairs(el, 'meta_attributes'),
      ops,
    };
    return;
  }
  const members = el.children.filter((c) => ['primitive', 'group', 'clone', 'master'].includes(c.name));
  const meta = nvpairs(el, 'meta_attributes', META);
  if (el.name === 'master') meta.promotable = 'true';
  out[id] = {
    ...base,
    kind: el.name === 'master' ? 'clone' : el.name,
    members: members.map((m) => m.attrs.id),
    meta: Object.fromEntries(Object.entries(meta).sort(([a], [b]) => a.localeCompare(b))),
  };
  for (const m of members) resource(m, id, out);
}

function constraint(el: XmlElement) {
  const a = el.attrs;
  switch (el.name) {
    case 'rsc_colocation':
      return {
        type: 'colocation',
        id: a.id,
        rsc: a.rsc,
        rscRole: ROLE[a['rsc-role'] ?? 'Started'] ?? a['rsc-role'] ?? 'Started',
        withRsc: a['with-rsc'],
        withRole: ROLE[a['with-rsc-role'] ?? 'Started'] ?? a['with-rsc-role'] ?? 'Started',
        score: score(a.score),
      };
    case 'rsc_order':
      return {
        type: 'order',
        id: a.id,
        first: a.first,
        firstAction: a['first-action'] ?? 'start',
        then: a.then,
        thenAction: a['then-action'] ?? 'start',
        kind: a.kind ?? (a.score === undefined ? 'Mandatory' : score(a.score) === '0' ? 'Optional' : 'Mandatory'),
        symmetrical: a.symmetrical ?? 'true',
      };
    case 'rsc_location':
      return {
        type: 'location',
        id: a.id,
        rsc: a.rsc,
        node: a.node,
        score: score(a.score),
        rules: el.children
          .filter((c) => c.name === 'rule')
          .map((r) => ({
            score: score(r.attrs.score),
            role: r.attrs.role,
            booleanOp: r.attrs['boolean-op'] ?? 'and',
            expressions: r.children.map((e) => ({
              attribute: e.attrs.attribute,
              operation: e.attrs.operation,
              value: e.attrs.value,
              type: e.attrs.type,
            })),
          })),
      };
    default:
      return { type: el.name, ...a };
  }
}

/** The cluster a CIB describes, comparable across the tools that wrote it. */
export function cibModel(xml: string) {
  const root = parseXml(xml);
  const config = find(root, 'configuration');
  if (!config) throw new Error('no <configuration> in the CIB');
  const resources: Record<string, unknown> = {};
  for (const r of find(config, 'resources')?.children ?? []) resource(r, undefined, resources);
  const constraints = (find(config, 'constraints')?.children ?? []).map(constraint);
  constraints.sort((x, y) => String(x.id).localeCompare(String(y.id)));
  return {
    resources: Object.fromEntries(Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))),
    constraints,
    properties: nvpairs(find(config, 'crm_config'), 'cluster_property_set'),
    rscDefaults: nvpairs(find(config, 'rsc_defaults'), 'meta_attributes'),
  };
}
