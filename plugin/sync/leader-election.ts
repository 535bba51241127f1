// Leader election on a coordination.k8s.io Lease with client-go's semantics:
// a lease lasts 15 s, the leader renews every 2 s and steps down when it has
// not renewed for 10 s; the others try every 2 s and take over an expired
// lease. client-node has no leader election, hence this small one. Every
// write carries the resourceVersion read, so two candidates never both win.
import { KubeApiError, resourcePath, type KubeClient, type KubeObject } from '../kube-client.js';

export const LEASE_TIMINGS = { leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaseObject extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const leases = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' };

/** MicroTime as the apiserver writes it: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export interface LeaseAttempt {
  leader: boolean;
  /** Who holds the lease now, when known. */
  holder: string | undefined;
}

/**
 * One acquire-or-renew: true when `identity` holds the lease afterwards.
 * Pure of timers: the loop below calls it every retry period.
 */
export async function tryAcquireOrRenew(
  client: KubeClient,
  lease: { namespace: string; name: string },
  identity: string,
  now: number,
): Promise<LeaseAttempt> {
  const path = resourcePath(leases, lease.namespace, lease.name);
  const current = await client.get<LeaseObject>(path);
  const spec = current?.spec ?? {};
  const renewed = spec.renewTime ? Date.parse(spec.renewTime) : Number.NaN;
  const duration = (spec.leaseDurationSeconds ?? LEASE_TIMINGS.leaseDurationSeconds) * 1000;
  const held = spec.holderIdentity !== undefined && spec.holderIdentity !== '';
  const ours = spec.holderIdentity === identity;
  if (current && held && !ours && renewed + duration > now) return { leader: false, holder: spec.holderIdentity };
  const next: LeaseObject = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: current?.metadata ?? { name: lease.name, namespace: lease.namespace },
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds: LEASE_TIMINGS.leaseDurationSeconds,
      acquireTime: ours && spec.acquireTime ? spec.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (spec.leaseTransitions ?? 0) + (ours || !current ? 0 : 1),
    },
  };
  try {
    if (current) await client.update(path, next);
    else await client.create(resourcePath(leases, lease.namespace), next);
    return { leader: true, holder: identity };
  } catch (error) {
    // Someone else wrote first: they hold it, or will until the next try.
    if (error instanceof KubeApiError && error.status === 409) return { leader: false, holder: undefined };
    throw error;
  }
}

export interface Elector {
  isLeader(): boolean;
  stop(): Promise<void>;
}

/**
 * Runs the election until stopped; `onChange` hears each start and stop of
 * leading. A leader that cannot renew for the renew deadline steps down.
 */
export function runElection(
  client: KubeClient,
  lease: { namespace: string; name: string },
  identity: string,
  onChange: (leading: boolean, holder: string | undefined) => void,
  now: () => number = Date.now,
): Elector {
  let leading = false;
  let lastRenew = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const set = (value: boolean, holder: string | undefined) => {
    if (value !== leading) {
      leading = value;
      onChange(value, holder);
    }
  };
  const round = async () => {
    try {
      const attempt = await tryAcquireOrRenew(client, lease, identity, now());
      if (attempt.leader) lastRenew = now();
      if (attempt.leader || !leading || now() - lastRenew > LEASE_TIMINGS.renewDeadlineMs)
        set(attempt.leader, attempt.holder);
    } catch {
      // The apiserver did not answer: keep leading only within the renew deadline.
      if (leading && now() - lastRenew > LEASE_TIMINGS.renewDeadlineMs) set(false, undefined);
    }
    if (!stopped)
      timer = setTimeout(() => {
        running = round();
      }, LEASE_TIMINGS.retryPeriodMs);
  };
  running = round();
  return {
    isLeader: () => leading,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      if (leading) {
        // Hand over at once rather than after the lease runs out.
        const path = resourcePath(leases, lease.namespace, lease.name);
        const current = await client.get<LeaseObject>(path).catch(() => undefined);
        if (current?.spec?.holderIdentity === identity)
          await client
            .update(path, { ...current, spec: { ...current.spec, holderIdentity: '', renewTime: undefined } })
            .catch(() => undefined);
        set(false, undefined);
      }
    },
  };
}
