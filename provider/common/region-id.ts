// Alibaba Cloud region IDs, one pattern for flags, configuration, host
// classification and the metadata service's answer: `cn-hangzhou`,
// `cn-shanghai-finance-1`, `ap-southeast-1`, `cn-north-2-gov-1`, `cn-heyuan-acdr-1`.

/** The pattern as source, without anchors, for embedding in host patterns. */
export const REGION_ID_PATTERN = '[a-z]{2,}(?:-[a-z0-9]+)+';

const REGION_ID = new RegExp(`^${REGION_ID_PATTERN}$`);

export function isRegionId(text: string): boolean {
  return REGION_ID.test(text);
}
