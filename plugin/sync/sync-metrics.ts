// What the Secret sync exposes to Prometheus and to the kubelet's probes:
// /metrics (prom-client, a registry of its own), /healthz and /readyz.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface SyncMetrics {
  registry: Registry;
  tokensFetched: Counter<'entry'>;
  tokenFailures: Counter<'code'>;
  secretWrites: Counter<'action'>;
  serviceAccountWrites: Counter;
  secondsToExpiry: Gauge<'entry'>;
  leader: Gauge;
  passes: Counter<'result'>;
  admission: Histogram<'patched'>;
}

export function createSyncMetrics(): SyncMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    tokensFetched: new Counter({
      name: 'acr_sync_tokens_fetched_total',
      help: 'ACR tokens fetched from Alibaba Cloud, by registry entry',
      labelNames: ['entry'],
      registers,
    }),
    tokenFailures: new Counter({
      name: 'acr_sync_token_failures_total',
      help: 'Failed token fetches, by Alibaba Cloud error code',
      labelNames: ['code'],
      registers,
    }),
    secretWrites: new Counter({
      name: 'acr_sync_secret_writes_total',
      help: 'Pull Secrets written, by action (created, refreshed, deleted)',
      labelNames: ['action'],
      registers,
    }),
    serviceAccountWrites: new Counter({
      name: 'acr_sync_service_account_writes_total',
      help: 'ServiceAccounts whose imagePullSecrets were updated',
      registers,
    }),
    secondsToExpiry: new Gauge({
      name: 'acr_sync_token_expiry_seconds',
      help: 'Seconds until the token of each registry entry expires',
      labelNames: ['entry'],
      registers,
    }),
    leader: new Gauge({ name: 'acr_sync_leader', help: '1 while this replica holds the lease', registers }),
    passes: new Counter({
      name: 'acr_sync_passes_total',
      help: 'Sync passes, by result (ok, failed)',
      labelNames: ['result'],
      registers,
    }),
    admission: new Histogram({
      name: 'acr_sync_admission_duration_seconds',
      help: 'Time to answer one admission request, by whether it was patched',
      labelNames: ['patched'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
  };
}

export interface ProbeServer {
  port: number;
  close(): Promise<void>;
}

/** Serves /metrics, /healthz (the process answers) and /readyz (`ready()` says so). */
export async function serveProbes(
  metrics: SyncMetrics,
  address: { host: string; port: number },
  ready: () => boolean,
): Promise<ProbeServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      void metrics.registry.metrics().then((text) => {
        response.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        response.end(text);
      });
      return;
    }
    if (path === '/healthz' || (path === '/readyz' && ready())) {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok\n');
      return;
    }
    response.writeHead(path === '/readyz' ? 503 : 404, { 'Content-Type': 'text/plain' });
    response.end(path === '/readyz' ? 'not ready\n' : 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
