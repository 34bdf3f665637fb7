/**
 * The reference for `--runtime runc`: plain `runc run` of a bundle prepared
 * once, untimed (an overlay over the same lower, mounted with the engine's
 * helper, and the config.json overlay-tui generates, with the same
 * profile), so that the timed rounds measure runc alone. The config module
 * is loaded from dist/ (a build entry), as the other benchmarks load the
 * engine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from './paths.js';
import { mountOverlay, unmountOverlay, type OverlayDirs } from './overlay-mount.js';

interface ConfigModule {
  ociConfig(input: {
    profile: unknown;
    limits: unknown;
    rootfs: string;
    hostname: string;
    args: string[];
    term: string | undefined;
    terminal: boolean;
    cgroupsPath: string;
  }): object;
}

interface ProfileModule {
  defaultProfile(): unknown;
}

export interface RuncBundle {
  /** The argv of one foreground run of `true`. */
  argv: string[];
  /** Unmounts the overlay; checks that runc kept no state. */
  close(): void;
}

export async function prepareRuncBundle(lower: string, dir: string): Promise<RuncBundle> {
  const load = (m: string) => import(join(repoRoot, 'dist', 'engine', m));
  const { ociConfig } = (await load('runtime/oci-config.js')) as ConfigModule;
  const { defaultProfile } = (await load('confine/profile.js')) as ProfileModule;
  const dirs: OverlayDirs = mountOverlay(lower, dir);
  const bundle = join(dir, 'bundle');
  const state = join(dir, 'state');
  mkdirSync(bundle);
  const config = ociConfig({
    profile: defaultProfile(),
    limits: { pidsLimit: 4096 },
    rootfs: dirs.merged,
    hostname: 'bench',
    args: ['true'],
    term: undefined,
    terminal: false,
    cgroupsPath: `overlay-tui-bench-${process.pid}`,
  });
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  const id = 'bench';
  return {
    argv: ['runc', '--root', state, 'run', '--bundle', bundle, id],
    close() {
      // A foreground run deletes its container when it ends; make sure.
      spawnSync('runc', ['--root', state, 'delete', '--force', id], { stdio: 'ignore' });
      unmountOverlay(dirs);
    },
  };
}
