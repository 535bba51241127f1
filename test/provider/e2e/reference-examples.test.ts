// Every acr-configuration example published for aliyun-acr-credential-helper,
// byte for byte as a user would have it on a node, is a configuration the
// provider runs with: no example makes it refuse the configuration (exit 2).
// The examples hold placeholders (cri-xxx, AccessKey xxxxx), so a pull may
// still fail at the cloud (exit 1) — but only there, never at parsing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadableReferenceExamples, referenceExamplesDir } from '../../support/reference-examples.js';
import { requestFor, startNode, WORKER_PRINCIPAL, type Node } from './harness.js';

let node: Node;

beforeAll(async () => {
  node = await startNode();
  node.fake.allowPersonal('cn-hangzhou', [WORKER_PRINCIPAL]);
});

afterAll(async () => {
  await node.close();
});

test.each(loadableReferenceExamples())('%s is accepted by the provider', async (file) => {
  const text = readFileSync(join(referenceExamplesDir, file), 'utf8');
  node.writeConfig(text);
  // A fresh cache each time: the last valid configuration of a previous
  // example must not be what answers.
  const cacheDir = join(node.root, 'cache', file);
  const result = await node.run(requestFor('registry.cn-hangzhou.aliyuncs.com/team/app'), ['--cache-dir', cacheDir]);
  expect(result.stderr).not.toMatch(/invalid configuration|last valid|line \d+/i);
  if (text.includes('customAccessKey:')) {
    // The documented placeholder AccessKey reaches the cloud, which refuses it.
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/accessKey xxxxx.*code InvalidAccessKeyId\.NotFound/);
  } else {
    expect(result.code, result.stderr).toBe(0);
    expect(Object.keys(JSON.parse(result.stdout).auth)).toContain('registry.cn-hangzhou.aliyuncs.com');
  }
});
