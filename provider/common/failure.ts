// A failure as an operator needs it: which registry, which instance, which
// identity (never a secret), what Alibaba Cloud said and what to change. Every
// program prints these fields; each decides the layout.

export interface Failure {
  /** 1: runtime failure (the kubelet pulls without credentials); 2: bad request or configuration. */
  exitCode: 1 | 2;
  /** registry host[:port] from the image, when known. */
  host?: string | undefined;
  /** e.g. `cri-xxx (cn-hangzhou)` or `Personal Edition (cn-hangzhou)`. */
  instance?: string | undefined;
  /** Role name, role ARN or AccessKey ID; never a secret. */
  identity?: string | undefined;
  /** Alibaba Cloud error code, or the project's own (e.g. `MetadataUnavailable`, `InstanceNotFound`). */
  code?: string | undefined;
  requestId?: string | undefined;
  message: string;
  fix?: string | undefined;
}
