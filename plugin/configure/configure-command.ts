// `kubectl acr configure`: flags (or an edited file) → a validated
// acr-configuration written with the resourceVersion it was based on.

import { formatProblem, type Problem } from '../../provider/common/problem.js';
import { connect, type KubeClient, type KubeObject } from '../kube-client.js';
import { CONFIGURATION_SECRETS_NAME } from '../../provider/configuration/model.js';
import { planConfigure, planFromFile, type ConfigureRequest } from './configure-plan.js';
import { podIdentityRbac } from './pod-identity-rbac.js';
import { applyObject, kindPath } from '../kube-apply.js';
import type { RegistryEdit, RegistrySelector } from './registry-edits.js';
import {
  CONFIGMAP_NAME,
  ConflictError,
  configMapWithData,
  readConfigMap,
  storeSecrets,
  writeConfigMap,
} from '../configuration-store.js';
import { render } from '../output.js';
import { redactingRuntime, secretValuesIn } from '../../provider/common/redaction.js';
import { connectionFlags, type Runtime } from '../runtime.js';
import { EXIT, UsageError, type ExitCode } from '../../provider/common/exit-codes.js';
import { type ConfigureArgs, editFlags, registryFieldFlags } from './configure-flags.js';

function selectorFromArgs(args: ConfigureArgs): RegistrySelector | undefined {
  const instanceId = args['instance-id']?.trim();
  const regionId = args.region?.trim() || undefined;
  if (args.personal && instanceId)
    throw new UsageError('--personal and --instance-id address different entries; give one of them.');
  if (args.personal || instanceId === '') return { edition: 'personal', regionId };
  if (instanceId) return { edition: 'enterprise', instanceId, regionId };
  return undefined;
}

async function readAccessKeySecret(args: ConfigureArgs, runtime: Runtime): Promise<string | undefined> {
  const file = args['access-key-secret-file'];
  if (args['access-key-secret-stdin'] && file !== undefined)
    throw new UsageError('Give the AccessKey secret once: --access-key-secret-stdin or --access-key-secret-file.');
  if (args['access-key-secret-stdin']) return (await runtime.readStdin()).trim();
  if (file !== undefined) {
    try {
      return runtime.readFile(file).trim();
    } catch (error) {
      throw new UsageError(
        `Cannot read --access-key-secret-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
      );
    }
  }
  return undefined;
}

/** The flags as a request for the pure planner; shape mistakes of the command line are usage errors. */
export async function requestFromArgs(args: ConfigureArgs, runtime: Runtime): Promise<ConfigureRequest> {
  const select = selectorFromArgs(args);
  const registryFlagsGiven = registryFieldFlags.filter((flag) => args[flag] !== undefined);
  let registry: RegistryEdit | undefined;
  if (args['remove-instance']) {
    if (!select) throw new UsageError('--remove-instance needs --instance-id ID (or --personal with --region).');
    if (registryFlagsGiven.length > 0)
      throw new UsageError(`--remove-instance cannot be combined with --${registryFlagsGiven.join(', --')}.`);
    registry = { action: 'remove', select };
  } else if (select) {
    registry = {
      action: 'upsert',
      select,
      fields: {
        domains: args.domains,
        assumeRoleArn: args['assume-role-arn'],
        expireDuration: args['expire-duration'],
        rrsaRoleArn: args['rrsa-role-arn'],
        rrsaOidcProviderArn: args['rrsa-oidc-provider-arn'],
        accessKeyId: args['access-key-id'],
        accessKeySecret: await readAccessKeySecret(args, runtime),
      },
    };
  } else if (registryFlagsGiven.length > 0 || args.region !== undefined) {
    throw new UsageError(
      `--${[...registryFlagsGiven, ...(args.region !== undefined ? ['region'] : [])].join(', --')} belong to a registry entry: add --instance-id ID or --personal.`,
    );
  }
  return {
    registry,
    serviceAccount: args['service-account'],
    watchNamespace: args['watch-namespace'],
    expiringThreshold: args['expiring-threshold'],
    rrsa: args.rrsa,
    webhook: {
      enabled: args.webhook,
      failurePolicy: args['webhook-failure-policy'],
      timeoutSeconds: args['webhook-timeout-seconds'],
    },
    moveInlineSecrets: args['move-inline-secrets'],
    podIdentity: {
      enabled: args['pod-identity'],
      oidcProviderArn: args['oidc-provider-arn'],
      requireRole: args['require-role'],
    },
  };
}

function printProblems(problems: Problem[], source: string | undefined, runtime: Runtime): void {
  for (const problem of problems) runtime.stderr(`${formatProblem(problem, source)}\n`);
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const left = a ?? {};
  const keys = new Set([...Object.keys(left), ...Object.keys(b)]);
  return [...keys].every((key) => left[key] === b[key]);
}

/**
 * Pod identity's RBAC follows the configuration: granted while pod identity
 * is on, taken away by `--no-pod-identity` (only objects labelled ours).
 */
async function podIdentityAccess(
  client: KubeClient,
  enabled: boolean,
  flag: boolean | undefined,
  dryRun: string,
): Promise<string[]> {
  const lines: string[] = [];
  for (const object of podIdentityRbac()) {
    const what = `${object.kind!.toLowerCase()}.rbac.authorization.k8s.io/${object.metadata.name}`;
    if (enabled) {
      const applied = await applyObject(client, object, dryRun === 'server');
      lines.push(`${what} ${applied.action}`);
    } else if (flag === false) {
      const path = kindPath(object, object.metadata.name);
      const existing = await client.get<KubeObject>(path);
      if (existing?.metadata.labels?.['app.kubernetes.io/managed-by'] !== 'kubectl-acr') continue;
      if (dryRun !== 'server') await client.remove(path, existing.metadata.resourceVersion!);
      lines.push(`${what} deleted`);
    }
  }
  return lines;
}

export async function runConfigure(args: ConfigureArgs, plainRuntime: Runtime): Promise<ExitCode> {
  // Every secret met on the way: the one given, plain-text ones in the file or the ConfigMap.
  const secrets: string[] = [];
  const runtime = redactingRuntime(plainRuntime, () => secrets);
  const fromFile = args['from-file'];
  if (fromFile !== undefined) {
    const mixed = editFlags.filter((flag) => args[flag] !== undefined);
    if (mixed.length > 0)
      throw new UsageError(
        `--from-file gives the whole configuration; it cannot be combined with --${mixed.join(', --')}.`,
      );
  } else if (!editFlags.some((flag) => args[flag] !== undefined)) {
    throw new UsageError(
      'Nothing to configure: give at least one setting flag or --from-file (see kubectl acr configure --help).',
    );
  }
  const dryRun = args['dry-run'] ?? 'none';

  let fileText: string | undefined;
  if (fromFile !== undefined) {
    try {
      fileText = fromFile === '-' ? await runtime.readStdin() : runtime.readFile(fromFile);
    } catch (error) {
      throw new UsageError(
        `Cannot read --from-file ${fromFile}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
      );
    }
  }
  if (fileText !== undefined) secrets.push(...secretValuesIn({ file: fileText }));
  const request = fileText === undefined ? await requestFromArgs(args, runtime) : undefined;
  const given = request?.registry?.action === 'upsert' ? request.registry.fields.accessKeySecret : undefined;
  if (given) secrets.push(given.trim());

  const client = connect(connectionFlags(args), runtime.env);
  const current = await readConfigMap(client);
  secrets.push(...secretValuesIn(current?.data ?? {}));
  const plan = fileText !== undefined ? planFromFile(fileText) : planConfigure(current?.data ?? {}, request!);
  const source = fromFile === '-' ? 'stdin' : fromFile;
  if (!plan.ok) {
    printProblems(plan.problems, source, runtime);
    runtime.stderr(`error: ${CONFIGMAP_NAME} was not changed.\n`);
    return EXIT.usage;
  }
  printProblems(plan.warnings, source, runtime);
  for (const note of plan.notes) runtime.stderr(`note: ${note}\n`);
  const removed = Object.keys(current?.data ?? {}).filter((key) => !(key in plan.data));
  if (removed.length > 0)
    runtime.stderr(`note: removes ${removed.map((key) => `\`${key}\``).join(', ')}, which the file does not have.\n`);

  const suffix = dryRun === 'none' ? '' : ` (${dryRun} dry run)`;
  const changed = !sameData(current?.data, plan.data);
  const hasSecrets = Object.keys(plan.secrets).length > 0;
  let result = configMapWithData(current, plan.data);
  const rbac: string[] = [];
  try {
    if (dryRun !== 'client') {
      if (hasSecrets) await storeSecrets(client, plan.secrets, dryRun === 'server');
      if (changed) result = await writeConfigMap(client, current, plan.data, dryRun === 'server');
      rbac.push(...(await podIdentityAccess(client, plan.config.podIdentity.enabled, args['pod-identity'], dryRun)));
    }
  } catch (error) {
    if (error instanceof ConflictError) {
      runtime.stderr(`error: ${error.message}\n`);
      return EXIT.failure;
    }
    throw error;
  }

  if (args.output === 'json' || args.output === 'yaml') {
    runtime.stdout(render(args.output, result, () => ''));
  } else {
    if (hasSecrets) runtime.stdout(`secret/${CONFIGURATION_SECRETS_NAME} configured${suffix}\n`);
    const verb = !changed ? 'unchanged' : current ? 'configured' : 'created';
    runtime.stdout(`configmap/${CONFIGMAP_NAME} ${verb}${suffix}\n`);
    for (const line of rbac) runtime.stdout(`${line}${suffix}\n`);
  }
  return EXIT.ok;
}
