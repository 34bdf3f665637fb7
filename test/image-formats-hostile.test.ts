/**
 * Image archives that lie or attack: each is refused whole with one
 * UserError line naming the file and the member, before a layer is read.
 * Nothing here reads outside the archive: a link or a name that would is
 * refused, never followed.
 */
import { rmSync, symlinkSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { UserError } from '../src/engine/errors.js';
import { openImageSource } from '../src/engine/image/formats/index.js';
import {
  sampleLayers,
  sha256,
  writeImageArchive,
  type ArchiveMembers,
  type ArchiveSpec,
  type ImageArchiveForm,
} from './support/image-archives.js';
import { tempRoot } from './support/state-root.js';

let dir: string;
let n = 0;
beforeAll(() => {
  dir = tempRoot('ovt-formats-hostile-');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function json(m: ArchiveMembers, name: string): unknown {
  const b = m.get(name);
  if (!Buffer.isBuffer(b)) throw new Error(`no ${name} to tamper with`);
  return JSON.parse(b.toString('utf8'));
}

const put = (m: ArchiveMembers, name: string, value: unknown): void => {
  m.set(name, Buffer.from(JSON.stringify(value)));
};

type Manifest = { Config: string; Layers: string[] }[];
type Index = { manifests: { digest: string; size: number }[] };

async function archive(
  form: ImageArchiveForm,
  tamper: (m: ArchiveMembers) => void,
  more: Partial<ArchiveSpec> = {},
): Promise<string> {
  const path = join(dir, `a${n++}${form === 'oci-layout' ? '' : '.tar'}`);
  await writeImageArchive(path, {
    form,
    images: [{ layers: sampleLayers(), tags: ['h:1'] }],
    tamper,
    ...more,
  });
  return path;
}

/** Opening path fails with one UserError line that starts with the file and matches problem. */
async function refused(path: string, problem: RegExp): Promise<void> {
  let err: unknown;
  try {
    const s = await openImageSource(path, { tempDir: dir });
    s.close();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(UserError);
  const message = (err as UserError).message;
  expect(message.startsWith(`image ${path}`)).toBe(true);
  expect(message).not.toContain('\n');
  expect(message).toMatch(problem);
}

const firstHexDir = (m: ArchiveMembers): string => {
  const name = [...m.keys()].find((k) => /^[0-9a-f]{64}\/layer\.tar$/.test(k));
  if (name === undefined) throw new Error('no <id>/layer.tar');
  return name;
};

describe('names and links that leave the archive', () => {
  test.each([
    [
      '../../etc/passwd',
      /manifest\.json" entry 1's layer 2 "\.\.\/\.\.\/etc\/passwd" is not a file inside/,
    ],
    ['/etc/passwd', /entry 1's layer 2 "\/etc\/passwd" is not a file inside the archive/],
  ])('a manifest.json layer named %s', async (name, problem) => {
    const path = await archive('docker-save', (m) => {
      const man = json(m, 'manifest.json') as Manifest;
      const first = man[0];
      if (first) first.Layers[1] = name;
      put(m, 'manifest.json', man);
    });
    await refused(path, problem);
  });

  test.each([
    ['../../../../etc/passwd', /layer\.tar" is a link that leads out of the archive$/],
    ['/etc/passwd', /layer\.tar" is a link to an absolute path, outside the archive$/],
    ['../nothere.tar', /layer\.tar" is missing \(manifest\.json names it as a layer\)$/],
  ])('podman layer.tar symlink to %s', async (target, problem) => {
    const path = await archive('podman-docker-archive', (m) => {
      const man = json(m, 'manifest.json') as Manifest;
      const name = firstHexDir(m);
      m.set(name, { symlink: target });
      const first = man[0];
      if (first) first.Layers[0] = name;
      put(m, 'manifest.json', man);
    });
    await refused(path, problem);
  });

  test('a symlink loop between members', async () => {
    const path = await archive('podman-docker-archive', (m) => {
      const man = json(m, 'manifest.json') as Manifest;
      m.set(`${'a'.repeat(64)}/a`, { symlink: 'b' });
      m.set(`${'a'.repeat(64)}/b`, { symlink: 'a' });
      const first = man[0];
      if (first) first.Layers[0] = `${'a'.repeat(64)}/a`;
      put(m, 'manifest.json', man);
    });
    await refused(path, /"a{64}\/a" leads through more than 8 links \(a loop\?\)$/);
  });

  test.each([
    ['../evil', /member "\.\.\/evil" climbs out of the archive/],
    ['/abs/evil', /member "\/abs\/evil" climbs out of the archive/],
  ])('a member named %s after manifest.json', async (name, problem) => {
    const path = await archive('docker-save', (m) => m.set(name, Buffer.from('x')));
    await refused(path, problem);
  });

  test('a member that appears twice', async () => {
    const path = await archive('oci-archive', (m) => m.set('./index.json', Buffer.from('{}')));
    await refused(path, /member "\.\/index\.json" appears twice in the archive$/);
  });

  test('an OCI layout directory whose blob is a symlink to a file outside', async () => {
    const path = await archive('oci-layout', () => undefined);
    const built = JSON.parse(readFileSync(join(path, 'index.json'), 'utf8')) as Index;
    const digest = built.manifests[0]?.digest.slice(7) ?? '';
    const outside = join(dir, 'outside.json');
    writeFileSync(outside, readFileSync(join(path, 'blobs/sha256', digest)));
    unlinkSync(join(path, 'blobs/sha256', digest));
    symlinkSync(outside, join(path, 'blobs/sha256', digest));
    await refused(path, /member "blobs\/sha256\/[0-9a-f]{64}" is a symlink/);
  });
});

describe('JSON that is too big, malformed, or lies', () => {
  test('a manifest.json over 16 MiB is refused before it is parsed', async () => {
    const path = await archive('docker-save', (m) => {
      m.set(
        'manifest.json',
        Buffer.concat([Buffer.from('['), Buffer.alloc(17 << 20, 0x20), Buffer.from(']')]),
      );
    });
    await refused(
      path,
      /member "manifest\.json" is \d+ bytes: more than the 16 MiB a JSON file may have$/,
    );
  });

  test('malformed JSON', async () => {
    const path = await archive('oci-archive', (m) =>
      m.set('index.json', Buffer.from('{"manifests": [')),
    );
    await refused(path, /member "index\.json" is not valid JSON \(/);
  });

  test('a config edited after the fact (its sha256 is not its name)', async () => {
    const path = await archive('docker-save', (m) => {
      const name = [...m.keys()].find((k) => /^[0-9a-f]{64}\.json$/.test(k)) ?? '';
      const config = json(m, name) as { config: { Cmd?: string[] } };
      config.config.Cmd = ['/bin/evil'];
      put(m, name, config);
    });
    await refused(
      path,
      /\.json" has sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64} as the archive names it$/,
    );
  });

  test('a manifest naming fewer layers than the config has diff_ids', async () => {
    const path = await archive('docker-save', (m) => {
      const man = json(m, 'manifest.json') as Manifest;
      man[0]?.Layers.pop();
      put(m, 'manifest.json', man);
    });
    await refused(path, /lists 3 diff_ids but the manifest 2 layers: the archive is inconsistent$/);
  });

  test('Docker 25+: manifest.json and index.json naming different layers', async () => {
    const path = await archive('docker-save-oci', (m) => {
      const man = json(m, 'manifest.json') as Manifest;
      const layers = man[0]?.Layers ?? [];
      [layers[0], layers[1]] = [layers[1] ?? '', layers[0] ?? ''];
      put(m, 'manifest.json', man);
    });
    await refused(
      path,
      /member "index\.json" and manifest\.json name different layers for h:1: the archive is inconsistent$/,
    );
  });

  test('a Config that is not <hex>.json', async () => {
    const path = await archive('docker-save', (m) => {
      const man = json(m, 'manifest.json') as Manifest;
      if (man[0]) man[0].Config = 'config.json';
      put(m, 'manifest.json', man);
    });
    await refused(path, /Config "config\.json" is not <64 hex>\.json nor blobs\/sha256\/<64 hex>$/);
  });

  test.each([
    ['sha256:../../../../etc/passwd'],
    ['sha512:' + 'a'.repeat(128)],
    ['sha256:' + 'A'.repeat(64)],
    [42],
  ])('a descriptor digest %s is refused, never made a path', async (digest) => {
    const path = await archive('oci-archive', (m) => {
      const index = json(m, 'index.json') as { manifests: { digest: unknown }[] };
      const first = index.manifests[0];
      if (first) first.digest = digest;
      put(m, 'index.json', index);
    });
    await refused(
      path,
      /member "index\.json" manifest 1 has digest .*: only sha256:<64 hex> is read$/,
    );
  });

  test('a descriptor size that is not the blob size', async () => {
    const path = await archive('oci-archive', (m) => {
      const index = json(m, 'index.json') as Index;
      const first = index.manifests[0];
      if (first) first.size += 1;
      put(m, 'index.json', index);
    });
    await refused(
      path,
      /member "blobs\/sha256\/[0-9a-f]{64}" is \d+ bytes, but its descriptor says \d+ \(the manifest\)$/,
    );
  });

  test('a missing layer blob', async () => {
    let layer = '';
    const path = await archive('oci-archive', (m) => {
      layer = [...m.keys()].find((k) => k.startsWith('blobs/sha256/') && k.length > 20) ?? '';
      m.delete(layer);
    });
    await refused(path, /member "blobs\/sha256\/[0-9a-f]{64}" is missing/);
  });

  test('a diff_id that is not sha256:<64 hex>', async () => {
    const path = await archive('docker-save', (m) => {
      const man = json(m, 'manifest.json') as Manifest;
      const name = man[0]?.Config ?? '';
      const config = json(m, name) as { rootfs: { diff_ids: string[] } };
      config.rootfs.diff_ids[0] = 'sha256:../x';
      const bytes = Buffer.from(JSON.stringify(config));
      const hex = sha256(bytes);
      m.delete(name);
      m.set(`${hex}.json`, bytes);
      if (man[0]) man[0].Config = `${hex}.json`;
      put(m, 'manifest.json', man);
    });
    await refused(
      path,
      /is not an image config: diff_id 1 is "sha256:\.\.\/x", not sha256:<64 hex>$/,
    );
  });
});

describe('whole files', () => {
  test('an image archive compressed whole with zstd', async () => {
    const path = await archive('docker-save', () => undefined);
    const zst = `${path}.zst`;
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync('zstd', ['-q', '-o', zst, path]);
    expect(r.status).toBe(0);
    await refused(zst, /is zstd-compressed as a whole: decompress it first \(zstd -d /);
  });

  test('an image archive cut off inside a layer', async () => {
    const path = await archive('docker-save', () => undefined);
    const whole = readFileSync(path);
    writeFileSync(path, whole.subarray(0, 512 * 6 + 100));
    await refused(path, /is truncated \(it ends inside a tar member\)$/);
  });

  test('an OCI layout without oci-layout', async () => {
    const path = await archive('oci-layout', () => undefined);
    unlinkSync(join(path, 'oci-layout'));
    await refused(path, /is a directory but not an OCI image layout \(it has no oci-layout file\)/);
  });
});
