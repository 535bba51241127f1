import { defineConfig } from 'vitest/config';

// The unit tests of the pure core, for `npm run mutate`: no built executable,
// no end-to-end suite, so each mutant runs in milliseconds.
export default defineConfig({
  test: {
    include: [
      'test/provider/common/**/*.test.ts',
      'test/provider/configuration/**/*.test.ts',
      'test/provider/registry/**/*.test.ts',
      'test/provider/kubelet/kubelet-protocol.test.ts',
      'test/provider/kubelet/provider-cli.test.ts',
      'test/provider/kubelet/provider-error.test.ts',
      'test/provider/cache/cache-store.test.ts',
      'test/provider/cache/records.test.ts',
      'test/provider/credentials/identity.test.ts',
      'test/provider/credentials/workload-identity.test.ts',
      'test/plugin/configure-plan.test.ts',
      'test/plugin/completion.test.ts',
      'test/launcher/roles.test.ts',
      'test/docker-credential/helper-protocol.test.ts',
      'test/docker-credential/helper-options.test.ts',
    ],
    pool: 'forks',
  },
});
