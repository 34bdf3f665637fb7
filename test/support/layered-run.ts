/**
 * A LayeredImage run as `overlay-tui run` runs an image, step for step and
 * with the same engine calls (run.ts: containerCommand, createContainer,
 * processConfig, the helper's `run` or the OCI runtime, teardown), with
 * the output captured. For images the store cannot make yet: the layered
 * store (ensureImage returning a LayeredImage) is another change; until it
 * lands, `run --image` takes flat images only.
 */
import { spawnSync } from 'node:child_process';
import { createContainer, type CreateOptions } from '../../src/engine/container/create.js';
import { containerCommand, type ProcessRequest } from '../../src/engine/container/image-command.js';
import { helperEnv, helperRunArgs } from '../../src/engine/container/process.js';
import { processConfig } from '../../src/engine/container/process-config.js';
import { readState } from '../../src/engine/container/state.js';
import { teardownContainer } from '../../src/engine/container/teardown.js';
import { defaultProfile } from '../../src/engine/confine/profile.js';
import { requireHelper } from '../../src/engine/helper.js';
import type { LayeredImage } from '../../src/engine/image/image-record.js';
import { runtimeRunArgs, writeBundle } from '../../src/engine/runtime/bundle.js';
import type { RuntimeRecord } from '../../src/engine/runtime/runtime-record.js';
import type { StateRoot } from '../../src/engine/state-root.js';
import type { ContainerState } from '../../src/engine/container/state.js';

export interface LayeredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The line run prints when the image's user is not used. */
  note?: string;
  state: ContainerState;
}

export function runLayered(
  store: StateRoot,
  image: LayeredImage,
  req: Partial<ProcessRequest> = {},
  opts: Partial<CreateOptions> & { runtime?: RuntimeRecord } = {},
): LayeredRun {
  const request: ProcessRequest = { command: [], env: [], ...req };
  const command = containerCommand(image.record.config, request);
  if (command.length === 0) throw new Error('missing CMD');
  const confinement = defaultProfile();
  const c = createContainer(store, image, { keep: false, command, confinement, ...opts });
  try {
    const { process: proc, note } = processConfig(
      image.record.config,
      request,
      c.paths.merged,
      c.state.userns?.size,
    );
    const spec = {
      paths: c.paths,
      hostname: c.state.id,
      command,
      cgroup: c.state.cgroup,
      confinement,
      seccompRules: c.state.seccompRules,
      process: proc,
      ...(c.state.userns ? { userns: c.state.userns } : {}),
    };
    let r;
    if (opts.runtime) {
      const run = {
        ...spec,
        runtime: opts.runtime,
        profile: confinement,
        limits: { pidsLimit: 4096 },
      };
      const bundle = writeBundle(run, { terminal: false, term: undefined });
      r = spawnSync(opts.runtime.path, runtimeRunArgs(run, bundle), {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } else {
      r = spawnSync(requireHelper(), helperRunArgs(spec), {
        encoding: 'utf8',
        env: helperEnv(),
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    }
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      ...(note !== undefined ? { note } : {}),
      state: c.state,
    };
  } finally {
    teardownContainer(c.paths, readState(c.paths) ?? c.state, { keep: false });
  }
}
