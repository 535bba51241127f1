// What every command runs against: the process edges (environment, output
// streams, stdin, clock) passed in, and one mapping from failures to the
// plugin's exit codes.

import { readFileSync } from 'node:fs';
import { KubeApiError, KubeConfigError, type ConnectionFlags } from './kube-client.js';
import { EXIT, UsageError, type ExitCode } from '../provider/common/exit-codes.js';

export interface Runtime {
  env: Record<string, string | undefined>;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): string;
  now(): Date;
}

/** Flags every command takes, as yargs hands them over. */
export interface GlobalArgs {
  kubeconfig?: string;
  context?: string;
  'request-timeout'?: string;
}

export function connectionFlags(args: GlobalArgs): ConnectionFlags {
  return { kubeconfig: args.kubeconfig, context: args.context, requestTimeout: args['request-timeout'] };
}

/** What an apiserver refusal means to the operator. */
function apiFailureHint(error: KubeApiError): string {
  switch (error.status) {
    case 401:
      return ' Your credentials were not accepted: check the kubeconfig user.';
    case 403:
      return ' Your user lacks permission for this; ask a cluster admin or use another --context.';
    default:
      return '';
  }
}

/** Reports an unexpected failure and returns its exit code. */
export function reportFailure(error: unknown, runtime: Runtime): ExitCode {
  if (error instanceof UsageError || error instanceof KubeConfigError) {
    runtime.stderr(`error: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof KubeApiError) {
    runtime.stderr(
      `error: ${error.method} ${error.path}: ${error.status} ${error.reason}: ${error.message}.${apiFailureHint(error)}\n`,
    );
    return EXIT.failure;
  }
  runtime.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failure;
}

export function processRuntime(): Runtime {
  return {
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    readFile: (path) => readFileSync(path, 'utf8'),
    now: () => new Date(),
  };
}
