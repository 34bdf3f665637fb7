/** The pure rules behind the image's config: the command, the environment, the user. */
import { describe, expect, it } from 'vitest';
import {
  containerCommand,
  environmentOver,
  overEnv,
  resolveEnvArgs,
  workingDir,
} from '../src/engine/container/image-command.js';
import { chooseUser, type ImageFile } from '../src/engine/container/image-user.js';
import { UserError } from '../src/engine/errors.js';

const config = { history: [], entrypoint: ['/ep'], cmd: ['a', 'b'] };
const req = { command: [], env: [] };

describe("the container's command (Docker's rule)", () => {
  it('is Entrypoint + Cmd; CMD replaces Cmd; --entrypoint replaces Entrypoint and drops Cmd', () => {
    expect(containerCommand(config, req)).toEqual(['/ep', 'a', 'b']);
    expect(containerCommand(config, { ...req, command: ['c'] })).toEqual(['/ep', 'c']);
    expect(containerCommand(config, { ...req, entrypoint: 'x' })).toEqual(['x']);
    expect(containerCommand(config, { ...req, entrypoint: '', command: ['c'] })).toEqual(['c']);
    expect(containerCommand({ history: [] }, req)).toEqual([]);
  });
});

describe("the container's environment", () => {
  it('takes the image Env over ours but HOSTNAME and TERM, then -e over all', () => {
    const env = ['A=1', 'HOSTNAME=h', 'TERM=t', 'NOEQUALS', '=x', 'PATH=/p'];
    expect(environmentOver({ history: [], env }, req, '/home/u')).toEqual([
      'HOME=/home/u',
      'A=1',
      'PATH=/p',
    ]);
    expect(
      environmentOver({ history: [], env: ['HOME=/img'] }, { ...req, env: ['A=2'] }, '/u'),
    ).toEqual(['HOME=/img', 'A=2']);
    expect(overEnv(['A=1', 'B=2'], ['A=3', 'TERM=x'])).toEqual(['A=3', 'B=2', 'TERM=x']);
    expect(resolveEnvArgs(['K=v', 'HOSTVAR', 'UNSET'], { HOSTVAR: 'h' })).toEqual([
      'K=v',
      'HOSTVAR=h',
    ]);
  });

  it('starts in -w, else WorkingDir (a relative one from /), else /', () => {
    expect(workingDir({ history: [], workingDir: 'app' }, req)).toBe('/app');
    expect(workingDir({ history: [], workingDir: '/app' }, { ...req, workdir: '/w' })).toBe('/w');
    expect(workingDir({ history: [], workingDir: '' }, req)).toBeUndefined();
  });
});

describe("the container's user", () => {
  const files = (passwd: ImageFile, group: ImageFile = 'absent') => ({
    read: (path: string): ImageFile => (path === '/etc/passwd' ? passwd : group),
  });
  const passwd = { text: 'u:x:10:20::/home/u:/bin/sh\nbroken line\n' };
  const group = { text: 'g:x:30:u\nh:x:40:\n' };

  it('is root for "", root, 0 and 0:0, without reading anything', () => {
    const read = (): ImageFile => {
      throw new Error('read');
    };
    for (const spec of [undefined, '', 'root', '0', '0:0']) {
      expect(chooseUser(spec, { from: 'image', read })).toEqual({});
    }
  });

  it('resolves names and numbers, with supplementary groups from /etc/group', () => {
    expect(chooseUser('u', { from: 'image', ...files(passwd, group) })).toEqual({
      user: { uid: 10, gid: 20, groups: [30] },
      home: '/home/u',
    });
    expect(chooseUser('7:h', { from: 'image', ...files(passwd, group) })).toEqual({
      user: { uid: 7, gid: 40, groups: [] },
      home: '/',
    });
    expect(chooseUser('7', { from: 'image', ...files('absent') }).user).toEqual({
      uid: 7,
      gid: 0,
      groups: [],
    });
  });

  it("falls back to root with a note for the image's user, and refuses a -u", () => {
    const cases: [string, ImageFile, RegExp][] = [
      ['nosuch', passwd, /user "nosuch" is not in the image's \/etc\/passwd/],
      ['u', 'absent', /the image has no \/etc\/passwd to find user "u" in/],
      ['u', { error: 'a directory' }, /its \/etc\/passwd could not be read \(a directory\)/],
      ['u:', passwd, /"u:" is not a user/],
      ['u:nogroup', passwd, /group "nogroup" is not in the image's \/etc\/group/],
    ];
    for (const [spec, file, why] of cases) {
      const image = chooseUser(spec, { from: 'image', ...files(file, group) });
      expect(image.user).toBeUndefined();
      expect(image.note).toMatch(why);
      expect(image.note).toMatch(/; running as root instead$/);
      expect(() => chooseUser(spec, { from: 'option', ...files(file, group) })).toThrow(UserError);
    }
    expect(chooseUser('70000', { from: 'image', ...files('absent'), idLimit: 65536 }).note).toMatch(
      /id 70000 is not mapped in the user namespace/,
    );
  });
});
