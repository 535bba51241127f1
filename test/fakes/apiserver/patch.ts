/** The three patch formats the apiserver accepts, applied to plain JSON values. */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * `apply` is server-side apply, approximated: the applied configuration is
 * merged like a strategic merge patch and creates the object when missing.
 * There is no field ownership, so no apply conflicts, and fields left out of a
 * later apply are kept rather than removed.
 */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export type PatchResult = { ok: true; value: JsonObject } | { ok: false; message: string };

export const patchContentTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const clone = <T>(value: T): T => structuredClone(value);

export function applyPatch(type: PatchType, target: object, patch: unknown): PatchResult {
  try {
    switch (type) {
      case 'json':
        if (!Array.isArray(patch)) return { ok: false, message: 'json patch must be an array of operations' };
        return asObject(applyJsonPatch(clone(target) as JsonObject, patch as JsonPatchOperation[]));
      case 'merge':
        if (!isObject(patch)) return { ok: false, message: 'merge patch must be a JSON object' };
        return asObject(mergePatch(clone(target) as JsonObject, patch));
      case 'strategic':
      case 'apply':
        if (!isObject(patch))
          return {
            ok: false,
            message: `${type === 'apply' ? 'an applied configuration' : 'strategic merge patch'} must be an object`,
          };
        return asObject(strategicMerge(clone(target) as JsonObject, patch));
    }
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

function asObject(value: Json): PatchResult {
  return isObject(value) ? { ok: true, value } : { ok: false, message: 'the patch did not produce an object' };
}

// RFC 7386
function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

// RFC 6902
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, path: string): { parent: JsonObject | Json[]; key: string } {
  const segments = pointer(path);
  const key = segments.pop();
  if (key === undefined) throw new Error(`cannot operate on the document root ("${path}")`);
  let current: Json = doc;
  for (const segment of segments) {
    const next: Json | undefined = Array.isArray(current)
      ? current[Number(segment)]
      : isObject(current)
        ? current[segment]
        : undefined;
    if (next === undefined) throw new Error(`doc is missing path: "${path}": missing value`);
    current = next;
  }
  if (!Array.isArray(current) && !isObject(current)) throw new Error(`doc is missing path: "${path}"`);
  return { parent: current, key };
}

function read(doc: Json, path: string): Json {
  let current: Json | undefined = doc;
  for (const segment of pointer(path)) {
    current = Array.isArray(current) ? current[Number(segment)] : isObject(current) ? current[segment] : undefined;
    if (current === undefined) throw new Error(`doc is missing path: "${path}": missing value`);
  }
  return current;
}

function arrayIndex(array: Json[], key: string, forInsert: boolean): number {
  if (forInsert && key === '-') return array.length;
  const index = Number(key);
  const limit = forInsert ? array.length : array.length - 1;
  if (!/^\d+$/.test(key) || index > limit) throw new Error(`Unable to access invalid index: ${key}`);
  return index;
}

function add(doc: Json, path: string, value: Json): Json {
  if (path === '') return value;
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: Json, path: string): Json {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else {
    if (!(key in parent)) throw new Error(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

function applyJsonPatch(doc: Json, operations: JsonPatchOperation[]): Json {
  for (const op of operations) {
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, clone(op.value ?? null));
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace':
        read(doc, op.path);
        doc = add(remove(doc, op.path), op.path, clone(op.value ?? null));
        break;
      case 'move': {
        const value = read(doc, op.from ?? '');
        doc = add(remove(doc, op.from ?? ''), op.path, value);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, clone(read(doc, op.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(read(doc, op.path)) !== JSON.stringify(op.value ?? null))
          throw new Error(`testing value ${op.path} failed: test failed`);
        break;
      default:
        throw new Error(`Unexpected kind: ${(op as { op: string }).op}`);
    }
  }
  return doc;
}

/**
 * Strategic merge keys of the Kubernetes types, by field name. The real server
 * reads them from the Go structs; the fields this project touches all use the
 * same strategy wherever they appear, so a name-keyed table is faithful here.
 * Lists not in the table (tolerations, args, command, envFrom) are replaced.
 * `$setElementOrder` is ignored: merged items keep their place, new ones are appended.
 */
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  secrets: 'name', // ServiceAccount.secrets
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
  webhooks: 'name',
};
/** Lists of scalars with `patchStrategy:"merge"`: the patch's items are added to the set. */
const mergedScalarLists = new Set(['finalizers']);

const setElementOrder = '$setElementOrder/';
const deleteFromPrimitiveList = '$deleteFromPrimitiveList/';

function strategicMerge(target: JsonObject, patch: JsonObject): JsonObject {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys' || key.startsWith(setElementOrder)) continue;
    if (key.startsWith(deleteFromPrimitiveList)) {
      const field = key.slice(deleteFromPrimitiveList.length);
      const current = result[field];
      if (Array.isArray(current) && Array.isArray(value))
        result[field] = current.filter((item) => !value.some((v) => v === item));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    if (isObject(value)) {
      if (value.$patch === 'delete') delete result[key];
      else result[key] = strategicMerge(isObject(current) ? current : {}, value);
    } else if (Array.isArray(value)) {
      result[key] = mergeList(key, Array.isArray(current) ? current : [], value);
    } else {
      result[key] = value;
    }
  }
  // Fields with the retainKeys strategy (Deployment.spec.strategy, volumes) keep only the listed keys, so a switch
  // from RollingUpdate to Recreate drops rollingUpdate.
  const retained = patch.$retainKeys;
  if (Array.isArray(retained)) for (const key of Object.keys(result)) if (!retained.includes(key)) delete result[key];
  return result;
}

function mergeList(field: string, current: Json[], patch: Json[]): Json[] {
  if (patch.some((item) => isObject(item) && item.$patch === 'replace'))
    return clone(patch.filter((item) => !(isObject(item) && item.$patch === 'replace')));
  if (mergedScalarLists.has(field)) return [...current, ...patch.filter((item) => !current.includes(item))];
  const key = mergeKeys[field];
  if (key === undefined) return clone(patch);
  const result = [...current];
  for (const item of patch) {
    if (!isObject(item)) throw new Error(`${field}: an item of a list merged by "${key}" must be an object`);
    const index = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = strategicMerge(result[index] as JsonObject, item);
    } else {
      result.push(strategicMerge({}, item));
    }
  }
  return result;
}
