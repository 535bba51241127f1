// The npm package's way in: the same role bundles the executable carries
// (dist/bundles, from build.mjs), run by the user's own Node — on macOS,
// Windows and Linux alike. Node's compile cache keeps their compiled code
// between runs, as the executable's code caches do.
'use strict';
const { join } = require('node:path');

const MINIMUM = [22, 3];

module.exports = function startRole(role, invokedAs) {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < MINIMUM[0] || (major === MINIMUM[0] && minor < MINIMUM[1])) {
    process.stderr.write(
      `error: ${invokedAs} needs Node ${MINIMUM.join('.')} or newer; this is Node ${process.versions.node}. Install a newer Node (https://nodejs.org) and run it again.\n`,
    );
    process.exitCode = 2;
    return;
  }
  require('node:module').enableCompileCache?.();
  const bundles = join(__dirname, '..', 'dist', 'bundles');
  globalThis[Symbol.for('acr-credentials.bundle-dir')] = bundles;
  require(join(bundles, `${role}.cjs`)).run(process.argv.slice(2), invokedAs);
};
