/** The status bar's memory and pids from the container's cgroup, and the OOM notice. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createElement } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppStore } from '../src/ui/store/app-store.js';
import { classifyLayers } from '../src/engine/layers/classify-container.js';
import { LowerLoader } from '../src/engine/layers/lower-loader.js';
import { scanLayer } from '../src/overlay/index.js';
import { removeRoot, tempRoot } from './support/state-root.js';

let inkTesting: typeof import('ink-testing-library');
let bar: typeof import('../src/ui/app/StatusBar.js');
beforeAll(async () => {
  process.env.FORCE_COLOR = '0';
  [inkTesting, bar] = await Promise.all([
    import('ink-testing-library'),
    import('../src/ui/app/StatusBar.js'),
  ]);
});
afterEach(() => inkTesting.cleanup());

const dir = tempRoot('ovt-usage-');
afterAll(() => removeRoot(dir));

const status = { image: 'busybox.tar', id: 'c1', mountOptions: 'index=off', pid: 42 };
const usage = {
  memoryBytes: 3.1 * 2 ** 20,
  memoryLimit: 64 * 2 ** 20,
  pids: 2,
  pidsLimit: 4096,
  oomKills: 0,
};

describe("the container's memory and pids in the status bar", () => {
  it('shows mem used/limit and pids count/limit, and OOM kills once there are some', () => {
    const line = inkTesting
      .render(
        createElement(bar.StatusBar, {
          status,
          upperBytes: 0,
          keepUpper: false,
          width: 200,
          usage,
        }),
      )
      .lastFrame();
    expect(line).toContain('pid 42  ·  mem 3.1 MiB/64 MiB · pids 2/4096  ·  upper');
    expect(bar.usageText({ pids: 3, oomKills: 1, memoryBytes: 2 ** 20 })).toBe(
      'mem 1.0 MiB · pids 3 · OOM-killed 1',
    );
  });

  it('says in the status bar when the kernel OOM-killed a process', () => {
    mkdirSync(join(dir, 'l'), { recursive: true });
    mkdirSync(join(dir, 'u'), { recursive: true });
    const layers = classifyLayers(
      join(dir, 'u'),
      scanLayer(join(dir, 'u')),
      [join(dir, 'l')],
      new LowerLoader([join(dir, 'l')]),
    );
    const store = createAppStore(layers, status, { loadLowerDir: () => {}, quit: () => {} });
    store.getState().setUsage(usage);
    expect(store.getState().notice).toBeUndefined();
    store.getState().setUsage({ ...usage, oomKills: 1 });
    expect(store.getState().notice).toBe(
      'out of memory: the kernel killed a process in the container (limit 64 MiB)',
    );
    expect(store.getState().usage?.oomKills).toBe(1);
  });
});
