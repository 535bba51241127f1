import { versionLine } from './version.js';

if (process.argv.includes('--version')) {
  console.log(versionLine('acr-credential-provider'));
}
