// Create-or-replace of objects the project owns (the node installer, the
// Secret sync, pod identity's RBAC), always carrying the resourceVersion read
// so a concurrent edit is a conflict (read again and retried), never lost.
import { KubeApiError, resourcePath, type KubeClient, type KubeObject } from './kube-client.js';

const MAX_CONFLICT_RETRIES = 3;

export function kindPath(object: KubeObject, name?: string): string {
  const [group, version] = object.apiVersion!.includes('/') ? object.apiVersion!.split('/') : ['', object.apiVersion!];
  const plural = `${object.kind!.toLowerCase()}s`;
  return resourcePath({ group: group || undefined, version, plural }, object.metadata.namespace, name);
}

export interface Applied {
  object: KubeObject;
  action: 'created' | 'configured' | 'unchanged';
}

/** Create, or replace with the resourceVersion read; a 409 (someone wrote in between) reads again. */
export async function applyObject(client: KubeClient, object: KubeObject, dryRun: boolean): Promise<Applied> {
  for (let attempt = 0; ; attempt++) {
    const existing = await client.get<KubeObject>(kindPath(object, object.metadata.name));
    try {
      if (!existing) return { object: await client.create(kindPath(object), object, { dryRun }), action: 'created' };
      const body = { ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata.resourceVersion } };
      const stored = await client.update(kindPath(object, object.metadata.name), body, { dryRun });
      return {
        object: stored,
        action: stored.metadata.resourceVersion === existing.metadata.resourceVersion ? 'unchanged' : 'configured',
      };
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 409 && attempt < MAX_CONFLICT_RETRIES) continue;
      throw error;
    }
  }
}
