/**
 * Names a container makes reach the operator's terminal escaped: `diff`
 * and `watch` print one line per entry whatever the name holds (ESC,
 * newline, bytes that are not UTF-8), and their JSON stays exact.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, runIn } from './support/cli.js';
import { CLI } from './support/paths.js';
import { startCli, waitForInit } from './support/spawn-cli.js';
import { mountsUnder, removeRoot, tempRoot } from './support/state-root.js';

let root: string;

beforeAll(() => {
  root = tempRoot('ovt-names-dw-');
});

afterAll(() => removeRoot(root));

/** Made inside the container by printf, so the names are bytes the test controls. */
const MAKE = [
  `touch "$(printf '/e\\033[31mX\\nY')"`, // ESC and a newline
  `touch "$(printf '/f\\377')"`, // not UTF-8
  `touch "$(printf '/f\\376')"`, // not UTF-8 either, and another name
  `touch "$(printf '/caf\\303\\251')"`, // é, valid UTF-8
  `touch '/back\\slash'`,
].join('; ');

/** The diff lines of those names, as a person's terminal must get them. */
const LINES = [
  'A /back\\\\slash   new',
  'A /caf\u00e9   new',
  'A /e\\x1b[31mX\\nY   new',
  'A /f\\xfe   new',
  'A /f\\xff   new',
];

const raw = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('diff', () => {
  it('prints each odd name escaped on one line, and --json exactly', () => {
    const events = join(root, 'events.jsonl');
    const made = runIn(root, ['sh', '-c', MAKE], ['--keep', '--name', 'odd', '--events', events]);
    expect(made.code, made.stderr).toBe(0);
    try {
      const r = spawnSync(process.execPath, [CLI, 'diff', '--root', root, 'odd']);
      expect(r.status, String(r.stderr)).toBe(0);
      const out: Buffer = r.stdout;
      expect(out.includes(0x1b)).toBe(false); // no raw ESC reaches the terminal
      expect(out.toString('utf8')).toBe(`${LINES.join('\n')}\n`);

      const json = JSON.parse(cli(['diff', '--root', root, '--json', 'odd']).stdout) as {
        path: string;
        pathBytes?: string;
        kind: string;
      }[];
      expect(json.map((e) => [e.path, e.pathBytes])).toEqual([
        ['/back\\slash', undefined],
        ['/caf\u00e9', undefined],
        ['/e\x1b[31mX\nY', undefined], // exact: JSON escapes it
        ['/f\\xfe', raw('/f\xfe').toString('base64')],
        ['/f\\xff', raw('/f\xff').toString('base64')],
      ]);

      // run --events: the same rule, one JSON object per line.
      const recorded = readFileSync(events, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; path: string; pathBytes?: string });
      const created = recorded.filter((e) => e.kind === 'create');
      expect(created.map((e) => e.pathBytes && Buffer.from(e.pathBytes, 'base64'))).toContainEqual(
        raw('/f\xff'),
      );
      expect(created.map((e) => e.path)).toContain('/e\x1b[31mX\nY');
    } finally {
      expect(cli(['rm', '--root', root, 'odd']).code).toBe(0);
    }
  });
});

describe('watch', () => {
  it('prints each odd name escaped on one line', async () => {
    const run = startCli([
      'run',
      '--root',
      root,
      '--name',
      'w',
      '--',
      'sh',
      '-c',
      `while [ ! -e /go ]; do sleep 0.05; done; ${MAKE}`,
    ]);
    try {
      await waitForInit(root);
      const watch = spawn(process.execPath, [CLI, 'watch', '--root', root, 'w'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const chunks: Buffer[] = [];
      let err = '';
      watch.stdout.on('data', (d: Buffer) => chunks.push(d));
      watch.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const out = () => Buffer.concat(chunks);
      // Up once it reports a file made after its first look.
      for (let i = 0; !out().includes('/ready-'); i++) {
        if (i > 100) throw new Error('watch never reported a new file');
        spawnSync('touch', [join(root, `containers/w/merged/ready-${i}`)]);
        await new Promise((r) => setTimeout(r, 100));
      }
      spawnSync('touch', [join(root, 'containers/w/merged/go')]);
      const code = await new Promise<number | null>((r) => watch.on('exit', (c) => r(c)));
      expect(code, err).toBe(0);
      expect(out().includes(0x1b)).toBe(false);
      const lines = out().toString('utf8').trim().split('\n');
      const created = lines.filter((l) => / create +\/(e|f|caf|back)/.test(l));
      expect(
        created.map((l) => l.replace(/^\S+ create +/, '').replace(/ \(.*$/, '')).sort(),
      ).toEqual(['/back\\\\slash', '/caf\u00e9', '/e\\x1b[31mX\\nY', '/f\\xfe', '/f\\xff']);
    } finally {
      run.child.kill('SIGTERM');
      await run.exit;
    }
    expect(mountsUnder(root)).toEqual([]);
  });
});
