import { describe, expect, it } from 'vitest';
import { isRegionId } from '../../../provider/common/region-id.js';

describe('isRegionId', () => {
  it.each([
    'cn-hangzhou',
    'cn-shanghai-finance-1',
    'ap-southeast-1',
    'cn-north-2-gov-1',
    'cn-heyuan-acdr-1',
    'me-east-1',
  ])('accepts %s', (region) => expect(isRegionId(region)).toBe(true));
  it.each([
    '',
    'hangzhou',
    'cn_hangzhou',
    'CN-HANGZHOU',
    'cn-',
    '-cn-hangzhou',
    'cn--hangzhou',
    'c-hangzhou',
    'cn-hangzhou ',
    'cn-hangzhou.evil',
  ])('refuses %j', (region) => expect(isRegionId(region)).toBe(false));
});
