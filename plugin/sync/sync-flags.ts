// The flags of `kubectl acr sync`: loaded for --help and completion, without the command.
import type { Argv } from 'yargs';
import { ACK_RRSA_TOKEN_FILE } from '../../provider/common/paths.js';
import { HELPER_DEPLOYMENT, SYNC_DEPLOYMENT } from '../status/status-model.js';
import type { GlobalArgs } from '../runtime.js';

export interface SyncArgs extends GlobalArgs {
  once?: boolean;
  'cache-dir'?: string;
  region?: string;
  vpc?: boolean;
  'allow-imdsv1'?: boolean;
  'take-over'?: boolean;
  'leader-elect'?: boolean;
  identity?: string;
  'metrics-address'?: string;
  'resync-period'?: string;
  'webhook-address'?: string;
  'rrsa-token-file'?: string;
}

export function syncBuilder(yargs: Argv): Argv {
  return yargs
    .option('once', { type: 'boolean', describe: 'Make one pass and exit (1 if anything failed)' })
    .option('cache-dir', {
      type: 'string',
      describe: 'Where tokens and look-ups are cached between passes and restarts (default ~/.cache/kubectl-acr/sync)',
    })
    .option('region', { type: 'string', describe: "The cluster's region, without asking the ECS metadata service" })
    .option('vpc', { type: 'boolean', describe: 'Use the VPC endpoints of the CR and STS APIs' })
    .option('allow-imdsv1', { type: 'boolean', describe: 'Fall back to IMDSv1 if the metadata service refuses IMDSv2' })
    .option('rrsa-token-file', {
      type: 'string',
      describe: `The OIDC token RRSA entries exchange (default: $ALIBABA_CLOUD_OIDC_TOKEN_FILE, else ${ACK_RRSA_TOKEN_FILE})`,
    })
    .option('take-over', {
      type: 'boolean',
      describe: `Run even though ${HELPER_DEPLOYMENT} runs in the cluster (while migrating from it)`,
    })
    .option('leader-elect', {
      type: 'boolean',
      describe: `Write only while holding the Lease kube-system/${SYNC_DEPLOYMENT} (for several replicas)`,
    })
    .option('identity', { type: 'string', describe: 'This replica in the Lease (default: the host name)' })
    .option('metrics-address', {
      type: 'string',
      describe: 'Serve /metrics, /healthz and /readyz on HOST:PORT (e.g. 0.0.0.0:8080); off by default',
    })
    .option('resync-period', { type: 'string', default: '5m', describe: 'Full pass at least this often' })
    .option('webhook-address', {
      type: 'string',
      describe: `Serve the admission webhook on HOST:PORT over TLS and keep it registered as webhook-configuration says (in-cluster: 0.0.0.0:8443 behind the Service kube-system/${SYNC_DEPLOYMENT})`,
    })
    .example('$0 sync --once', 'One pass: create or refresh the pull Secrets, patch the ServiceAccounts, exit')
    .example('$0 sync', 'Keep every ServiceAccount in scope served until interrupted');
}
