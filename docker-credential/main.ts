// docker-credential-acr: the Docker credential helper. docker, nerdctl,
// buildkit, skopeo, podman and buildah run it for a registry listed in their
// `credHelpers`; it answers from the provider's own core: one configuration,
// one credential chain, one cache (the provider's, when root on a node).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { EXIT } from '../provider/common/exit-codes.js';
import { DOCKER_CREDENTIAL_NAME } from '../provider/common/executable-names.js';
import { DEFAULT_CACHE_DIR } from '../provider/common/paths.js';
import { readStdin, writeAll, writeLines } from '../provider/common/standard-streams.js';
import { versionLine } from '../provider/common/version.js';
import { parseImageReference } from '../provider/registry/image-reference.js';
import { loadColdModule, loadColdPath } from '../provider/kubelet/cold-path-loader.js';
import { collectingLogger, credentialsForImage } from '../provider/kubelet/provide-credentials.js';
import type { ProviderOptions } from '../provider/kubelet/provider-cli.js';
import { formatFailure } from '../provider/kubelet/provider-error.js';
import { HELPER_VARIABLES, helperOptions } from './helper-options.js';
import {
  ACR_TEMP_USERNAME,
  getAnswer,
  listAnswer,
  NOT_FOUND,
  parseHelperArgs,
  registryAuthority,
} from './helper-protocol.js';
import { chainSourcesPresent, withWorkstationCredentials } from './workstation-credentials.js';

const HELP = `Usage: ${DOCKER_CREDENTIAL_NAME} get|list|store|erase|version

The Docker credential helper for Alibaba Cloud Container Registry. List it in
~/.docker/config.json (docker, nerdctl, buildkit) or in containers' auth.json
(skopeo, podman, buildah):
  { "credHelpers": { "<registry host>": "acr" } }

  get      the registry's server URL on stdin; prints {"ServerURL","Username","Secret"}
           with a temporary ACR token, or "${NOT_FOUND}" (exit 1) for a
           registry that is not ACR's
  list     the registries the configuration names
  store    accepted and ignored: ACR tokens are temporary (docker login keeps working)
  erase    accepted and ignored (docker logout keeps working)
  version  print the version

Configuration: acr-configuration at $${HELPER_VARIABLES.config} (default: the node's mirror; without
one the registry host alone decides). Credentials: the provider's chain; where there is no
node identity, ALIBABA_CLOUD_ACCESS_KEY_*, the aliyun CLI's profile or ~/.alibabacloud/credentials.
Cache: the provider's when run as root on a node, else $XDG_CACHE_HOME/acr-credentials
($${HELPER_VARIABLES.cacheDir} to choose). $${HELPER_VARIABLES.region}: the region where the host
does not say it. $${HELPER_VARIABLES.logLevel}: error, warn, info or debug.
`;

/** The repository in the image reference a `get` stands for: decisions are per host, the path is never used. */
const ANY_REPOSITORY = 'credential-helper';

function options(): ProviderOptions | number {
  const chosen = helperOptions({
    env: process.env,
    uid: process.getuid?.(),
    home: homedir(),
    providerCacheExists: existsSync(DEFAULT_CACHE_DIR),
  });
  if (chosen.ok) return chosen.options;
  writeAll(2, `${formatFailure({ exitCode: 2, message: chosen.message })}\n`);
  return EXIT.usage;
}

/**
 * `get`: clients show stdout when the exit code is not 0, so a failure's one
 * line goes there (redacted like the provider's); logs go to stderr.
 */
async function get(): Promise<number> {
  const serverUrl = readStdin();
  const authority = registryAuthority(serverUrl);
  if (!authority.ok) {
    writeAll(1, `${formatFailure({ exitCode: 2, message: authority.message })}\n`);
    return EXIT.usage;
  }
  const reference = parseImageReference(`${authority.authority}/${ANY_REPOSITORY}`);
  if (!reference.ok) {
    writeAll(1, `${NOT_FOUND}\n`);
    return EXIT.failure;
  }
  const chosen = options();
  if (typeof chosen === 'number') return chosen;
  const outcome = await credentialsForImage(
    { apiVersion: 'credentialprovider.kubelet.k8s.io/v1', image: `${reference.ref.host}/${ANY_REPOSITORY}` },
    reference.ref,
    {
      options: chosen,
      env: chainSourcesPresent(process.env, homedir(), existsSync)
        ? await withWorkstationCredentials(process.env)
        : process.env,
      now: Date.now,
      loadColdPath,
    },
  );
  writeLines(2, outcome.stderr);
  if (!outcome.ok) {
    writeAll(1, `${outcome.line}\n`);
    return outcome.exitCode;
  }
  if (outcome.answer.kind === 'not-served') {
    writeAll(1, `${NOT_FOUND}\n`);
    return EXIT.failure;
  }
  const { token } = outcome.answer;
  writeAll(1, getAnswer(serverUrl, token.username, token.password));
  return EXIT.ok;
}

/** `list`: every host the configuration names (an entry's `domains`); wildcards are not hosts. */
async function list(): Promise<number> {
  const chosen = options();
  if (typeof chosen === 'number') return chosen;
  const { openCacheStore, loadProviderConfiguration, writeFileAtomic, ensureDirectory } = await loadColdModule();
  const lines: string[] = [];
  const store = openCacheStore(chosen.cacheDir, { writeFileAtomic, ensureDirectory });
  const loaded = loadProviderConfiguration(chosen.configPath, store, collectingLogger(chosen.logLevel, lines));
  writeLines(2, lines);
  if (!loaded.ok) {
    writeAll(1, `${formatFailure(loaded.failure)}\n`);
    return loaded.failure.exitCode;
  }
  const hosts = [...new Set(loaded.value.config.registries.flatMap((entry) => entry.domains ?? []))].sort();
  writeAll(1, listAnswer(hosts, ACR_TEMP_USERNAME));
  return EXIT.ok;
}

async function main(args: string[]): Promise<number> {
  const call = parseHelperArgs(args);
  switch (call.kind) {
    case 'help':
      writeAll(1, HELP);
      return EXIT.ok;
    case 'usage-error':
      writeAll(2, `error: ${call.message}\n\n${HELP}`);
      return EXIT.usage;
    case 'verb':
      break;
  }
  switch (call.verb) {
    case 'version':
      writeAll(1, `${versionLine(DOCKER_CREDENTIAL_NAME)}\n`);
      return EXIT.ok;
    case 'store':
    case 'erase':
      // Read what the client sends, so it never meets a closed pipe.
      readStdin();
      return EXIT.ok;
    case 'list':
      return list();
    case 'get':
      return get();
  }
}

/** The role's entry point (the launcher calls it). Exits once answered: a cloud client's keep-alive socket must not hold a pull. */
export function run(args: string[]): void {
  // openapi-core calls url.parse(); its deprecation warning would be noise on stderr.
  process.noDeprecation = true;
  main(args).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Only the error's class: an unexpected error's message could quote anything.
      const what = error instanceof Error ? error.name : typeof error;
      writeAll(
        1,
        `${formatFailure({ exitCode: 1, code: 'InternalError', message: `unexpected failure (${what})` })}\n`,
      );
      process.exit(EXIT.failure);
    },
  );
}
