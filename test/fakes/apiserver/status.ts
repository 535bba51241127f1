import type { ResourceType } from './resources.js';
import type { FieldError } from './validation.js';

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Forbidden'
  | 'Unauthorized'
  | 'BadRequest'
  | 'Invalid'
  | 'Expired'
  | 'MethodNotAllowed'
  | 'UnsupportedMediaType'
  | 'InternalError';

/** A failure as the real apiserver reports it: the HTTP code and the `Status` body together. */
export interface ApiError {
  code: number;
  reason: StatusReason;
  message: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason: string; message: string; field: string }[];
  };
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: StatusReason;
  code: number;
  details?: ApiError['details'] & { uid?: string };
}

export function statusBody(error: ApiError): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: error.message,
    reason: error.reason,
    code: error.code,
    ...(error.details ? { details: error.details } : {}),
  };
}

export function successStatus(type: ResourceType, name: string, uid: string): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    code: 200,
    details: { name, ...groupOf(type), kind: type.plural, uid },
  };
}

function groupOf(type: ResourceType): { group?: string } {
  return type.group === '' ? {} : { group: type.group };
}

/** `configmaps` or `deployments.apps`, the way the apiserver names a group-resource in messages. */
function qualified(type: ResourceType): string {
  return type.group === '' ? type.plural : `${type.plural}.${type.group}`;
}

export function notFound(type: ResourceType, name: string): ApiError {
  return {
    code: 404,
    reason: 'NotFound',
    message: `${qualified(type)} "${name}" not found`,
    details: { name, ...groupOf(type), kind: type.plural },
  };
}

export function namespaceNotFound(namespace: string): ApiError {
  return {
    code: 404,
    reason: 'NotFound',
    message: `namespaces "${namespace}" not found`,
    details: { name: namespace, kind: 'namespaces' },
  };
}

export function alreadyExists(type: ResourceType, name: string): ApiError {
  return {
    code: 409,
    reason: 'AlreadyExists',
    message: `${qualified(type)} "${name}" already exists`,
    details: { name, ...groupOf(type), kind: type.plural },
  };
}

export function conflict(type: ResourceType, name: string): ApiError {
  return {
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualified(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    details: { name, ...groupOf(type), kind: type.plural },
  };
}

export function preconditionFailed(type: ResourceType, name: string, wanted: string, actual: string): ApiError {
  return {
    code: 409,
    reason: 'Conflict',
    message: `Operation cannot be fulfilled on ${qualified(type)} "${name}": Precondition failed: ResourceVersion in precondition: ${wanted}, ResourceVersion in object meta: ${actual}`,
    details: { name, ...groupOf(type), kind: type.plural },
  };
}

export function badRequest(message: string): ApiError {
  return { code: 400, reason: 'BadRequest', message };
}

/** 422 with one cause per field, worded as the real validation words them. */
export function invalid(type: ResourceType, name: string, errors: FieldError[]): ApiError {
  const causes = errors.map((e) => `${e.field}: ${e.detail}`);
  const summary = causes.length === 1 ? causes[0]! : `[${causes.join(', ')}]`;
  return {
    code: 422,
    reason: 'Invalid',
    message: `${type.kind} "${name}" is invalid: ${summary}`,
    details: {
      name,
      ...groupOf(type),
      kind: type.kind,
      causes: errors.map((e) => ({ reason: 'FieldValueInvalid', message: e.detail, field: e.field })),
    },
  };
}

export function expired(requested: number, oldest: number): ApiError {
  return { code: 410, reason: 'Expired', message: `too old resource version: ${requested} (${oldest})` };
}

export function forbidden(
  type: ResourceType,
  verb: string,
  user: string,
  namespace: string | undefined,
  name: string | undefined,
): ApiError {
  const subject = name === undefined ? qualified(type) : `${qualified(type)} "${name}"`;
  const scope = namespace === undefined ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  return {
    code: 403,
    reason: 'Forbidden',
    message: `${subject} is forbidden: User "${user}" cannot ${verb} resource "${type.plural}" in API group "${type.group}" ${scope}`,
    details: { ...(name === undefined ? {} : { name }), ...groupOf(type), kind: type.plural },
  };
}

export function unauthorized(): ApiError {
  return { code: 401, reason: 'Unauthorized', message: 'Unauthorized' };
}
