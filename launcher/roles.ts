// Which role the one executable plays: the name it was started by (busybox's
// rule: kubelet, kubectl, docker and krew each start it under the name they
// know), else the first word. Pure: the launcher passes argv in.
import {
  DOCKER_CREDENTIAL_NAME,
  EXECUTABLE_NAME,
  KUBECTL_COMPLETION_NAME,
  NODE_SETUP_EXECUTABLE,
  PLUGIN_NAME,
  POD_IDENTITY_PROVIDER_NAME,
  PROVIDER_NAME,
} from '../provider/common/executable-names.js';

export interface Role {
  /** The role's own name: a first word that selects it, and its links in dist/. */
  name: string;
  /** Other names that start it (links made elsewhere: node-setup's, kubectl's completion helper). */
  aliases: readonly string[];
  /** Its bundle among the executable's assets (build.mjs). */
  bundle: string;
  summary: string;
}

export const ROLES: readonly Role[] = [
  {
    name: PROVIDER_NAME,
    aliases: [POD_IDENTITY_PROVIDER_NAME],
    bundle: 'acr-credential-provider.cjs',
    summary: "the kubelet's image credential provider",
  },
  {
    name: PLUGIN_NAME,
    aliases: [KUBECTL_COMPLETION_NAME],
    bundle: 'kubectl-acr.cjs',
    summary: 'the kubectl plugin (`kubectl acr`)',
  },
  {
    name: NODE_SETUP_EXECUTABLE,
    aliases: [],
    bundle: 'acr-node-setup.cjs',
    summary: 'the node installer the DaemonSet runs',
  },
  {
    name: DOCKER_CREDENTIAL_NAME,
    aliases: [],
    bundle: 'docker-credential-acr.cjs',
    summary: 'the Docker credential helper (docker, nerdctl, buildkit, skopeo, podman, buildah)',
  },
];

export type LaunchChoice =
  | { kind: 'role'; role: Role; invokedAs: string; args: string[] }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'bundles' }
  | { kind: 'usage-error'; message: string };

/** A program's name as started: the base name, without Windows' `.exe`. */
export function commandName(argv0: string): string {
  const base = argv0.split(/[\\/]/).at(-1) ?? argv0;
  return base.toLowerCase().endsWith('.exe') ? base.slice(0, -4) : base;
}

const roleNamed = (name: string): Role | undefined =>
  ROLES.find((role) => role.name === name || role.aliases.includes(name));

export function chooseRole(argv0: string, args: readonly string[]): LaunchChoice {
  const invokedAs = commandName(argv0);
  const byName = roleNamed(invokedAs);
  if (byName) return { kind: 'role', role: byName, invokedAs, args: [...args] };
  const [first, ...rest] = args;
  if (first === undefined) return { kind: 'usage-error', message: 'name a role' };
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help' };
  if (first === '--version') return { kind: 'version' };
  if (first === '--bundles') return { kind: 'bundles' };
  const role = ROLES.find((candidate) => candidate.name === first);
  if (role) return { kind: 'role', role, invokedAs: role.name, args: rest };
  return { kind: 'usage-error', message: `${JSON.stringify(first)} is not a role` };
}

export const HELP = `Usage: ${EXECUTABLE_NAME} <role> [arguments]
       <role> [arguments]          (the executable started under a role's name)

One executable for every role; each is also a link named after it:
${ROLES.map((role) => `  ${role.name.padEnd(26)}${role.summary}`).join('\n')}

  ${EXECUTABLE_NAME} --version     print the version
  ${EXECUTABLE_NAME} --bundles     load every role's bundle and say whether its code cache was used
`;
