// Whatever a resolution threw, as the failure an operator reads: a cloud
// failure keeps its code, request ID and fix; a bad endpoint override is
// configuration (exit 2); anything else is named as unexpected.
import { CloudError } from '../cloud/cloud-error.js';
import { EndpointOverrideError } from '../cloud/endpoints.js';
import type { Failure } from '../common/failure.js';

/** The failure as an operator reads it, from whatever was thrown. */
export function failureFrom(error: unknown, context: Pick<Failure, 'host' | 'instance' | 'identity'>): Failure {
  if (error instanceof CloudError) {
    const f = error.failure;
    return { exitCode: 1, ...context, code: f.code, requestId: f.requestId, message: f.message, fix: f.fix };
  }
  if (error instanceof EndpointOverrideError) return { exitCode: 2, host: context.host, message: error.message };
  return {
    exitCode: 1,
    ...context,
    code: 'InternalError',
    message: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
  };
}
