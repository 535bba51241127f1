/** Alibaba Cloud credentials to sign API calls with. */
export interface CloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for STS credentials (RAM role, AssumeRole, RRSA). */
  securityToken: string | undefined;
  /** Epoch ms; `undefined` for a long-lived AccessKey. */
  expiresAt: number | undefined;
  /**
   * Who these credentials are, for messages: `role/<RoleName>` (node RAM
   * role), `accessKey <AccessKeyId>`, `assumed-role <RoleArn>`,
   * `rrsa <RoleArn>`. Never a secret.
   */
  identity: string;
}

/** The values of these credentials that must never appear in a message. */
export function secretsOf(credentials: CloudCredentials | undefined): string[] {
  if (!credentials) return [];
  return [credentials.accessKeySecret, credentials.securityToken].filter(
    (value): value is string => value !== undefined && value !== '',
  );
}
