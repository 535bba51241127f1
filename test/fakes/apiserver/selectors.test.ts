import { describe, expect, it } from 'vitest';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

const labels = { app: 'sync', tier: 'web', 'example.com/owner': 'acr' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=sync', true],
    ['app==sync', true],
    ['app=other', false],
    ['app!=other', true],
    ['app!=sync', false],
    ['missing!=x', true],
    ['tier in (web, db)', true],
    ['tier in (db)', false],
    ['tier notin (db)', true],
    ['missing notin (db)', true],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['example.com/owner=acr', true],
    ['app=sync,tier in (web,db),!missing', true],
    ['app=sync,tier in (db,x)', false],
  ])('%j matches %s', (selector, expected) => {
    const parsed = parseLabelSelector(selector);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(matchesLabels(parsed.value, labels)).toBe(expected);
  });

  it.each(['app=sync=x', 'a b', 'app in db', 'app=bad value', 'Bad_/key=x'])('%j is rejected', (selector) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(false);
  });

  it('an object without labels matches only absence requirements', () => {
    const parsed = parseLabelSelector('!app,x notin (y)');
    expect(parsed.ok && matchesLabels(parsed.value, undefined)).toBe(true);
  });
});

describe('field selectors', () => {
  const object = { metadata: { name: 'cfg', namespace: 'kube-system' }, type: 'kubernetes.io/dockerconfigjson' };
  it.each([
    ['configmaps', 'metadata.name=cfg', true],
    ['configmaps', 'metadata.name==cfg', true],
    ['configmaps', 'metadata.name!=cfg', false],
    ['configmaps', 'metadata.namespace=kube-system,metadata.name=cfg', true],
    ['configmaps', 'metadata.namespace=default', false],
    ['secrets', 'type=kubernetes.io/dockerconfigjson', true],
  ])('%s %j matches %s', (resource, selector, expected) => {
    const parsed = parseFieldSelector(selector, resource);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(matchesFields(parsed.value, object)).toBe(expected);
  });

  it('rejects fields the resource does not index, as the apiserver does', () => {
    expect(parseFieldSelector('type=Opaque', 'configmaps')).toEqual({
      ok: false,
      message: 'field label not supported: type',
    });
    expect(parseFieldSelector('metadata.name', 'configmaps').ok).toBe(false);
  });
});
