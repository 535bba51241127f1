// The configuration the Secret sync works from: kube-system/acr-configuration
// parsed, the last valid one kept in force when an edit breaks it (the
// problems reported once per change), and the AccessKey Secret's keys as
// files where the credential chain reads them.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../provider/cache/atomic-file.js';
import { formatProblem } from '../../provider/common/problem.js';
import { CONFIGURATION_SECRETS_NAME, type AcrConfiguration } from '../../provider/configuration/model.js';
import { parseConfigurationData } from '../../provider/configuration/parse-configuration.js';
import {
  CONFIGMAP_NAME,
  CONFIGMAP_NAMESPACE,
  type ConfigMapObject,
  type SecretObject,
} from '../configuration-store.js';
import { resourcePath, type KubeClient } from '../kube-client.js';

export interface ConfigurationState {
  lastValid: AcrConfiguration | undefined;
  /** The resourceVersion whose problems were last reported: each change is reported once. */
  reported: string | undefined;
}

export type ConfigurationRead =
  { ok: true; config: AcrConfiguration; source: string; stale: boolean } | { ok: false; source: string };

const SOURCE = `${CONFIGMAP_NAMESPACE}/${CONFIGMAP_NAME}`;

/** The configuration in force: the ConfigMap's when valid, else the last valid one. */
export function configurationInForce(
  configMap: ConfigMapObject | undefined,
  state: ConfigurationState,
  warn: (line: string) => void,
): ConfigurationRead {
  const version = configMap?.metadata.resourceVersion ?? 'absent';
  const source = configMap ? `${SOURCE} (resourceVersion ${version})` : `${SOURCE} is absent, defaults apply`;
  const parsed = parseConfigurationData(configMap?.data ?? {});
  if (parsed.ok) {
    state.lastValid = parsed.config;
    state.reported = undefined;
    return { ok: true, config: parsed.config, source, stale: false };
  }
  if (state.reported !== version) {
    state.reported = version;
    for (const problem of parsed.problems) warn(formatProblem(problem, source));
    warn(
      state.lastValid
        ? `${source} is invalid: the last valid configuration stays in force until it is fixed (kubectl acr status shows every problem)`
        : `${source} is invalid and no valid one was seen yet: nothing is synced until it is fixed`,
    );
  }
  return state.lastValid ? { ok: true, config: state.lastValid, source, stale: true } : { ok: false, source };
}

export function usesSecretRef(config: AcrConfiguration): boolean {
  return config.registries.some(
    (e) => e.credentials.kind === 'access-key' && e.credentials.secret.kind === 'secret-ref',
  );
}

export function readConfigurationSecret(client: KubeClient): Promise<SecretObject | undefined> {
  return client.get<SecretObject>(resourcePath({ plural: 'secrets' }, CONFIGMAP_NAMESPACE, CONFIGURATION_SECRETS_NAME));
}

/** The Secret's keys as files in `dir` (0600), as node-setup mirrors them on nodes; keys gone from the Secret removed. */
export function mirrorSecretKeys(dir: string, secret: SecretObject | undefined): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const values: string[] = [];
  const keys = new Set<string>();
  for (const [key, encoded] of Object.entries(secret?.data ?? {})) {
    const value = Buffer.from(encoded, 'base64').toString('utf8');
    values.push(value.trim());
    keys.add(key);
    writeFileAtomic(join(dir, key), value, 0o600);
  }
  for (const name of readdirSync(dir)) if (!keys.has(name)) rmSync(join(dir, name), { force: true });
  return values;
}
