import { describe, expect, it } from 'vitest';
import { EndpointOverrideError, endpointsFromEnvironment, parseBaseUrl } from '../../../provider/cloud/endpoints.js';

describe('endpointsFromEnvironment', () => {
  it.each([
    { vpc: false, cr: 'cr.cn-hangzhou.aliyuncs.com', sts: 'sts.cn-hangzhou.aliyuncs.com' },
    { vpc: true, cr: 'cr-vpc.cn-hangzhou.aliyuncs.com', sts: 'sts-vpc.cn-hangzhou.aliyuncs.com' },
  ])('defaults to the regional Alibaba Cloud endpoints (vpc: $vpc)', ({ vpc, cr, sts }) => {
    const endpoints = endpointsFromEnvironment({}, { vpc });
    expect(endpoints.metadataBaseUrl).toBe('http://100.100.100.200');
    expect(endpoints.cr('cn-hangzhou')).toEqual({ endpoint: cr, protocol: 'https' });
    expect(endpoints.sts('cn-hangzhou')).toEqual({ endpoint: sts, protocol: 'https' });
  });

  it('uses each override for every region', () => {
    const endpoints = endpointsFromEnvironment(
      {
        ACR_PROVIDER_METADATA_ENDPOINT: 'http://127.0.0.1:8080/',
        ACR_PROVIDER_CR_ENDPOINT: 'http://127.0.0.1:8081',
        ACR_PROVIDER_STS_ENDPOINT: 'https://sts.example:8443',
      },
      { vpc: true },
    );
    expect(endpoints.metadataBaseUrl).toBe('http://127.0.0.1:8080');
    for (const region of ['cn-hangzhou', 'ap-southeast-1']) {
      expect(endpoints.cr(region)).toEqual({ endpoint: '127.0.0.1:8081', protocol: 'http' });
      expect(endpoints.sts(region)).toEqual({ endpoint: 'sts.example:8443', protocol: 'https' });
    }
  });

  it('ignores empty overrides', () => {
    const endpoints = endpointsFromEnvironment(
      { ACR_PROVIDER_CR_ENDPOINT: ' ', ACR_PROVIDER_METADATA_ENDPOINT: '' },
      { vpc: false },
    );
    expect(endpoints.cr('cn-beijing').endpoint).toBe('cr.cn-beijing.aliyuncs.com');
    expect(endpoints.metadataBaseUrl).toBe('http://100.100.100.200');
  });
});

describe('parseBaseUrl', () => {
  it.each([
    ['http://127.0.0.1:8080', { endpoint: '127.0.0.1:8080', protocol: 'http' }],
    ['https://cr.internal', { endpoint: 'cr.internal', protocol: 'https' }],
    [' http://[::1]:9000/ ', { endpoint: '[::1]:9000', protocol: 'http' }],
  ])('accepts %j', (value, expected) => {
    expect(parseBaseUrl('ACR_PROVIDER_CR_ENDPOINT', value)).toEqual(expected);
  });

  it.each(['127.0.0.1:8080', 'ftp://host', 'http://host/path', 'http://user:pw@host', 'http://host?x=1', 'not a url'])(
    'refuses %j naming the variable',
    (value) => {
      expect(() => parseBaseUrl('ACR_PROVIDER_CR_ENDPOINT', value)).toThrow(EndpointOverrideError);
      expect(() => parseBaseUrl('ACR_PROVIDER_CR_ENDPOINT', value)).toThrow(/ACR_PROVIDER_CR_ENDPOINT/);
    },
  );

  it('refuses a bad override when the endpoints are built, not at the first call', () => {
    expect(() => endpointsFromEnvironment({ ACR_PROVIDER_STS_ENDPOINT: 'sts.local' }, { vpc: false })).toThrow(
      /ACR_PROVIDER_STS_ENDPOINT/,
    );
  });
});
