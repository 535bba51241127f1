import { describe, expect, it } from 'vitest';
import { detectLayout, flagValue, type HostFiles } from '../../node-setup/kubelet-layout.js';
import { ACK_CUSTOMIZED_ARGS, ACK_DROP_IN, KUBEADM_DROP_IN } from './host-fixture.js';

function files(map: Record<string, string>): HostFiles {
  return {
    read: (path) => map[path],
    list: (dir) =>
      Object.keys(map)
        .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'))
        .map((p) => p.slice(dir.length + 1)),
  };
}

const deb = KUBEADM_DROP_IN.replace('${ENVFILE}', '/etc/default/kubelet');
const rpm = KUBEADM_DROP_IN.replace('${ENVFILE}', '/etc/sysconfig/kubelet');

describe('detectLayout', () => {
  it.each([
    [
      'kubeadm deb in /usr/lib',
      { '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': deb },
      'kubeadm',
      'KUBELET_EXTRA_ARGS',
      '/etc/default/kubelet',
    ],
    [
      'kubeadm rpm in /usr/lib',
      { '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': rpm },
      'kubeadm',
      'KUBELET_EXTRA_ARGS',
      '/etc/sysconfig/kubelet',
    ],
    [
      'kubeadm drop-in in /etc',
      { '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf': deb },
      'kubeadm',
      'KUBELET_EXTRA_ARGS',
      '/etc/default/kubelet',
    ],
    [
      'ACK',
      {
        '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf': ACK_DROP_IN,
        '/etc/kubernetes/kubelet-customized-args.conf': ACK_CUSTOMIZED_ARGS,
      },
      'ack',
      'KUBELET_CUSTOMIZED_ARGS',
      '/etc/kubernetes/kubelet-customized-args.conf',
    ],
    [
      'an /etc drop-in of the same name overrides /usr/lib',
      {
        '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': 'garbage',
        '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf': rpm,
      },
      'kubeadm',
      'KUBELET_EXTRA_ARGS',
      '/etc/sysconfig/kubelet',
    ],
  ])('%s', (_, map, kind, variable, environmentFile) => {
    const result = detectLayout(files(map));
    expect(result).toMatchObject({
      ok: true,
      layout: { kind, variable, environmentFile, existing: { config: undefined, binDir: undefined } },
    });
  });

  it.each([
    ['no unit at all', {}, /No kubelet systemd unit/],
    [
      'ExecStart inline without a known variable',
      { '/etc/systemd/system/kubelet.service': '[Service]\nExecStart=/usr/bin/kubelet --v=2\n' },
      /Unknown kubelet layout/,
    ],
    [
      'a later drop-in replaces ExecStart without the variable',
      {
        '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': deb,
        '/etc/systemd/system/kubelet.service.d/20-mine.conf':
          '[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --config=/x\n',
      },
      /Unknown kubelet layout/,
    ],
    [
      'variable used but its file not sourced',
      {
        '/etc/systemd/system/kubelet.service':
          '[Service]\nEnvironmentFile=/etc/kubelet.env\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n',
      },
      /Unknown kubelet layout/,
    ],
    [
      'ExecStart cleared and never set',
      { '/etc/systemd/system/kubelet.service': '[Service]\nExecStart=\n' },
      /no ExecStart/,
    ],
  ])('refuses: %s', (_, map, message) => {
    const result = detectLayout(files(map));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('finds credential provider flags the kubelet already has, from any variable, but not the words we added', () => {
    const map = {
      '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf': deb,
      '/var/lib/kubelet/kubeadm-flags.env':
        'KUBELET_KUBEADM_ARGS="--image-credential-provider-config /etc/k/cp.yaml --image-credential-provider-bin-dir=/opt/cp"\n',
      '/etc/default/kubelet': 'KUBELET_EXTRA_ARGS="--image-credential-provider-config=/ours.yaml"\n',
    };
    const theirs = detectLayout(files(map), ['--image-credential-provider-config=/ours.yaml']);
    expect(theirs).toMatchObject({ ok: true, layout: { existing: { config: '/etc/k/cp.yaml', binDir: '/opt/cp' } } });
    const onlyOurs = detectLayout(files({ ...map, '/var/lib/kubelet/kubeadm-flags.env': '' }), [
      '--image-credential-provider-config=/ours.yaml',
    ]);
    expect(onlyOurs).toMatchObject({ ok: true, layout: { existing: { config: undefined, binDir: undefined } } });
  });
});

describe('flagValue', () => {
  it.each([
    [['--f=1'], '1'],
    [['--f', '2'], '2'],
    [['--f=1', '--f=3'], '3'],
    [['--ff=1'], undefined],
  ])('%j', (list, expected) => {
    expect(flagValue(list, '--f')).toBe(expected);
  });
});
