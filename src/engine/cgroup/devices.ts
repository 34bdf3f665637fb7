/**
 * The devices a container may open: deny everything, then allow what
 * Docker's default spec allows (runc applies the same list): mknod of
 * anything (a node made is still not openable), the standard character
 * devices, ptys and tun. --privileged allows all. One list, written as the
 * v1 `devices` controller's lines here and as config.json's rules for an
 * OCI runtime (runtime/oci-config.ts).
 */
export interface AllowedDevice {
  type: 'c' | 'b';
  /** undefined: any (`*`). */
  major?: number;
  minor?: number;
  access: 'rwm' | 'm';
}

const chr = (major: number, minor?: number): AllowedDevice => ({
  type: 'c',
  major,
  ...(minor !== undefined ? { minor } : {}),
  access: 'rwm',
});

export const DEFAULT_ALLOWED_DEVICES: readonly AllowedDevice[] = [
  { type: 'c', access: 'm' },
  { type: 'b', access: 'm' },
  chr(1, 3), // null
  chr(1, 5), // zero
  chr(1, 7), // full
  chr(1, 8), // random
  chr(1, 9), // urandom
  chr(5, 0), // tty
  chr(5, 1), // console
  chr(5, 2), // ptmx
  chr(136), // pts
  chr(10, 200), // net/tun
];

/** `c 1:3 rwm`, as devices.allow takes it. */
function v1Line(d: AllowedDevice): string {
  return `${d.type} ${d.major ?? '*'}:${d.minor ?? '*'} ${d.access}`;
}

export interface DeviceWrite {
  file: 'devices.deny' | 'devices.allow';
  value: string;
}

export function deviceWrites(allowAll: boolean): DeviceWrite[] {
  if (allowAll) return [{ file: 'devices.allow', value: 'a' }];
  return [
    { file: 'devices.deny', value: 'a' },
    ...DEFAULT_ALLOWED_DEVICES.map((d) => ({ file: 'devices.allow' as const, value: v1Line(d) })),
  ];
}
