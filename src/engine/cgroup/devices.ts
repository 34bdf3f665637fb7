/**
 * The v1 `devices` controller's list for a container: deny everything,
 * then allow what Docker's default spec allows (runc applies the same
 * list): the standard character devices, ptys, and mknod of anything (a
 * node made is still not openable). --privileged allows all.
 */
const DEFAULT_ALLOWED = [
  'c *:* m',
  'b *:* m',
  'c 1:3 rwm', // null
  'c 1:5 rwm', // zero
  'c 1:7 rwm', // full
  'c 1:8 rwm', // random
  'c 1:9 rwm', // urandom
  'c 5:0 rwm', // tty
  'c 5:1 rwm', // console
  'c 5:2 rwm', // ptmx
  'c 136:* rwm', // pts
  'c 10:200 rwm', // net/tun
] as const;

export interface DeviceWrite {
  file: 'devices.deny' | 'devices.allow';
  value: string;
}

export function deviceWrites(allowAll: boolean): DeviceWrite[] {
  if (allowAll) return [{ file: 'devices.allow', value: 'a' }];
  return [
    { file: 'devices.deny', value: 'a' },
    ...DEFAULT_ALLOWED.map((value) => ({ file: 'devices.allow' as const, value })),
  ];
}
