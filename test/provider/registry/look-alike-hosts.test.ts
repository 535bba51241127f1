// Look-alikes generated from every real host shape rather than listed by
// hand: every dot and dash replaced or removed, prefixes and suffixes,
// upper case, a trailing dot, userinfo and ports. A generated host that still
// classifies as ACR must be one: under aliyuncs.com, and exactly one of the
// hosts of the registry it was classified as. Anything else would hand a
// real ACR token to a name anyone can register.
import { describe, expect, it } from 'vitest';
import { classifyHost, sameRegistryHosts } from '../../../provider/registry/registry-host.js';
import { resolveRegistry } from '../../../provider/registry/resolution.js';
import { ACR_HOSTS } from './acr-host-table.js';

const REPLACEMENTS = ['', '.', '-', '_', 'x', '0', '。'];

function lookAlikes(host: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < host.length; i++) {
    if (host[i] !== '.' && host[i] !== '-') continue;
    for (const r of REPLACEMENTS) out.add(host.slice(0, i) + r + host.slice(i + 1));
  }
  const [name, port] = host.split(':');
  for (const suffix of ['.', '.evil.example', 'evil.example', '.aliyuncs.com', '-evil'])
    out.add(`${name}${suffix}${port ? `:${port}` : ''}`);
  for (const prefix of ['evil.', 'evil-', 'x', '.', '-', 'user@', 'user:pw@']) out.add(`${prefix}${host}`);
  for (const p of ['443', '80', '5000', '65001', '0']) out.add(`${name}:${p}`);
  out.delete(host);
  return [...out];
}

/** Why `candidate` must not be taken for ACR, or undefined when it really is an ACR host. */
function impostor(candidate: string): string | undefined {
  const c = classifyHost(candidate);
  if (c.kind === 'other') return undefined;
  const lower = candidate.toLowerCase();
  const name = lower.replace(/:\d+$/, '');
  if (!name.endsWith('.aliyuncs.com')) return `${candidate} classified as ${c.kind} outside aliyuncs.com`;
  if (!sameRegistryHosts(c).includes(lower)) {
    return `${candidate} classified as ${c.kind} ${JSON.stringify(c)} but is none of that registry's hosts`;
  }
  return undefined;
}

describe('generated look-alikes of every real host shape', () => {
  it.each(ACR_HOSTS.map((h) => [h.host]))('%s', (host) => {
    const candidates = lookAlikes(host);
    expect(candidates.length).toBeGreaterThan(20);
    const wrong = candidates.map(impostor).filter((reason) => reason !== undefined);
    expect(wrong).toEqual([]);
    // Nobody configured them: a look-alike that is not ACR is never served.
    for (const candidate of candidates) {
      const c = classifyHost(candidate);
      if (c.kind === 'other')
        expect(resolveRegistry(c, [], { instanceDomains: new Map(), instanceIds: new Map() })).toEqual({
          kind: 'not-served',
        });
    }
  });

  it.each(ACR_HOSTS.map((h) => [h.host]))('%s in upper case is the same registry', (host) => {
    expect(classifyHost(host.toUpperCase())).toEqual(classifyHost(host));
  });

  it('the look-alike that motivated this table: a dash for the dot before aliyuncs.com', () => {
    expect(classifyHost('registry.cn-hangzhou-aliyuncs.com').kind).toBe('other');
    expect(classifyHost('acme-registry.cn-hangzhou.cr-aliyuncs.com').kind).toBe('other');
    expect(classifyHost('crpi-abc.cn-hangzhou.personal.cr-aliyuncs.com').kind).toBe('other');
  });
});
