// The one line on stderr that the kubelet logs when the provider fails: it
// must let an operator act without reading code — which registry, which
// instance, which identity (never a secret), what Alibaba Cloud said, and what
// to change.
import { redactSecrets } from '../common/redaction.js';
import type { Failure } from '../common/failure.js';

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function formatFailure(failure: Failure, secrets: readonly string[] = []): string {
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
