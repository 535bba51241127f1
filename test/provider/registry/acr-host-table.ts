// Real ACR host shapes and their look-alikes, shared by the classification
// and the matchImages tests so both prove the same set.
import type { AcrHost } from '../../../provider/registry/registry-host.js';

const REGIONS = [
  'cn-hangzhou',
  'cn-shanghai-finance-1',
  'cn-shenzhen-finance-1',
  'cn-north-2-gov-1',
  'cn-hongkong',
  'ap-southeast-1',
  'ap-northeast-1',
  'us-west-1',
  'eu-central-1',
  'me-east-1',
  'na-south-1',
];

function classic(region: string, intl: boolean, network: 'public' | 'vpc' | 'internal'): AcrHost {
  const host = `registry${intl ? '-intl' : ''}${network === 'public' ? '' : `-${network}`}.${region}.aliyuncs.com`;
  return { kind: 'personal-classic', host, region, intl, network };
}

export const ACR_HOSTS: AcrHost[] = [
  ...REGIONS.flatMap((region) =>
    [false, true].flatMap((intl) =>
      (['public', 'vpc', 'internal'] as const).map((network) => classic(region, intl, network)),
    ),
  ),
  ...REGIONS.flatMap((region): AcrHost[] => [
    {
      kind: 'personal-crpi',
      host: `crpi-k3x9q2h7v1m4p8z.${region}.personal.cr.aliyuncs.com`,
      region,
      id: 'k3x9q2h7v1m4p8z',
      network: 'public',
    },
    {
      kind: 'personal-crpi',
      host: `crpi-k3x9q2h7v1m4p8z-vpc.${region}.personal.cr.aliyuncs.com`,
      region,
      id: 'k3x9q2h7v1m4p8z',
      network: 'vpc',
    },
    {
      kind: 'enterprise',
      host: `acme-prod-registry.${region}.cr.aliyuncs.com`,
      region,
      instanceName: 'acme-prod',
      network: 'public',
    },
    {
      kind: 'enterprise',
      host: `acme-prod-registry-vpc.${region}.cr.aliyuncs.com`,
      region,
      instanceName: 'acme-prod',
      network: 'vpc',
    },
    {
      kind: 'enterprise',
      host: `acme-prod-registry-vpc.distributed.${region}.cr.aliyuncs.com:65001`,
      region,
      instanceName: 'acme-prod',
      network: 'p2p',
    },
  ]),
  {
    kind: 'enterprise',
    host: 'a-registry.cn-beijing.cr.aliyuncs.com',
    region: 'cn-beijing',
    instanceName: 'a',
    network: 'public',
  },
  {
    kind: 'enterprise',
    host: '2024team-9-registry-vpc.cn-zhangjiakou.cr.aliyuncs.com',
    region: 'cn-zhangjiakou',
    instanceName: '2024team-9',
    network: 'vpc',
  },
  // An instance may itself be called "…-registry": the host is then unambiguous from the right.
  {
    kind: 'enterprise',
    host: 'my-registry-registry.cn-shanghai.cr.aliyuncs.com',
    region: 'cn-shanghai',
    instanceName: 'my-registry',
    network: 'public',
  },
  {
    kind: 'enterprise',
    host: 'my-registry-vpc-registry-vpc.cn-shanghai.cr.aliyuncs.com',
    region: 'cn-shanghai',
    instanceName: 'my-registry-vpc',
    network: 'vpc',
  },
  {
    kind: 'personal-crpi',
    host: 'crpi-vpc-vpc.cn-qingdao.personal.cr.aliyuncs.com',
    region: 'cn-qingdao',
    id: 'vpc',
    network: 'vpc',
  },
];

/** Hosts that look like ACR and must not be treated as ACR, with why. */
export const LOOK_ALIKE_HOSTS: Array<[host: string, why: string]> = [
  ['registry.cn-hangzhou.aliyuncs.com.evil.com', 'ACR host as a subdomain of another domain'],
  ['xregistry.cn-hangzhou.aliyuncs.com', 'prefix glued to the label'],
  ['registryx.cn-hangzhou.aliyuncs.com', 'suffix glued to the label'],
  ['registry-foo.cn-hangzhou.aliyuncs.com', 'unknown network variant'],
  ['registry-vpc-intl.cn-hangzhou.aliyuncs.com', 'variants in the wrong order'],
  ['registry.cn-hangzhou.aliyuncs.com:443', 'explicit port: a different kubelet key'],
  ['registry.cn-hangzhou.aliyuncs.com:5000', 'explicit port'],
  ['registry.aliyuncs.com', 'no region'],
  ['registry.hangzhou.aliyuncs.com', 'not a region id'],
  ['registry.cn-hangzhou.aliyuncs.co', 'other top-level domain'],
  ['cr.cn-hangzhou.aliyuncs.com', 'the OpenAPI endpoint, not a registry'],
  ['cr-vpc.cn-hangzhou.aliyuncs.com', 'the VPC OpenAPI endpoint'],
  ['oss-cn-hangzhou.aliyuncs.com', 'OSS endpoint'],
  ['bucket.oss-cn-hangzhou.aliyuncs.com', 'OSS bucket'],
  ['ecs.aliyuncs.com', 'another product'],
  ['foo-registry.cn-hangzhou.cr.aliyuncs.com.evil.com', 'Enterprise host as a subdomain of another domain'],
  ['-registry.cn-hangzhou.cr.aliyuncs.com', 'empty instance name'],
  ['foo-.cn-hangzhou.cr.aliyuncs.com', 'no -registry suffix'],
  ['foo-registry-.cn-hangzhou.cr.aliyuncs.com', 'dash after -registry'],
  ['foo-registry-internal.cn-hangzhou.cr.aliyuncs.com', 'Enterprise has no -internal variant'],
  ['foo.cn-hangzhou.cr.aliyuncs.com', 'no -registry suffix'],
  ['foo-registry.cr.aliyuncs.com', 'no region'],
  ['foo-registry.evil.cn-hangzhou.cr.aliyuncs.com', 'extra label'],
  ['foo-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com', 'P2P without its port'],
  ['foo-registry-vpc.distributed.cn-hangzhou.cr.aliyuncs.com:443', 'P2P with another port'],
  ['foo-registry.distributed.cn-hangzhou.cr.aliyuncs.com:65001', 'P2P is only reached over VPC'],
  ['foo-registry-vpc.cn-hangzhou.cr.aliyuncs.com:65001', 'P2P port on a non-P2P host'],
  ['crpi-.cn-hangzhou.personal.cr.aliyuncs.com', 'empty crpi id'],
  ['crpi-abc.personal.cr.aliyuncs.com', 'crpi without region'],
  ['crpi-abc.cn-hangzhou.cr.aliyuncs.com', 'crpi without personal'],
  ['xcrpi-abc.cn-hangzhou.personal.cr.aliyuncs.com', 'prefix glued to crpi'],
  ['crpi-abc.cn-hangzhou.personal.cr.aliyuncs.com.evil.com', 'crpi host as a subdomain of another domain'],
  ['evil.com', 'plain other registry'],
  ['docker.io', 'Docker Hub'],
  ['localhost:5000', 'local registry'],
];
