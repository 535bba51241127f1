// One pass of the Secret sync: each entry's token, the plan against what the
// cluster holds, the writes carried out one by one with a line each. Shared by
// `--once` and the controller, which differ only in where the objects come
// from and when the next pass runs.
import type { Failure } from '../../provider/common/failure.js';
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import type { KubeClient } from '../kube-client.js';
import { clusterView, type ClusterObjects } from './cluster-view.js';
import { applyWrite, type ServiceAccountObject } from './cluster-writes.js';
import type { EntryTokens } from './entry-tokens.js';
import { describeEntry } from './pull-secret.js';
import type { SyncMetrics } from './sync-metrics.js';
import { planSync, type SyncWrite } from './sync-plan.js';

export interface PassDeps {
  client: KubeClient;
  tokens(config: AcrConfiguration): Promise<EntryTokens>;
  readServiceAccount: (namespace: string, name: string) => ServiceAccountObject | undefined;
  log(line: string): void;
  warn(line: string): void;
  metrics: SyncMetrics;
  now(): number;
}

export interface PassResult {
  /** Writes that changed an object. */
  writes: number;
  /** Write requests sent, conflicts and retries included. */
  requests: number;
  /** Entries without a token, and writes that failed. */
  failures: number;
  refreshAt: number | undefined;
}

function failureLine(failure: Failure): string {
  const detail = [failure.code, failure.requestId ? `request ID ${failure.requestId}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `no token for ${failure.host}${failure.instance ? ` (${failure.instance})` : ''}${failure.identity ? ` as ${failure.identity}` : ''}: ${failure.message}${detail ? ` [${detail}]` : ''}${failure.fix ? `; fix: ${failure.fix}` : ''}`;
}

function count(metrics: SyncMetrics, write: SyncWrite): void {
  if (write.kind === 'update-service-account') metrics.serviceAccountWrites.inc();
  else
    metrics.secretWrites.inc({
      action: { 'create-secret': 'created', 'update-secret': 'refreshed', 'delete-secret': 'deleted' }[write.kind],
    });
}

/** The objects of `namespaces` only: a change in one namespace is planned for that namespace alone. */
export function objectsIn(objects: ClusterObjects, namespaces: ReadonlySet<string>): ClusterObjects {
  return {
    namespaces: objects.namespaces.filter((n) => namespaces.has(n.metadata.name ?? '')),
    serviceAccounts: objects.serviceAccounts.filter((sa) => namespaces.has(sa.metadata.namespace ?? '')),
    pullSecrets: objects.pullSecrets.filter((s) => namespaces.has(s.metadata.namespace ?? '')),
  };
}

export async function runPass(deps: PassDeps, config: AcrConfiguration, objects: ClusterObjects): Promise<PassResult> {
  const tokens = await deps.tokens(config);
  for (const failure of tokens.failures) {
    deps.warn(failureLine(failure));
    deps.metrics.tokenFailures.inc({ code: failure.code ?? 'unknown' });
  }
  for (const state of tokens.states)
    if (state.token)
      deps.metrics.secondsToExpiry.set(
        { entry: describeEntry(state.entry) },
        Math.round((state.token.expiresAt - deps.now()) / 1000),
      );
  const scope = { namespaces: config.watchNamespaces, serviceAccounts: config.serviceAccounts };
  const result: PassResult = { writes: 0, requests: 0, failures: tokens.failures.length, refreshAt: tokens.refreshAt };
  for (const chunk of namespaceChunks(objects)) {
    // Between chunks the event loop answers the webhook: a pass over thousands of namespaces never holds it long.
    await new Promise((resolve) => setImmediate(resolve));
    await applyWrites(deps, planSync(scope, tokens.states, clusterView(objectsIn(objects, chunk))), result);
  }
  return result;
}

/** Each namespace is planned on its own, so a pass can be cut into runs of namespaces. */
const CHUNK_NAMESPACES = 200;

function namespaceChunks(objects: ClusterObjects): Set<string>[] {
  const names = [
    ...new Set([
      ...objects.namespaces.map((n) => n.metadata.name ?? ''),
      ...objects.pullSecrets.map((s) => s.metadata.namespace ?? ''),
    ]),
  ].sort();
  const chunks: Set<string>[] = [];
  for (let i = 0; i < names.length; i += CHUNK_NAMESPACES) chunks.push(new Set(names.slice(i, i + CHUNK_NAMESPACES)));
  return chunks;
}

async function applyWrites(deps: PassDeps, writes: SyncWrite[], result: PassResult): Promise<void> {
  for (const write of writes) {
    try {
      const report = await applyWrite(deps.client, write, deps.readServiceAccount);
      result.requests += report.requests;
      if (report.result === 'written') {
        result.writes++;
        count(deps.metrics, write);
        deps.log(report.line);
      } else if (report.result === 'conflict' || report.result === 'not-ours') {
        result.failures++;
        deps.warn(report.line);
      }
    } catch (error) {
      // One refused write (a namespace being deleted, a forbidden object) must not stop the others.
      result.failures++;
      deps.warn(`${write.kind}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
