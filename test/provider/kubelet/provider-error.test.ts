import { describe, expect, it } from 'vitest';
import { formatFailure } from '../../../provider/kubelet/provider-error.js';

describe('formatFailure', () => {
  it('one line with registry, instance, identity, code, request ID and fix', () => {
    const line = formatFailure({
      exitCode: 1,
      host: 'acme-registry.cn-hangzhou.cr.aliyuncs.com',
      instance: 'cri-acme (cn-hangzhou)',
      identity: 'role/KubernetesWorkerRole',
      code: 'NoPrivilege',
      requestId: 'REQ-1',
      message: 'GetAuthorizationToken failed:\n  not authorized',
      fix: 'grant cr:GetAuthorizationToken',
    });
    expect(line).toBe(
      'acr-credential-provider: GetAuthorizationToken failed: not authorized [registry acme-registry.cn-hangzhou.cr.aliyuncs.com, instance cri-acme (cn-hangzhou), identity role/KubernetesWorkerRole, code NoPrivilege, request ID REQ-1] Fix: grant cr:GetAuthorizationToken',
    );
  });

  it('leaves out what is unknown and strips secrets a server echoed', () => {
    const line = formatFailure({ exitCode: 1, message: 'the server said token=SECRET-VALUE-1 was bad' }, [
      'SECRET-VALUE-1',
      'abc',
    ]);
    expect(line).toBe('acr-credential-provider: the server said token=<redacted> was bad');
  });
});
