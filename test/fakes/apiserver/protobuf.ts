/**
 * Decoding of the Kubernetes protobuf request bodies that kubectl's typed
 * clients send (`kubectl create configmap|secret|namespace|serviceaccount`,
 * `kubectl auth can-i`):
 * client-go 1.32 does not fall back to JSON when a server refuses protobuf.
 * Only the kinds and fields those commands write are known; anything else is
 * reported rather than dropped.
 */

type FieldKind = 'string' | 'bytes' | 'bool' | 'int' | 'time' | 'message' | 'map-string' | 'map-bytes';
interface Field {
  name: string;
  kind: FieldKind;
  repeated?: boolean;
  message?: Schema;
}
type Schema = Record<number, Field>;

const objectMeta: Schema = {
  1: { name: 'name', kind: 'string' },
  2: { name: 'generateName', kind: 'string' },
  3: { name: 'namespace', kind: 'string' },
  4: { name: 'selfLink', kind: 'string' },
  5: { name: 'uid', kind: 'string' },
  6: { name: 'resourceVersion', kind: 'string' },
  7: { name: 'generation', kind: 'int' },
  8: { name: 'creationTimestamp', kind: 'time' },
  9: { name: 'deletionTimestamp', kind: 'time' },
  10: { name: 'deletionGracePeriodSeconds', kind: 'int' },
  11: { name: 'labels', kind: 'map-string' },
  12: { name: 'annotations', kind: 'map-string' },
  14: { name: 'finalizers', kind: 'string', repeated: true },
};
const metadata: Field = { name: 'metadata', kind: 'message', message: objectMeta };

const objectReference: Schema = {
  1: { name: 'kind', kind: 'string' },
  2: { name: 'namespace', kind: 'string' },
  3: { name: 'name', kind: 'string' },
  4: { name: 'uid', kind: 'string' },
  5: { name: 'apiVersion', kind: 'string' },
  6: { name: 'resourceVersion', kind: 'string' },
  7: { name: 'fieldPath', kind: 'string' },
};

const schemas: Record<string, Schema> = {
  ConfigMap: {
    1: metadata,
    2: { name: 'data', kind: 'map-string' },
    3: { name: 'binaryData', kind: 'map-bytes' },
    4: { name: 'immutable', kind: 'bool' },
  },
  Secret: {
    1: metadata,
    2: { name: 'data', kind: 'map-bytes' },
    3: { name: 'type', kind: 'string' },
    4: { name: 'stringData', kind: 'map-string' },
    5: { name: 'immutable', kind: 'bool' },
  },
  Namespace: {
    1: metadata,
    2: { name: 'spec', kind: 'message', message: { 1: { name: 'finalizers', kind: 'string', repeated: true } } },
    3: { name: 'status', kind: 'message', message: { 1: { name: 'phase', kind: 'string' } } },
  },
  ServiceAccount: {
    1: metadata,
    2: { name: 'secrets', kind: 'message', repeated: true, message: objectReference },
    3: { name: 'imagePullSecrets', kind: 'message', repeated: true, message: { 1: { name: 'name', kind: 'string' } } },
    4: { name: 'automountServiceAccountToken', kind: 'bool' },
  },
  TokenRequest: {
    1: metadata,
    2: {
      name: 'spec',
      kind: 'message',
      message: {
        1: { name: 'audiences', kind: 'string', repeated: true },
        3: { name: 'boundObjectRef', kind: 'message', message: objectReference },
        4: { name: 'expirationSeconds', kind: 'int' },
      },
    },
    3: {
      name: 'status',
      kind: 'message',
      message: { 1: { name: 'token', kind: 'string' }, 2: { name: 'expirationTimestamp', kind: 'time' } },
    },
  },
  SelfSubjectAccessReview: {
    1: metadata,
    2: {
      name: 'spec',
      kind: 'message',
      message: {
        1: {
          name: 'resourceAttributes',
          kind: 'message',
          message: {
            1: { name: 'namespace', kind: 'string' },
            2: { name: 'verb', kind: 'string' },
            3: { name: 'group', kind: 'string' },
            4: { name: 'version', kind: 'string' },
            5: { name: 'resource', kind: 'string' },
            6: { name: 'subresource', kind: 'string' },
            7: { name: 'name', kind: 'string' },
          },
        },
        2: {
          name: 'nonResourceAttributes',
          kind: 'message',
          message: { 1: { name: 'path', kind: 'string' }, 2: { name: 'verb', kind: 'string' } },
        },
      },
    },
    // kubectl sends an empty status; it is the server's to fill.
    3: {
      name: 'status',
      kind: 'message',
      message: {
        1: { name: 'allowed', kind: 'bool' },
        2: { name: 'reason', kind: 'string' },
        3: { name: 'evaluationError', kind: 'string' },
        4: { name: 'denied', kind: 'bool' },
      },
    },
  },
};

const protobufKinds = Object.keys(schemas);

const magic = Buffer.from('k8s\0', 'latin1');
const unknownEnvelope: Schema = {
  1: {
    name: 'typeMeta',
    kind: 'message',
    message: { 1: { name: 'apiVersion', kind: 'string' }, 2: { name: 'kind', kind: 'string' } },
  },
  2: { name: 'raw', kind: 'bytes' },
  3: { name: 'contentEncoding', kind: 'string' },
  4: { name: 'contentType', kind: 'string' },
};

class Reader {
  offset = 0;
  constructor(readonly bytes: Buffer) {}
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.done) throw new Error('truncated varint');
      const byte = this.bytes[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  }
  slice(length: number): Buffer {
    if (this.offset + length > this.bytes.length) throw new Error('truncated field');
    const part = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return part;
  }
}

type Value = string | number | boolean | Record<string, unknown>;

function decodeMessage(bytes: Buffer, schema: Schema, path: string): Record<string, unknown> {
  const reader = new Reader(bytes);
  const out: Record<string, unknown> = {};
  while (!reader.done) {
    const tag = Number(reader.varint());
    const number = tag >>> 3;
    const wireType = tag & 7;
    const field = schema[number];
    if (!field) throw new Error(`field ${number} of ${path} is not known to the fake apiserver`);
    const value: Value | undefined =
      wireType === 0
        ? scalar(field, reader.varint())
        : wireType === 2
          ? lengthDelimited(field, reader.slice(Number(reader.varint())), `${path}.${field.name}`)
          : undefined;
    if (value === undefined && wireType !== 0 && wireType !== 2)
      throw new Error(`${path}.${field.name}: unexpected wire type ${wireType}`);
    if (field.kind === 'map-string' || field.kind === 'map-bytes') {
      out[field.name] = { ...(out[field.name] as object | undefined), ...(value as Record<string, unknown>) };
    } else if (field.repeated) {
      out[field.name] = [...((out[field.name] as unknown[] | undefined) ?? []), value];
    } else if (value !== undefined) {
      out[field.name] = value;
    }
  }
  return omitEmpty(out);
}

function scalar(field: Field, raw: bigint): Value {
  if (field.kind === 'bool') return raw !== 0n;
  if (field.kind === 'int') return Number(BigInt.asIntN(64, raw));
  throw new Error(`${field.name}: a varint where ${field.kind} was expected`);
}

function lengthDelimited(field: Field, bytes: Buffer, path: string): Value | undefined {
  switch (field.kind) {
    case 'string':
      return bytes.toString('utf8');
    case 'bytes':
      return bytes.toString('base64');
    case 'message':
      return decodeMessage(bytes, field.message!, path);
    case 'time': {
      const seconds = decodeMessage(
        bytes,
        { 1: { name: 'seconds', kind: 'int' }, 2: { name: 'nanos', kind: 'int' } },
        path,
      ).seconds;
      return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : undefined;
    }
    case 'map-string':
    case 'map-bytes': {
      const entry = decodeMessage(
        bytes,
        {
          1: { name: 'key', kind: 'string' },
          2: { name: 'value', kind: field.kind === 'map-string' ? 'string' : 'bytes' },
        },
        path,
      );
      return { [typeof entry.key === 'string' ? entry.key : '']: entry.value ?? '' };
    }
    default:
      throw new Error(`${path}: a length-delimited value where ${field.kind} was expected`);
  }
}

/**
 * Go's omitempty: the protobuf form carries empty strings and zero numbers
 * where JSON has nothing. The bools known here are pointers (`immutable`,
 * `automountServiceAccountToken`), sent only when set, so false stays.
 */
function omitEmpty(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== '' && v !== 0));
}

export type DecodeResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** The JSON form of a `k8s\0`-prefixed protobuf body of kind `kind`. */
export function decodeProtobufObject(body: Buffer, kind: string): DecodeResult {
  const schema = schemas[kind];
  if (!schema)
    return {
      ok: false,
      message: `the fake apiserver decodes protobuf only for ${protobufKinds.join(', ')}, not ${kind}; send JSON (kubectl create -f)`,
    };
  if (!body.subarray(0, 4).equals(magic)) return { ok: false, message: 'protobuf body without the k8s envelope' };
  try {
    const envelope = decodeMessage(body.subarray(4), unknownEnvelope, 'Unknown');
    const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
    if (typeMeta.kind !== undefined && typeMeta.kind !== kind)
      return { ok: false, message: `the body is a ${typeMeta.kind}, not a ${kind}` };
    const object = decodeMessage(
      Buffer.from(typeof envelope.raw === 'string' ? envelope.raw : '', 'base64'),
      schema,
      kind,
    );
    return { ok: true, value: { ...typeMeta, ...object } };
  } catch (error) {
    return { ok: false, message: `cannot decode the protobuf body: ${(error as Error).message}` };
  }
}
