// Which node layout runs the kubelet, read from its systemd unit and drop-ins,
// and where its extra flags go. Only layouts known for certain are accepted;
// anything else is refused with what was found, never guessed at.
//
// What the layouts rest on:
// - kubeadm packages (kubernetes.io "Configuring each kubelet in your cluster
//   using kubeadm"; Fedora's "Resilient kubelet configuration"): the drop-in
//   10-kubeadm.conf in /usr/lib/systemd/system/kubelet.service.d (rpm, deb ≥ 1.26
//   packages) or /etc/systemd/system/kubelet.service.d (older, hand-made)
//   sources `EnvironmentFile=-/etc/default/kubelet` (deb) or
//   `-/etc/sysconfig/kubelet` (rpm) and passes `$KUBELET_EXTRA_ARGS` last.
// - ACK nodes (Alibaba Cloud "Customize kubelet parameters for a node pool",
//   FAQ "modify a kubelet parameter that is not on the supported list"): custom
//   flags go to /etc/kubernetes/kubelet-customized-args.conf as
//   `KUBELET_CUSTOMIZED_ARGS="…"`, which the node's kubelet drop-in
//   (/etc/systemd/system/kubelet.service.d/10-kubeadm.conf) sources and passes
//   as `$KUBELET_CUSTOMIZED_ARGS`. ACK's console may rewrite that file when a
//   node pool's kubelet configuration changes: `mirror --watch` notices the
//   flags are gone and installs them again.
import { parseEnvironmentFile, words } from './environment-file.js';

export interface HostFiles {
  /** Text of a host path, undefined when it does not exist. */
  read(path: string): string | undefined;
  /** Names in a host directory, [] when it does not exist. */
  list(dir: string): string[];
}

export type LayoutKind = 'kubeadm' | 'ack';

interface LayoutRule {
  kind: LayoutKind;
  variable: string;
  environmentFiles: readonly string[];
}

// ACK first: its drop-in is also named 10-kubeadm.conf, and its documented place for custom flags is its own file.
const RULES: readonly LayoutRule[] = [
  {
    kind: 'ack',
    variable: 'KUBELET_CUSTOMIZED_ARGS',
    environmentFiles: ['/etc/kubernetes/kubelet-customized-args.conf'],
  },
  {
    kind: 'kubeadm',
    variable: 'KUBELET_EXTRA_ARGS',
    environmentFiles: ['/etc/default/kubelet', '/etc/sysconfig/kubelet'],
  },
];

export const CONFIG_FLAG = '--image-credential-provider-config';
export const BIN_DIR_FLAG = '--image-credential-provider-bin-dir';

// systemd's precedence: /etc over /run over /usr/lib (and /lib, the same on merged-/usr hosts).
const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];

export interface KubeletLayout {
  kind: LayoutKind;
  /** The variable our flags are appended to. */
  variable: string;
  /** The host file that assigns it (may not exist yet: kubeadm's is optional). */
  environmentFile: string;
  /** The unit files read, in systemd's order. */
  unitFiles: string[];
  /** Credential provider flags the kubelet already gets from somewhere other than our own words. */
  existing: { config: string | undefined; binDir: string | undefined };
  /** `--feature-gates` as the kubelet gets it (`A=true,B=false`), its `--config` KubeletConfiguration file and `--config-dir` of drop-ins. */
  featureGates: string | undefined;
  kubeletConfigFile: string | undefined;
  kubeletConfigDir: string | undefined;
}

export type LayoutDetection = { ok: true; layout: KubeletLayout } | { ok: false; message: string };

interface UnitSettings {
  environment: Array<[string, string]>;
  environmentFiles: string[];
  execStart: string | undefined;
}

function logicalLines(text: string): string[] {
  return text.replace(/\\\n/g, ' ').split('\n');
}

/** `Environment="A=b c" D=e` → [[A, 'b c'], [D, 'e']]. */
function environmentAssignments(value: string): Array<[string, string]> {
  const result: Array<[string, string]> = [];
  for (const match of value.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
    const item = match[1] ?? match[2] ?? match[3]!;
    const eq = item.indexOf('=');
    if (eq > 0) result.push([item.slice(0, eq), item.slice(eq + 1)]);
  }
  return result;
}

function applyUnit(settings: UnitSettings, text: string): void {
  let section = '';
  for (const line of logicalLines(text)) {
    const trimmed = line.trim();
    if (trimmed.startsWith('[')) section = trimmed;
    if (section !== '[Service]' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) continue;
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    if (key === 'Environment') settings.environment.push(...environmentAssignments(value));
    if (key === 'EnvironmentFile') settings.environmentFiles.push(value.replace(/^-/, ''));
    // An empty ExecStart= clears the list; a drop-in then sets the kubelet's command line.
    if (key === 'ExecStart') settings.execStart = value === '' ? undefined : value;
  }
}

function unitFiles(files: HostFiles): string[] {
  const main = UNIT_DIRS.map((dir) => `${dir}/kubelet.service`).find((path) => files.read(path) !== undefined);
  const dropIns = new Map<string, string>();
  for (const dir of [...UNIT_DIRS].reverse()) {
    for (const name of files.list(`${dir}/kubelet.service.d`))
      if (name.endsWith('.conf')) dropIns.set(name, `${dir}/kubelet.service.d/${name}`);
  }
  const ordered = [...dropIns.keys()].sort().map((name) => dropIns.get(name)!);
  return main ? [main, ...ordered] : ordered;
}

function references(execStart: string, variable: string): boolean {
  return new RegExp(`\\$(${variable}\\b|\\{${variable}\\})`).test(execStart);
}

/** Flag values in a word list: `--flag=value` or `--flag value`. */
export function flagValue(list: string[], flag: string): string | undefined {
  let found: string | undefined;
  list.forEach((word, i) => {
    if (word.startsWith(`${flag}=`)) found = word.slice(flag.length + 1);
    else if (word === flag) found = list[i + 1];
  });
  return found;
}

/**
 * Detects the layout. `ownWords` are the words a previous install appended to
 * the layout's variable: they do not count as flags the kubelet already had.
 */
export function detectLayout(files: HostFiles, ownWords: readonly string[] = []): LayoutDetection {
  const units = unitFiles(files);
  if (units.length === 0) {
    return {
      ok: false,
      message: `No kubelet systemd unit found (looked for kubelet.service and kubelet.service.d/*.conf in ${UNIT_DIRS.join(', ')}). Only systemd-managed kubelets (kubeadm, ACK) are supported; add ${CONFIG_FLAG} and ${BIN_DIR_FLAG} to the kubelet yourself.`,
    };
  }
  const settings: UnitSettings = { environment: [], environmentFiles: [], execStart: undefined };
  for (const unit of units) applyUnit(settings, files.read(unit)!);
  const execStart = settings.execStart;
  if (execStart === undefined)
    return {
      ok: false,
      message: `The kubelet unit (${units.join(', ')}) has no ExecStart: cannot tell how the kubelet is started.`,
    };

  const rule = RULES.find(
    (r) => references(execStart, r.variable) && r.environmentFiles.some((f) => settings.environmentFiles.includes(f)),
  );
  if (!rule) {
    const known = RULES.map((r) => `$${r.variable} from ${r.environmentFiles.join(' or ')}`).join('; ');
    return {
      ok: false,
      message: `Unknown kubelet layout: the kubelet unit (${units.join(', ')}) passes none of: ${known}. Refusing to guess where kubelet flags go; add ${CONFIG_FLAG} and ${BIN_DIR_FLAG} to the kubelet yourself.`,
    };
  }
  const environmentFile = settings.environmentFiles.findLast((f) => rule.environmentFiles.includes(f))!;

  // What the kubelet's command line expands to: Environment= first, EnvironmentFile= overriding in order.
  const variables = new Map(settings.environment);
  for (const file of settings.environmentFiles) {
    const text = files.read(file);
    if (text !== undefined) for (const a of parseEnvironmentFile(text)) variables.set(a.name, a.value);
  }
  const own = words(variables.get(rule.variable) ?? '');
  variables.set(rule.variable, own.filter((word) => !ownWords.includes(word)).join(' '));
  const commandLine = words(
    execStart.replace(
      /\$\{(\w+)\}|\$(\w+)/g,
      (_, a: string | undefined, b: string | undefined) => variables.get((a ?? b)!) ?? '',
    ),
  );
  return {
    ok: true,
    layout: {
      kind: rule.kind,
      variable: rule.variable,
      environmentFile,
      unitFiles: units,
      existing: { config: flagValue(commandLine, CONFIG_FLAG), binDir: flagValue(commandLine, BIN_DIR_FLAG) },
      featureGates: flagValue(commandLine, '--feature-gates'),
      kubeletConfigFile: flagValue(commandLine, '--config'),
      kubeletConfigDir: flagValue(commandLine, '--config-dir'),
    },
  };
}
