// One mapping from a command's failure to the plugin's message and exit code.
import { KubeApiError, KubeConfigError } from './kube-client.js';
import type { Runtime } from './runtime.js';
import { EXIT, UsageError, type ExitCode } from '../provider/common/exit-codes.js';

/** What an apiserver refusal means to the operator. */
function apiFailureHint(error: KubeApiError): string {
  switch (error.status) {
    case 401:
      return ' Your credentials were not accepted: check the kubeconfig user.';
    case 403:
      return ' Your user lacks permission for this; ask a cluster admin or use another --context.';
    default:
      return '';
  }
}

/** Reports an unexpected failure and returns its exit code. */
export function reportFailure(error: unknown, runtime: Runtime): ExitCode {
  if (error instanceof UsageError || error instanceof KubeConfigError) {
    runtime.stderr(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof KubeApiError) {
    runtime.stderr(
      `error: ${error.method} ${error.path}: ${error.status} ${error.reason}: ${error.message}.${apiFailureHint(error)}\n`,
    );
    return EXIT.failure;
  }
  runtime.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failure;
}
