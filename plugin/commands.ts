// What the plugin's commands do, a bundle of its own in the executable
// (build.mjs): `kubectl acr --help`, `--version` and completion parse flags
// only and never load it, nor the cluster client, the YAML parser and the
// cloud clients it holds.
import { runConfigure } from './configure/configure-command.js';
import { runCredentials } from './credentials/credentials-command.js';
import { runInstall } from './install/install-command.js';
import { runStatus } from './status/status-command.js';
import { runSync } from './sync/sync-command.js';
import { runUninstall } from './uninstall/uninstall-command.js';

export { reportFailure } from './report-failure.js';

/** Each command's body, by its name on the command line. */
export const commands = {
  configure: runConfigure,
  status: runStatus,
  credentials: runCredentials,
  install: runInstall,
  uninstall: runUninstall,
  sync: runSync,
};
