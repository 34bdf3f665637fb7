/**
 * Image references as archives write them, in the short form users type:
 * Docker 25+ and containerd write "docker.io/library/busybox:latest" where
 * `docker images` shows "busybox:latest".
 */

export function shortRef(ref: string): string {
  if (ref.startsWith('docker.io/library/')) return ref.slice('docker.io/library/'.length);
  if (ref.startsWith('docker.io/')) return ref.slice('docker.io/'.length);
  return ref;
}

/** The forms a user may give for the same reference: with or without localhost/, docker.io, :latest. */
export function refVariants(ref: string): string[] {
  const short = shortRef(ref);
  const noHost = short.startsWith('localhost/') ? short.slice('localhost/'.length) : short;
  const lastPart = noHost.slice(noHost.lastIndexOf('/') + 1);
  const tagged = lastPart.includes(':') || lastPart.includes('@') ? noHost : `${noHost}:latest`;
  return [tagged, `localhost/${tagged}`, `docker.io/library/${tagged}`];
}
