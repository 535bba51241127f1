// A fake cluster and a kubeconfig pointing at it, for running the built
// kubectl-acr binary against.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiserver, type FakeApiserver } from '../fakes/apiserver/index.js';
import { runBinary, type RunResult } from '../support/binaries.js';

export interface PluginHarness {
  api: FakeApiserver;
  dir: string;
  kubeconfig: string;
  /** Runs `kubectl-acr <args> --kubeconfig <fake>`. */
  run(args: string[], options?: { stdin?: string; env?: Record<string, string | undefined> }): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<PluginHarness> {
  const api = await startFakeApiserver();
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-acr-'));
  const kubeconfig = join(dir, 'kubeconfig');
  api.writeKubeconfig(kubeconfig);
  return {
    api,
    dir,
    kubeconfig,
    run: (args, options = {}) => runBinary('kubectl-acr', [...args, '--kubeconfig', kubeconfig], options),
    async close() {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function configMap(data: Record<string, string>, extra: { labels?: Record<string, string> } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'acr-configuration', namespace: 'kube-system', ...extra },
    data,
  };
}

export function storedConfigMap(
  api: FakeApiserver,
):
  | { data?: Record<string, string>; metadata: { resourceVersion: string; labels?: Record<string, string> } }
  | undefined {
  return api.get('configmaps', 'kube-system', 'acr-configuration');
}
