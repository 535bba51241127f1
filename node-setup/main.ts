// acr-node-setup: runs in the privileged DaemonSet with the host's root
// mounted (--host-root). Exit codes: 0 ok, 1 runtime failure, 2 bad usage or
// invalid configuration.
import yargs, { type Argv } from 'yargs';
import { formatProblem } from '../provider/common/problem.js';
import { versionLine } from '../provider/common/version.js';
import { HostTransaction } from './host-journal.js';
import { parseKubeletVersion } from './host-checks.js';
import { installOptions, kubeletOptions, type InstallArgs, type KubeletArgs, type SourceArgs } from './setup-flags.js';
import { discoverWith } from './domain-discovery.js';
import { install, type KubeletControl } from './install.js';
import { mirrorConfiguration, type MirrorSources } from './mirror.js';
import { stayRestored, uninstall, writeTerminationMessage } from './uninstall.js';
import { isReady, watch } from './watch.js';
import { EXIT, UsageError } from '../provider/common/exit-codes.js';
import { NODE_SETUP_READY_FILE } from '../provider/common/paths.js';
import { NODE_SETUP_EXECUTABLE } from '../provider/common/executable-names.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const say = (line: string): void => void process.stdout.write(`${line}\n`);

function kubeletControl(args: KubeletArgs): KubeletControl {
  if (!(args['health-timeout'] > 0) || !(args['health-interval'] > 0))
    throw new UsageError('--health-timeout and --health-interval must be positive numbers of seconds.');
  return {
    restartCommand: args['restart-command'],
    health: {
      command: args['health-command'],
      healthzUrl: args['healthz-url'],
      timeoutMs: args['health-timeout'] * 1000,
      intervalMs: args['health-interval'] * 1000,
    },
  };
}

function sources(args: SourceArgs): MirrorSources | undefined {
  if (args['configmap-dir'] === undefined) return undefined;
  return {
    configmapDir: args['configmap-dir'],
    secretsDir: args['secrets-dir'],
    rrsaTokenFile: args['rrsa-token-file'],
  };
}

function installInput(args: InstallArgs) {
  let kubeletVersion;
  if (args['kubelet-version'] !== undefined) {
    kubeletVersion = parseKubeletVersion(args['kubelet-version']);
    if (!kubeletVersion)
      throw new UsageError(`--kubelet-version ${args['kubelet-version']}: not a version like 1.34.1.`);
  }
  return {
    hostRoot: args['host-root'],
    providerBinary: args['provider-binary'],
    discover: discoverWith(args['provider-binary'], process.env),
    kubeletVersion,
    versionCommand: args['kubelet-version-command'],
    mirror: sources(args),
    restart: args.restart,
    kubelet: kubeletControl(args),
    dryRun: args['dry-run'],
    log,
  };
}

async function runInstall(args: InstallArgs): Promise<number> {
  const result = await install(installInput(args));
  if (!result.ok) {
    log(`error: ${result.message}`);
    return result.exitCode;
  }
  for (const w of result.warnings) log(formatProblem(w, 'acr-configuration'));
  const verb = args['dry-run'] ? 'Would change' : 'Changed';
  say(
    result.changed.length === 0
      ? 'Everything is already installed; nothing changed.'
      : `${verb}: ${result.changed.join(', ')}`,
  );
  if (result.restarted) say('The kubelet was restarted and is healthy.');
  else if (result.restartPending) say('A kubelet restart is needed.');
  return result.mirrored === false ? EXIT.usage : EXIT.ok;
}

interface UninstallArgs extends KubeletArgs {
  stay: boolean;
  'ready-file': string;
  'termination-log': string;
}

async function runUninstall(args: UninstallArgs): Promise<number> {
  const result = await uninstall({
    hostRoot: args['host-root'],
    restart: args.restart,
    kubelet: kubeletControl(args),
    log,
  });
  if (!result.ok) {
    log(`error: ${result.message}`);
    // In the DaemonSet: the reason becomes the container's termination message, which kubectl acr uninstall shows.
    if (args.stay) writeTerminationMessage(args['termination-log'], result.message);
    return EXIT.failure;
  }
  if (result.restored.length > 0)
    say(
      `Restored: ${result.restored.join(', ')}${result.restarted ? '; the kubelet was restarted and is healthy.' : ''}`,
    );
  if (args.stay) await stayRestored(args['ready-file'], say);
  return EXIT.ok;
}

interface MirrorArgs extends InstallArgs {
  watch: boolean;
  interval: number;
  'ready-file': string;
}

async function runMirror(args: MirrorArgs): Promise<number> {
  const mirror = sources(args)!;
  if (args.watch) {
    if (!(args.interval > 0)) throw new UsageError('--interval must be a positive number of seconds.');
    await watch({
      install: { ...installInput(args), mirror },
      intervalMs: args.interval * 1000,
      readyFile: args['ready-file'],
    });
    return EXIT.ok;
  }
  const tx = new HostTransaction(args['host-root']);
  const result = mirrorConfiguration(tx, mirror);
  if (!result.ok) {
    for (const p of result.problems) log(formatProblem(p, 'acr-configuration'));
    log('The host keeps the last valid configuration.');
    return EXIT.usage;
  }
  for (const w of result.warnings) log(formatProblem(w, 'acr-configuration'));
  say(
    tx.changed.length === 0
      ? 'The mirrored configuration is current.'
      : `Mirrored: ${tx.changed.map((c) => c.path).join(', ')}`,
  );
  return EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const run =
    <A>(body: (args: A) => Promise<number>) =>
    async (args: A): Promise<void> => {
      exitCode = await body(args);
    };
  try {
    await yargs(argv)
      .scriptName(NODE_SETUP_EXECUTABLE)
      .usage(
        '$0 <command> --host-root DIR [options]\n\nInstalls the ACR kubelet credential provider on this node and keeps its configuration current.',
      )
      .command<InstallArgs>(
        'install',
        'Install the provider, its CredentialProviderConfig entry and the kubelet flags; restart the kubelet if needed',
        (y) => installOptions(y),
        run(runInstall),
      )
      .command<UninstallArgs>(
        'uninstall',
        'Put every file back as it was before install',
        (y) =>
          kubeletOptions(y)
            .option('stay', {
              type: 'boolean',
              default: false,
              describe: 'Once restored, keep running and keep the readiness marker (the DaemonSet in uninstall mode)',
            })
            .option('ready-file', {
              type: 'string',
              default: NODE_SETUP_READY_FILE,
              describe: 'Readiness marker of --stay',
            })
            .option('termination-log', {
              type: 'string',
              default: '/dev/termination-log',
              describe: 'Where --stay writes why a restore failed',
            }) as unknown as Argv<UninstallArgs>,
        run(runUninstall),
      )
      .command<MirrorArgs>(
        'mirror',
        'Mirror the mounted ConfigMap (and Secret keys, RRSA token) to the host; --watch keeps everything current',
        (y) =>
          installOptions(y)
            .demandOption('configmap-dir')
            .option('watch', {
              type: 'boolean',
              default: false,
              describe: 'Keep mirroring and installing; maintain the readiness marker',
            })
            .option('interval', { type: 'number', default: 5, describe: 'Seconds between rounds of --watch' })
            .option('ready-file', {
              type: 'string',
              default: NODE_SETUP_READY_FILE,
              describe: 'Readiness marker written by --watch',
            }) as unknown as Argv<MirrorArgs>,
        run(runMirror),
      )
      .command<{ 'ready-file': string; 'max-age': number }>(
        'ready',
        'Exit 0 when installed and the configuration is current (the readiness probe)',
        (y) =>
          y.option('ready-file', { type: 'string', default: NODE_SETUP_READY_FILE }).option('max-age', {
            type: 'number',
            default: 60,
            describe: 'Seconds after which the marker is stale',
          }) as Argv<{ 'ready-file': string; 'max-age': number }>,
        run((args) => {
          const state = isReady(args['ready-file'], args['max-age'] * 1000);
          (state.ready ? say : log)(state.reason);
          return Promise.resolve(state.ready ? EXIT.ok : EXIT.failure);
        }),
      )
      .demandCommand(1, 'Name a command: install, uninstall, mirror or ready.')
      .strict()
      .help()
      .alias('help', 'h')
      .version('version', 'Show the version', versionLine(NODE_SETUP_EXECUTABLE))
      .fail((message, error) => {
        if (error) throw error;
        throw new UsageError(message);
      })
      .parseAsync();
  } catch (error) {
    if (error instanceof UsageError) {
      log(`error: ${error.message}\nSee 'acr-node-setup --help' for usage.`);
      return EXIT.usage;
    }
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
  return exitCode;
}

/** The role's entry point (the launcher calls it). */
export function run(args: string[]): void {
  void main(args).then((code) => {
    process.exitCode = code;
  });
}
