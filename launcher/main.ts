// The executable's entry point (the SEA main script): picks the role, then
// loads only that role's bundle. Kept tiny: it is compiled on every start of
// every role, before the role's own code.
import { openBundle } from '../provider/common/bundle-loader.js';
import { EXECUTABLE_NAME } from '../provider/common/executable-names.js';
import { EXIT } from '../provider/common/exit-codes.js';
import { versionLine } from '../provider/common/version.js';
import { chooseRole, HELP, ROLES } from './roles.js';

/** What every role's bundle exports: it owns its output and exit code from here on. */
interface RoleModule {
  run(args: string[], invokedAs: string): void;
}

function isRoleModule(value: unknown): value is RoleModule {
  return typeof value === 'object' && value !== null && typeof (value as RoleModule).run === 'function';
}

/**
 * Each bundle in the executable with its size and whether V8 took its code
 * cache: a rejected cache still works, compiled from source at every start,
 * so a build that gets it wrong must be seen here and in the tests.
 */
function bundleReport(): number {
  const sea = process.getBuiltinModule('node:sea');
  const bundles = sea.getAssetKeys().filter((key) => key.endsWith('.cjs'));
  const lines = bundles.map((bundle) => ({
    bundle,
    codeCache: openBundle(bundle).codeCache,
    size: sea.getAsset(bundle).byteLength,
  }));
  for (const { bundle, codeCache, size } of lines) {
    process.stdout.write(`${bundle.padEnd(32)}${String(size).padStart(9)} bytes  code cache ${codeCache}\n`);
  }
  const roles = ROLES.every((role) => bundles.includes(role.bundle));
  return roles && lines.every((line) => line.codeCache === 'accepted') ? EXIT.ok : EXIT.failure;
}

const choice = chooseRole(process.argv0, process.argv.slice(2));
switch (choice.kind) {
  case 'role': {
    const { exports } = openBundle(choice.role.bundle);
    if (!isRoleModule(exports)) throw new Error(`the ${choice.role.bundle} asset exports no run()`);
    exports.run(choice.args, choice.invokedAs);
    break;
  }
  case 'help':
    process.stdout.write(HELP);
    break;
  case 'version':
    process.stdout.write(`${versionLine(EXECUTABLE_NAME)}\n`);
    break;
  case 'bundles':
    process.exitCode = bundleReport();
    break;
  case 'usage-error':
    process.stderr.write(`error: ${choice.message}\n\n${HELP}`);
    process.exitCode = EXIT.usage;
    break;
}
