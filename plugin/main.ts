import { versionLine } from '../provider/version.js';

if (process.argv.includes('--version')) {
  console.log(versionLine('kubectl-acr'));
}
