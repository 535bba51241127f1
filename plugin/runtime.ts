// What every command runs against: the process edges (environment, output
// streams, stdin, clock), passed in.

import { readFileSync } from 'node:fs';
import type { ConnectionFlags } from './kube-client.js';

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
