// The configuration the Secret sync works from: kube-system/acr-configuration
// parsed, the last valid one kept in force when an edit breaks it (the
// problems reported once per change).
import { formatProblem } from '../../provider/common/problem.js';
import type { AcrConfiguration } from '../../provider/configuration/model.js';
import { parseConfigurationData } from '../../provider/configuration/parse-configuration.js';
import { CONFIGMAP_NAME, CONFIGMAP_NAMESPACE, type ConfigMapObject } from '../configuration-store.js';

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
