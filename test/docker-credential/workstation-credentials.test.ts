import { describe, expect, it } from 'vitest';
import { chainSourcesPresent } from '../../docker-credential/workstation-credentials.js';

describe('chainSourcesPresent: @alicloud/credentials is loaded only when its chain has something to read', () => {
  const none = () => false;
  it.each([
    { name: 'nothing (a node)', env: {}, files: [], present: false },
    { name: 'an AccessKey variable', env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-x' }, files: [], present: true },
    { name: 'an empty variable is unset', env: { ALIBABA_CLOUD_ACCESS_KEY_ID: '' }, files: [], present: false },
    {
      name: "an RRSA pod's role variable",
      env: { ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/r' },
      files: [],
      present: true,
    },
    {
      name: 'a credentials URI',
      env: { ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9/c' },
      files: [],
      present: true,
    },
    { name: 'a credentials file variable', env: { ALIBABA_CLOUD_CREDENTIALS_FILE: '/x' }, files: [], present: true },
    { name: "the aliyun CLI's config", env: {}, files: ['/home/ana/.aliyun/config.json'], present: true },
    { name: 'the shared credentials file', env: {}, files: ['/home/ana/.alibabacloud/credentials'], present: true },
    { name: "another user's files do not count", env: {}, files: ['/root/.alibabacloud/credentials'], present: false },
  ])('$name', ({ env, files, present }) => {
    expect(chainSourcesPresent(env, '/home/ana', (path) => (files as readonly string[]).includes(path))).toBe(present);
    expect(chainSourcesPresent(env, '/home/ana', none)).toBe(present && files.length === 0);
  });
});
