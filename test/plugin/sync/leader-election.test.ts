// Leader election on a Lease against the fake apiserver, one attempt at a
// time with a given clock: who holds it, when it may be taken over, and that
// a concurrent writer makes the other attempt lose.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClient, type KubeClient } from '../../../plugin/kube-client.js';
import { tryAcquireOrRenew, type LeaseObject } from '../../../plugin/sync/leader-election.js';
import { startFakeApiserver, type FakeApiserver } from '../../fakes/apiserver/index.js';

const LEASE = { namespace: 'kube-system', name: 'kubectl-acr-sync' };
const T0 = Date.UTC(2026, 11, 2, 1, 0, 0);

let api: FakeApiserver;
let client: KubeClient;
beforeEach(async () => {
  api = await startFakeApiserver();
  client = createKubeClient(api.kubeConfig(), 5000);
});
afterEach(async () => {
  await api.close();
});
const stored = () => api.get('leases', 'kube-system', 'kubectl-acr-sync') as LeaseObject;

describe('tryAcquireOrRenew', () => {
  it('creates the Lease, renews it, and keeps acquireTime while the holder stays', async () => {
    expect(await tryAcquireOrRenew(client, LEASE, 'a', T0)).toEqual({ leader: true, holder: 'a' });
    expect(stored().spec).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-12-02T01:00:00.000000Z',
      renewTime: '2026-12-02T01:00:00.000000Z',
      leaseTransitions: 0,
    });
    expect(await tryAcquireOrRenew(client, LEASE, 'a', T0 + 2000)).toEqual({ leader: true, holder: 'a' });
    expect(stored().spec?.renewTime).toBe('2026-12-02T01:00:02.000000Z');
    expect(stored().spec?.acquireTime).toBe('2026-12-02T01:00:00.000000Z');
  });

  it('another candidate waits while the lease runs, takes it over once it has run out, counting the transition', async () => {
    await tryAcquireOrRenew(client, LEASE, 'a', T0);
    expect(await tryAcquireOrRenew(client, LEASE, 'b', T0 + 14_999)).toEqual({ leader: false, holder: 'a' });
    expect(stored().spec?.holderIdentity).toBe('a');
    expect(await tryAcquireOrRenew(client, LEASE, 'b', T0 + 15_000)).toEqual({ leader: true, holder: 'b' });
    expect(stored().spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a released lease (no holder) is taken at once', async () => {
    await tryAcquireOrRenew(client, LEASE, 'a', T0);
    api.seed({ ...stored(), spec: { ...stored().spec, holderIdentity: '' } });
    expect(await tryAcquireOrRenew(client, LEASE, 'b', T0 + 1000)).toEqual({ leader: true, holder: 'b' });
  });

  it('someone writing the Lease between the read and the write wins: the attempt loses with a 409, not an error', async () => {
    await tryAcquireOrRenew(client, LEASE, 'a', T0);
    api.beforeNext({ verb: 'update', resource: 'leases' }, () =>
      api.seed({
        ...stored(),
        spec: { ...stored().spec, holderIdentity: 'c', renewTime: '2026-12-02T01:00:20.000000Z' },
      }),
    );
    expect(await tryAcquireOrRenew(client, LEASE, 'b', T0 + 20_000)).toEqual({ leader: false, holder: undefined });
    expect(stored().spec?.holderIdentity).toBe('c');
  });
});
