// One convention for every program (provider, kubectl-acr, node setup):
// 0 success, 1 runtime failure, 2 bad usage or invalid configuration.

export const EXIT = {
  ok: 0,
  /** A runtime failure (the cloud, the cluster, the host), or `status` found problems. */
  failure: 1,
  /** Bad usage, a bad request or an invalid configuration: the caller must change something. */
  usage: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how a program was called; reported on stderr with exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
