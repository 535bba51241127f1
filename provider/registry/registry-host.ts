// Which ACR registry a host belongs to, from the shape of the host alone.
// Anything that is not exactly one of the published shapes is 'other': it may
// still be a configured custom domain, but the shape gives it no ACR identity.
//
// An explicit port makes a host 'other' (except P2P's :65001): ACR serves its
// registries on 443 without a port, and to the kubelet `host:443` is a
// different key from `host`, so treating it as ACR would hand out credentials
// for a name no matchImages pattern covers.
import { REGION_ID_PATTERN } from '../common/region-id.js';

export type ClassicNetwork = 'public' | 'vpc' | 'internal';

export type AcrHost =
  /** Personal Edition (classic): registry[-intl][-vpc|-internal].<region>.aliyuncs.com */
  | { kind: 'personal-classic'; host: string; region: string; intl: boolean; network: ClassicNetwork }
  /** Personal Edition created after 2024-09: crpi-<id>[-vpc].<region>.personal.cr.aliyuncs.com */
  | { kind: 'personal-crpi'; host: string; region: string; id: string; network: 'public' | 'vpc' }
  /** Enterprise Edition: <name>-registry[-vpc].<region>.cr.aliyuncs.com, P2P <name>-registry-vpc.distributed.<region>.cr.aliyuncs.com:65001 */
  | { kind: 'enterprise'; host: string; region: string; instanceName: string; network: 'public' | 'vpc' | 'p2p' }
  | { kind: 'other'; host: string };

export type AcrRegistryHost = Exclude<AcrHost, { kind: 'other' }>;

/** The port the P2P acceleration agent listens on for Enterprise Edition. */
export const P2P_PORT = 65001;

const REGION = `(${REGION_ID_PATTERN})`;
// Instance names: lower-case letters, digits and inner dashes.
const NAME = '([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)';

const CLASSIC = new RegExp(`^registry(-intl)?(?:-(vpc|internal))?\\.${REGION}\\.aliyuncs\\.com$`);
const CRPI = new RegExp(`^crpi-([a-z0-9]+)(-vpc)?\\.${REGION}\\.personal\\.cr\\.aliyuncs\\.com$`);
const ENTERPRISE = new RegExp(`^${NAME}-registry(-vpc)?\\.${REGION}\\.cr\\.aliyuncs\\.com$`);
const ENTERPRISE_P2P = new RegExp(`^${NAME}-registry-vpc\\.distributed\\.${REGION}\\.cr\\.aliyuncs\\.com:${P2P_PORT}$`);

export function classifyHost(input: string): AcrHost {
  const host = input.toLowerCase();
  let m = CLASSIC.exec(host);
  if (m) {
    return {
      kind: 'personal-classic',
      host,
      region: m[3]!,
      intl: m[1] !== undefined,
      network: (m[2] as ClassicNetwork | undefined) ?? 'public',
    };
  }
  m = CRPI.exec(host);
  if (m) return { kind: 'personal-crpi', host, region: m[3]!, id: m[1]!, network: m[2] ? 'vpc' : 'public' };
  m = ENTERPRISE.exec(host);
  if (m) return { kind: 'enterprise', host, region: m[3]!, instanceName: m[1]!, network: m[2] ? 'vpc' : 'public' };
  m = ENTERPRISE_P2P.exec(host);
  if (m) return { kind: 'enterprise', host, region: m[2]!, instanceName: m[1]!, network: 'p2p' };
  return { kind: 'other', host };
}

/** Every host shape of the same registry, so one response's auth keys cover whichever endpoint a node pulls from. */
/** Every classic Personal Edition host of a region: public, VPC and internal, domestic and international. */
export function classicRegionHosts(region: string): string[] {
  return ['registry', 'registry-intl'].flatMap((prefix) =>
    ['', '-vpc', '-internal'].map((network) => `${prefix}${network}.${region}.aliyuncs.com`),
  );
}

export function sameRegistryHosts(h: AcrRegistryHost): string[] {
  switch (h.kind) {
    case 'personal-classic':
      return classicRegionHosts(h.region);
    case 'personal-crpi':
      return ['', '-vpc'].map((network) => `crpi-${h.id}${network}.${h.region}.personal.cr.aliyuncs.com`);
    case 'enterprise':
      return [
        `${h.instanceName}-registry.${h.region}.cr.aliyuncs.com`,
        `${h.instanceName}-registry-vpc.${h.region}.cr.aliyuncs.com`,
        `${h.instanceName}-registry-vpc.distributed.${h.region}.cr.aliyuncs.com:${P2P_PORT}`,
      ];
  }
}
