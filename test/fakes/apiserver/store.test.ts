import { describe, expect, it } from 'vitest';
import { resourceByName } from './resources.js';
import { Store, type KubeObject, type StoreEvent } from './store.js';
import { asSeenThroughSelector } from './watch.js';

const type = (name: string) => resourceByName(name)!;

function newStore(historyLimit = 100): Store {
  let uid = 0;
  const store = new Store({
    historyLimit,
    now: () => new Date('2026-01-02T03:04:05.678Z'),
    uid: () => `uid-${++uid}`,
    random: () => 0,
  });
  store.seed(type('namespaces'), { metadata: { name: 'default' } });
  return store;
}

function created(store: Store, resource: string, body: object): KubeObject {
  const result = store.create(type(resource), 'default', body);
  if (!result.ok) throw new Error(result.error.message);
  return result.object;
}

describe('Store', () => {
  it('stamps created objects like the apiserver and counts one global revision', () => {
    const store = newStore();
    const cm = created(store, 'configmaps', { metadata: { name: 'a', resourceVersion: '99' } });
    const sa = created(store, 'serviceaccounts', { metadata: { generateName: 'sync-' } });
    expect(cm).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'a',
        namespace: 'default',
        uid: 'uid-2',
        resourceVersion: '2',
        creationTimestamp: '2026-01-02T03:04:05Z',
      },
    });
    expect(sa.metadata).toMatchObject({ name: 'sync-bbbbb', resourceVersion: '3' });
    expect(store.currentRevision).toBe(3);
  });

  it('an update that changes nothing keeps the resourceVersion and emits no event', () => {
    const store = newStore();
    const cm = created(store, 'configmaps', { metadata: { name: 'a' }, data: { k: 'v' } });
    const events: StoreEvent[] = [];
    store.subscribe((e) => events.push(e));
    const same = store.update(type('configmaps'), 'default', 'a', { ...cm, data: { k: 'v' } });
    expect(same.ok && same.object.metadata.resourceVersion).toBe(cm.metadata.resourceVersion);
    expect(events).toEqual([]);
  });

  it('dry runs answer in full but store nothing', () => {
    const store = newStore();
    const dry = store.create(type('configmaps'), 'default', { metadata: { name: 'a' } }, { dryRun: true });
    expect(dry.ok && dry.object.metadata.name).toBe('a');
    expect(store.get(type('configmaps'), 'default', 'a')).toBeUndefined();
    const cm = created(store, 'configmaps', { metadata: { name: 'a' }, data: { v: '1' } });
    store.update(type('configmaps'), 'default', 'a', { ...cm, data: { v: '2' } }, { dryRun: true });
    store.delete(type('configmaps'), 'default', 'a', { dryRun: true });
    expect(store.get(type('configmaps'), 'default', 'a')).toEqual(cm);
  });

  it('the main endpoint ignores status and the status subresource changes only status', () => {
    const store = newStore();
    const spec = { selector: { matchLabels: { a: 'b' } } };
    const ds = created(store, 'daemonsets', { metadata: { name: 'd' }, spec, status: { numberReady: 1 } });
    const viaMain = store.update(type('daemonsets'), 'default', 'd', { ...ds, status: { numberReady: 5 } });
    expect(viaMain.ok && viaMain.object.status).toEqual({ numberReady: 1 });
    const viaStatus = store.patch(
      type('daemonsets'),
      'default',
      'd',
      'merge',
      { spec: { minReadySeconds: 3 }, status: { numberReady: 5 } },
      { subresource: 'status' },
    );
    expect(viaStatus.ok && viaStatus.object).toMatchObject({
      spec,
      status: { numberReady: 5 },
      metadata: { generation: 1 },
    });
  });

  it('delete honours a resourceVersion precondition', () => {
    const store = newStore();
    created(store, 'configmaps', { metadata: { name: 'a' } });
    const refused = store.delete(type('configmaps'), 'default', 'a', { resourceVersion: '1' });
    expect(refused.ok || refused.error).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: expect.stringContaining('Precondition failed: ResourceVersion in precondition: 1'),
    });
  });

  it('deleting a namespace deletes what it holds', () => {
    const store = newStore();
    store.seed(type('namespaces'), { metadata: { name: 'team' } });
    store.seed(type('secrets'), { metadata: { name: 's', namespace: 'team' } });
    store.delete(type('namespaces'), undefined, 'team');
    expect(store.list(type('secrets'), undefined)).toEqual([]);
    expect(store.create(type('secrets'), 'team', { metadata: { name: 's' } })).toMatchObject({
      ok: false,
      error: { code: 404, message: 'namespaces "team" not found' },
    });
  });

  it('keeps a bounded history: resuming inside it works, before it is Expired', () => {
    const store = newStore(3);
    for (const name of ['a', 'b', 'c', 'd']) created(store, 'configmaps', { metadata: { name } });
    // revisions: 1 namespace, 2..5 configmaps; the history holds 3..5
    expect(store.eventsSince(2)).toMatchObject({
      ok: true,
      events: [{ revision: 3 }, { revision: 4 }, { revision: 5 }],
    });
    expect(store.eventsSince(1)).toEqual({
      ok: false,
      error: { code: 410, reason: 'Expired', message: 'too old resource version: 1 (3)' },
    });
  });

  it.each([
    ['ADDED', undefined, true, 'ADDED'],
    ['ADDED', undefined, false, undefined],
    ['MODIFIED', true, true, 'MODIFIED'],
    ['MODIFIED', false, true, 'ADDED'],
    ['MODIFIED', true, false, 'DELETED'],
    ['MODIFIED', false, false, undefined],
    ['DELETED', true, false, 'DELETED'],
    ['DELETED', false, false, undefined],
  ] as const)(
    'a %s event, matching before %s and after %s, is seen through a selector as %s',
    (eventType, before, after, expected) => {
      const object = (match: boolean | undefined): KubeObject => ({
        metadata: { name: 'x', labels: match ? { pick: 'yes' } : {} },
      });
      const event: StoreEvent = {
        type: eventType,
        resource: type('configmaps'),
        object: object(eventType === 'DELETED' ? before : after),
        previous: before === undefined ? undefined : object(before),
        revision: 1,
      };
      expect(asSeenThroughSelector(event, (o) => o.metadata.labels?.pick === 'yes')).toBe(expected);
    },
  );
});
