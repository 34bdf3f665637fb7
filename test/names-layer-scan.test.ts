/** The layer scanner keeps names as bytes: nothing merged, nothing lost, xattrs still read. */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAttributeSync } from '@napi-rs/xattr';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryAt, scanLayer } from '../src/overlay/index.js';
import { tempRoot } from './support/state-root.js';

let dir: string;

beforeEach(() => {
  dir = tempRoot('ovt-names-scan-');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (...parts: string[]): Buffer => Buffer.from(join(dir, ...parts), 'latin1');

describe('scanLayer on names that are not UTF-8', () => {
  it('keeps two such names apart, with their link targets and overlay xattrs', () => {
    writeFileSync(at('a\xff'), 'one');
    writeFileSync(at('a\xfe'), 'two');
    symlinkSync(Buffer.from('a\xff', 'latin1'), at('l\xfd'));
    // An opaque directory whose own name is not UTF-8, with a child under it.
    mkdirSync(join(dir, 'tmp'));
    setAttributeSync(join(dir, 'tmp'), 'trusted.overlay.opaque', 'y');
    renameSync(join(dir, 'tmp'), at('d\xfc'));
    writeFileSync(at('d\xfc', 'in'), 'x');

    const root = scanLayer(dir);
    expect([...(root.children?.keys() ?? [])].sort()).toEqual(['a\xfe', 'a\xff', 'd\xfc', 'l\xfd']);
    expect(entryAt(root, '/a\xff')?.size).toBe(3);
    expect(entryAt(root, '/l\xfd')?.target).toBe('a\xff');
    expect(entryAt(root, '/d\xfc')?.xattrs?.trusted?.opaque).toBe('y');
    expect(entryAt(root, '/d\xfc/in')?.type).toBe('file');
  });
});
