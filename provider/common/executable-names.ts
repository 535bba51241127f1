// The names the one executable answers to. build.mjs links each in dist/ to
// it, the node-setup image carries the same links, node-setup installs the
// provider's names on hosts, and the launcher picks a role by them.

/** The executable itself; under this name the first word picks the role. */
export const EXECUTABLE_NAME = 'acr-credentials';
/** The kubelet's credential provider. */
export const PROVIDER_NAME = 'acr-credential-provider';
/** The provider again, under the name of its ServiceAccount-token entry in the kubelet's config. */
export const POD_IDENTITY_PROVIDER_NAME = 'acr-credential-provider-pod-identity';
/** `kubectl acr`: kubectl runs plugins by this name. */
export const PLUGIN_NAME = 'kubectl-acr';
/** kubectl (1.26+) runs this for completion of `kubectl acr …`. */
export const KUBECTL_COMPLETION_NAME = 'kubectl_complete-acr';
/** The node installer the DaemonSet runs. */
export const NODE_SETUP_EXECUTABLE = 'acr-node-setup';
/** The Docker credential helper: docker, nerdctl, buildkit, skopeo, podman, buildah run `docker-credential-<name>`. */
export const DOCKER_CREDENTIAL_NAME = 'docker-credential-acr';
