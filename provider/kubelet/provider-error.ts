// The one line on stderr that the kubelet logs when the provider fails: it
// must let an operator act without reading code — which registry, which
// instance, which identity (never a secret), what Alibaba Cloud said, and what
// to change.
import { redactSecrets } from '../common/redaction.js';

export interface ProviderFailure {
  /** 1: runtime failure (the kubelet pulls without credentials); 2: bad request or configuration. */
  exitCode: 1 | 2;
  /** registry host[:port] from the image, when known. */
  host?: string;
  /** e.g. `cri-xxx (cn-hangzhou)` or `Personal Edition (cn-hangzhou)`. */
  instance?: string;
  /** Role name, role ARN or AccessKey ID; never a secret. */
  identity?: string;
  /** Alibaba Cloud error code, or the provider's own (e.g. `MetadataUnavailable`). */
  code?: string;
  requestId?: string;
  message: string;
  fix?: string;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function formatFailure(failure: ProviderFailure, secrets: readonly string[] = []): string {
  const context = [
    failure.host && `registry ${failure.host}`,
    failure.instance && `instance ${failure.instance}`,
    failure.identity && `identity ${failure.identity}`,
    failure.code && `code ${failure.code}`,
    failure.requestId && `request ID ${failure.requestId}`,
  ]
    .filter(Boolean)
    .join(', ');
  const line = `acr-credential-provider: ${failure.message}${context ? ` [${context}]` : ''}${failure.fix ? ` Fix: ${failure.fix}` : ''}`;
  // Values never to be printed, whatever a server echoed back in its message.
  return redactSecrets(oneLine(line), secrets);
}
