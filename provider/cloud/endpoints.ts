// Where the Alibaba Cloud APIs live. Everything the provider calls goes
// through one of these, so a test (or an unusual network) can point every
// call at another place with the ACR_PROVIDER_*_ENDPOINT variables.

/** An OpenAPI endpoint as @alicloud/openapi-core takes it: `host[:port]`, scheme apart. */
export interface ApiEndpoint {
  endpoint: string;
  protocol: 'http' | 'https';
}

export interface CloudEndpoints {
  /** ECS instance metadata, e.g. `http://100.100.100.200` (no trailing slash). */
  metadataBaseUrl: string;
  cr(region: string): ApiEndpoint;
  sts(region: string): ApiEndpoint;
}

export const endpointVariables = {
  metadata: 'ACR_PROVIDER_METADATA_ENDPOINT',
  cr: 'ACR_PROVIDER_CR_ENDPOINT',
  sts: 'ACR_PROVIDER_STS_ENDPOINT',
} as const;

const defaultMetadataBaseUrl = 'http://100.100.100.200';

export class EndpointOverrideError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
  ) {
    super(
      `${variable}=${JSON.stringify(value)} is not a base URL; use a value such as http://127.0.0.1:8080 (http or https, host and optional port, no path).`,
    );
    this.name = 'EndpointOverrideError';
  }
}

/** Parses an override such as `http://127.0.0.1:8080`; a path, query or credentials in it are refused rather than silently dropped. */
export function parseBaseUrl(variable: string, value: string): ApiEndpoint {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new EndpointOverrideError(variable, value);
  }
  const protocol = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : undefined;
  if (
    protocol === undefined ||
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash
  ) {
    throw new EndpointOverrideError(variable, value);
  }
  return { endpoint: url.host, protocol };
}

function regional(
  variable: string,
  env: Record<string, string | undefined>,
  host: (region: string) => string,
): (region: string) => ApiEndpoint {
  const override = env[variable];
  if (override !== undefined && override.trim() !== '') {
    const fixed = parseBaseUrl(variable, override);
    return () => fixed;
  }
  return (region) => ({ endpoint: host(region), protocol: 'https' });
}

/**
 * The endpoints for this process. `vpc` selects the VPC endpoints
 * (`cr-vpc`, `sts-vpc`), reachable from nodes without Internet access.
 * Overrides are validated here, once, so a typo fails at start-up with the
 * variable's name rather than as a connection error later.
 */
export function endpointsFromEnvironment(
  env: Record<string, string | undefined>,
  options: { vpc: boolean },
): CloudEndpoints {
  const metadataOverride = env[endpointVariables.metadata];
  const metadata =
    metadataOverride !== undefined && metadataOverride.trim() !== ''
      ? parseBaseUrl(endpointVariables.metadata, metadataOverride)
      : undefined;
  const suffix = options.vpc ? '-vpc' : '';
  return {
    metadataBaseUrl: metadata ? `${metadata.protocol}://${metadata.endpoint}` : defaultMetadataBaseUrl,
    cr: regional(endpointVariables.cr, env, (region) => `cr${suffix}.${region}.aliyuncs.com`),
    sts: regional(endpointVariables.sts, env, (region) => `sts${suffix}.${region}.aliyuncs.com`),
  };
}
