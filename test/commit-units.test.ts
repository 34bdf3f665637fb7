/**
 * The commit's pieces on their own: the tar encoder read back by the
 * project's decoder (and GNU tar), a stored layer directory written as a
 * layer tar, image names, the config.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeHeader, parsePax, BLOCK } from '../src/engine/image/tar-header.js';
import { encodeMember } from '../src/engine/commit/tar-encode.js';
import { writeLayerFromDir } from '../src/engine/commit/layer-writer.js';
import { parseImageRef, qualifiedName, defaultImageRef } from '../src/engine/commit/image-ref.js';
import { buildImageConfig } from '../src/engine/commit/image-config.js';
import { readTar } from './support/layer-tar.js';
import { tempRoot } from './support/state-root.js';
import { rmSync } from 'node:fs';

let root: string;
beforeEach(() => {
  root = tempRoot('ovt-commitu-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the tar encoder', () => {
  it('writes a plain ustar header the decoder reads back', () => {
    const b = encodeMember({
      name: 'etc/passwd',
      kind: 'file',
      mode: 0o4755,
      uid: 7,
      gid: 8,
      size: 5,
      mtime: 1_700_000_000,
    });
    expect(b.length).toBe(BLOCK);
    expect(decodeHeader(b, 0)).toMatchObject({
      name: 'etc/passwd',
      type: 'file',
      mode: 0o4755,
      uid: 7,
      gid: 8,
      size: 5,
      mtime: 1_700_000_000,
    });
  });

  it('puts a long byte name, a big uid and xattrs in a pax header', () => {
    const name = `${'d\xff/'.repeat(60)}file`; // 184 bytes, not UTF-8
    const cap = Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const b = encodeMember({
      name,
      kind: 'file',
      mode: 0o644,
      uid: 3_000_000,
      gid: 0,
      size: 0,
      mtime: 1,
      xattrs: new Map([
        ['security.capability', cap],
        ['user.note', Buffer.from('hi')],
      ]),
    });
    const pax = decodeHeader(b, 0);
    expect(pax.flag).toBe('x');
    const body = b.subarray(BLOCK, BLOCK + pax.size);
    expect(parsePax(body)).toMatchObject({ path: name, uid: 3_000_000 });
    expect(
      body.includes(
        Buffer.concat([Buffer.from(' SCHILY.xattr.security.capability='), cap, Buffer.from('\n')]),
      ),
    ).toBe(true);
    expect(body.toString('latin1')).toContain('hdrcharset=BINARY');
    const main = decodeHeader(b, b.length - BLOCK);
    expect(main.type).toBe('file');
    // GNU tar reads the same name back.
    const file = join(root, 'long.tar');
    writeFileSync(file, Buffer.concat([b, Buffer.alloc(2 * BLOCK)]));
    const t = spawnSync('tar', ['--quoting-style=literal', '-tf', file]);
    expect(t.status).toBe(0);
    expect(t.stdout.toString('latin1')).toBe(`${name}\n`);
  });
});

describe('a stored layer directory as a layer tar', () => {
  it('turns 0/0 whiteouts into .wh.NAME and an opaque xattr into .wh..wh..opq, and drops overlay xattrs', async () => {
    const layer = join(root, 'layer');
    mkdirSync(join(layer, 'etc/opq'), { recursive: true });
    writeFileSync(join(layer, 'etc/opq/new'), 'n');
    setAttributeSync(join(layer, 'etc/opq'), 'trusted.overlay.opaque', 'y');
    setAttributeSync(join(layer, 'etc/opq/new'), 'user.kept', 'v');
    expect(spawnSync('mknod', [join(layer, 'etc/gone'), 'c', '0', '0']).status).toBe(0);
    // An xattr whiteout (Linux 6.7+): a zero-size file marked trusted.overlay.whiteout.
    writeFileSync(join(layer, 'etc/xgone'), '');
    setAttributeSync(join(layer, 'etc/xgone'), 'trusted.overlay.whiteout', '');
    const w = writeLayerFromDir(layer, join(root, 'l.tar'));
    const again = writeLayerFromDir(layer, join(root, 'l2.tar'));
    expect(again.diffId).toBe(w.diffId);
    const members = await readTar(join(root, 'l.tar'));
    expect(members.map((m) => `${m.name} ${m.xattrs.join(',')}`)).toEqual([
      'etc/ ',
      'etc/.wh.gone ',
      'etc/opq/ ',
      'etc/opq/.wh..wh..opq ',
      'etc/opq/new user.kept',
      'etc/.wh.xgone ',
    ]);
    expect(w.members).toBe(6);
  });
});

describe('image names and config', () => {
  it('parses name:tag, defaults the tag, and refuses what Docker would', () => {
    expect(parseImageRef('busybox')).toEqual({ name: 'busybox', tag: 'latest' });
    expect(parseImageRef('example.com:5000/a/b:v1')).toEqual({
      name: 'example.com:5000/a/b',
      tag: 'v1',
    });
    expect(() => parseImageRef('Upper:x')).toThrow(/not an image name/);
    expect(() => parseImageRef('a:b:c')).toThrow(/not an image name/);
    expect(qualifiedName({ name: 'busybox', tag: 'latest' })).toBe(
      'docker.io/library/busybox:latest',
    );
    expect(qualifiedName({ name: 'localhost/x', tag: 't' })).toBe('localhost/x:t');
    expect(defaultImageRef('My_Box')).toEqual({ name: 'my_box', tag: 'latest' });
  });

  it('keeps the base config and adds one history entry per layer', () => {
    const config = JSON.parse(
      buildImageConfig({
        base: {
          cmd: ['sh'],
          env: ['A=1'],
          workingDir: '/w',
          history: [
            { createdBy: 'ADD x', emptyLayer: false },
            { createdBy: 'ENV A=1', emptyLayer: true },
          ],
        },
        diffIds: ['sha256:aa', 'sha256:bb'],
        container: 'c',
        created: '2026-12-04T00:00:00Z',
      }).toString(),
    ) as Record<string, unknown>;
    expect(config).toMatchObject({
      config: { Cmd: ['sh'], Env: ['A=1'], WorkingDir: '/w' },
      rootfs: { type: 'layers', diff_ids: ['sha256:aa', 'sha256:bb'] },
      history: [
        { created_by: 'ADD x' },
        { created_by: 'ENV A=1', empty_layer: true },
        { created_by: 'overlay-tui commit c', created: '2026-12-04T00:00:00Z' },
      ],
    });
    // Without a config: history from the container's layer labels (topmost first).
    const fromLabels = JSON.parse(
      buildImageConfig({
        labels: [
          { number: 2, diffId: 'sha256:b', createdBy: 'RUN two' },
          { number: 1, diffId: 'sha256:a', createdBy: 'ADD one' },
        ],
        diffIds: ['sha256:a', 'sha256:b', 'sha256:c'],
        container: 'c',
        created: '2026-12-04T00:00:00Z',
      }).toString(),
    ) as { history: { created_by?: string }[] };
    expect(fromLabels.history.map((h) => h.created_by)).toEqual([
      'ADD one',
      'RUN two',
      'overlay-tui commit c',
    ]);
  });
});
