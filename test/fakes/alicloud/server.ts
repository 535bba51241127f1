import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { callParams, readCall, type IncomingCall } from './call.js';
import { CR_VERSION, getPersonalToken, handleCr, isCrAction, requestRegion } from './cr.js';
import type { FaultEffect, FaultTable } from './faults.js';
import { handleMetadata, metadataAction } from './metadata.js';
import { handleRegistry } from './registry.js';
import { apiError, errorReply, isApiError, success, textReply, type ApiError, type Reply } from './reply.js';
import { authenticate, parseAcs3Authorization } from './signature.js';
import type { AccessKey, State } from './state.js';
import { assumeRole, assumeRoleWithOidc, STS_VERSION } from './sts.js';

export interface RecordedRequest {
  action: string;
  method: string;
  path: string;
  accessKeyId?: string;
  principal?: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  code?: string;
  region?: string;
  /** Business parameters only: never secrets, tokens, signatures or signing noise. */
  params: Record<string, string>;
}

type Service = 'metadata' | 'registry' | 'cr-personal' | 'sts' | 'cr' | 'unknown';

interface Route {
  service: Service;
  action: string;
}

/** Which of the emulated endpoints a request is for: metadata and registry by path, OpenAPI by action and version. */
export function route(call: IncomingCall): Route {
  if (call.path.startsWith('/latest/')) return { service: 'metadata', action: metadataAction(call) };
  if (call.path === '/v2' || call.path.startsWith('/v2/')) return { service: 'registry', action: 'RegistryV2' };
  if (call.path === '/tokens') return { service: 'cr-personal', action: 'GetPersonalToken' };
  const params = callParams(call);
  const action = call.headers['x-acs-action'] ?? params.Action ?? '';
  const version = call.headers['x-acs-version'] ?? params.Version ?? '';
  if (version === STS_VERSION) return { service: 'sts', action };
  if (version === CR_VERSION) return { service: 'cr', action };
  return { service: 'unknown', action };
}

const PRODUCT: Record<Service, string> = {
  metadata: 'Ecs',
  registry: 'cr',
  'cr-personal': 'cr',
  sts: 'Sts',
  cr: 'cr',
  unknown: 'Unknown',
};

/** Parameters that are credentials, signatures or signing bookkeeping: kept out of the request log. */
const UNRECORDED = new Set([
  'AccessKeyId',
  'AccessKeySecret',
  'SecurityToken',
  'OIDCToken',
  'BearerToken',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'Format',
  'Action',
  'Version',
]);

function recordableParams(params: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([name]) => !UNRECORDED.has(name)));
}

function claimedAccessKeyId(call: IncomingCall): string | undefined {
  const fromHeader = call.headers.authorization
    ? parseAcs3Authorization(call.headers.authorization)?.accessKeyId
    : undefined;
  return fromHeader ?? callParams(call).AccessKeyId;
}

interface Outcome {
  reply: Reply;
  principal?: string;
}

const unknownAction = (action: string) =>
  apiError(
    404,
    'InvalidAction.NotFound',
    `Specified api is not found, please check your url and method. Action: ${action}`,
  );

function asReply(result: Reply | ApiError, call: IncomingCall, service: Service): Reply {
  return isApiError(result) ? errorReply(result, call.host, PRODUCT[service]) : result;
}

type SignedHandler = (caller: AccessKey, params: Record<string, string>) => Reply | ApiError;

/** The handler of an action that needs a signed request, or undefined when the gateway does not know the action. */
function signedHandler(state: State, where: Route): SignedHandler | undefined {
  const { service, action } = where;
  if (service === 'sts' && action === 'AssumeRole') return (caller, params) => assumeRole(state, caller, params);
  if (service === 'cr' && isCrAction(action)) return (caller, params) => handleCr(state, action, caller, params);
  if (service === 'cr-personal') return (caller, params) => getPersonalToken(state, caller, params);
  return undefined;
}

function dispatch(state: State, call: IncomingCall, where: Route): Outcome {
  const params = callParams(call);
  if (where.service === 'metadata') return { reply: handleMetadata(state, call, metadataAction(call)) };
  if (where.service === 'registry') return { reply: handleRegistry(state, call) };
  if (where.service === 'sts' && where.action === 'AssumeRoleWithOIDC')
    return { reply: asReply(assumeRoleWithOidc(state, params), call, 'sts') };
  const handler = signedHandler(state, where);
  if (!handler) return { reply: asReply(unknownAction(where.action), call, where.service) };
  const auth = authenticate(state, call);
  if (!auth.ok) return { reply: asReply(auth.error, call, where.service) };
  return { reply: asReply(handler(auth.key, params), call, where.service), principal: auth.key.principal };
}

function faultReply(
  effect: Exclude<FaultEffect, { kind: 'drop' } | { kind: 'none' }>,
  call: IncomingCall,
  service: Service,
): Reply {
  if (effect.kind === 'is-success-false') {
    return { ...success({ IsSuccess: false, Code: effect.code, Message: effect.message }), code: effect.code };
  }
  if (service === 'metadata' || service === 'registry')
    return textReply(effect.status, effect.message, effect.headers, effect.code);
  return errorReply(
    { ...apiError(effect.status, effect.code, effect.message), headers: effect.headers },
    call.host,
    PRODUCT[service],
  );
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

export interface ServerDeps {
  state: State;
  faults: FaultTable;
  requests: RecordedRequest[];
}

async function serve(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const call = await readCall(req);
  const where = route(call);
  const params = callParams(call);
  const accessKeyId =
    where.service === 'metadata' || where.service === 'registry' ? undefined : claimedAccessKeyId(call);
  const record: RecordedRequest = {
    action: where.action,
    method: call.method,
    path: call.path,
    ...(accessKeyId ? { accessKeyId } : {}),
    status: 0,
    ...(where.service === 'cr' || where.service === 'cr-personal' ? { region: requestRegion(deps.state, params) } : {}),
    params: where.service === 'metadata' || where.service === 'registry' ? {} : recordableParams(params),
  };
  deps.requests.push(record);

  if (where.service === 'metadata' && deps.state.metadata.down) {
    req.socket.destroy();
    return;
  }
  const fault = deps.faults.take(where.action);
  if (fault && fault.latencyMs > 0) await sleep(fault.latencyMs);
  const effect = fault?.effect ?? { kind: 'none' };
  if (effect.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  const outcome: Outcome =
    effect.kind === 'none' ? dispatch(deps.state, call, where) : { reply: faultReply(effect, call, where.service) };
  if (outcome.principal) record.principal = outcome.principal;
  record.status = outcome.reply.status;
  if (outcome.reply.code) record.code = outcome.reply.code;
  send(res, outcome.reply);
}

export async function listen(deps: ServerDeps): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    serve(deps, req, res).catch((error: unknown) => {
      // A bug in the fake must fail the test loudly, not look like a cloud outage.
      console.error('fake alicloud: internal error', error);
      if (!res.headersSent) send(res, { status: 599, headers: {}, body: 'fake alicloud internal error' });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
