import { describe, expect, it } from 'vitest';
import { chooseRole, commandName, HELP, ROLES } from '../../launcher/roles.js';

const roleOf = (argv0: string, args: string[]) => {
  const choice = chooseRole(argv0, args);
  return choice.kind === 'role' ? { role: choice.role.name, invokedAs: choice.invokedAs, args: choice.args } : choice;
};

describe('chooseRole', () => {
  it.each([
    { argv0: '/usr/local/bin/acr-credential-provider', args: ['--version'], role: 'acr-credential-provider' },
    {
      argv0: '/etc/kubernetes/credential-provider/acr-credential-provider-pod-identity',
      args: [],
      role: 'acr-credential-provider',
    },
    { argv0: 'kubectl-acr', args: ['status'], role: 'kubectl-acr' },
    { argv0: '/home/ana/bin/kubectl_complete-acr', args: ['st'], role: 'kubectl-acr' },
    { argv0: '/acr-node-setup', args: ['install'], role: 'acr-node-setup' },
    { argv0: 'docker-credential-acr', args: ['get'], role: 'docker-credential-acr' },
    { argv0: 'C:\\tools\\kubectl-acr.exe', args: ['--help'], role: 'kubectl-acr' },
  ])('by name: $argv0', ({ argv0, args, role }) => {
    expect(roleOf(argv0, args)).toEqual({ role, invokedAs: commandName(argv0), args });
  });

  it.each([
    { args: ['acr-credential-provider', '--version'], role: 'acr-credential-provider', rest: ['--version'] },
    { args: ['kubectl-acr', 'status', '-o', 'json'], role: 'kubectl-acr', rest: ['status', '-o', 'json'] },
    { args: ['docker-credential-acr', 'get'], role: 'docker-credential-acr', rest: ['get'] },
    { args: ['acr-node-setup'], role: 'acr-node-setup', rest: [] },
  ])('by first word: $args', ({ args, role, rest }) => {
    expect(roleOf('/usr/local/bin/acr-credentials', args)).toEqual({ role, invokedAs: role, args: rest });
  });

  it('an alias is a name to be started by, not a first word', () => {
    expect(chooseRole('acr-credentials', ['kubectl_complete-acr'])).toEqual({
      kind: 'usage-error',
      message: '"kubectl_complete-acr" is not a role',
    });
  });

  it.each([
    { args: [], choice: { kind: 'usage-error', message: 'name a role' } },
    { args: ['--help'], choice: { kind: 'help' } },
    { args: ['-h'], choice: { kind: 'help' } },
    { args: ['help'], choice: { kind: 'help' } },
    { args: ['--version'], choice: { kind: 'version' } },
    { args: ['--bundles'], choice: { kind: 'bundles' } },
    { args: ['provider'], choice: { kind: 'usage-error', message: '"provider" is not a role' } },
  ])('under its own name: $args', ({ args, choice }) => {
    expect(chooseRole('acr-credentials', args)).toEqual(choice);
  });

  it('help names every role', () => {
    for (const role of ROLES) expect(HELP).toContain(role.name);
  });
});

describe('commandName', () => {
  it.each([
    ['/usr/bin/kubectl-acr', 'kubectl-acr'],
    ['kubectl-acr', 'kubectl-acr'],
    ['C:\\bin\\kubectl-acr.EXE', 'kubectl-acr'],
    ['./dist/acr-credentials', 'acr-credentials'],
  ])('%s', (argv0, name) => {
    expect(commandName(argv0)).toBe(name);
  });
});
