/**
 * The OCI bundle of one container run: containers/<id>/bundle/config.json
 * (its root is the merged directory already mounted, so the bundle holds
 * nothing else), and the runtime's command line for it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { ConfineProfile, ResourceLimits } from '../confine/types.js';
import type { ContainerPaths } from '../container/state.js';
import type { IdMap } from '../../overlay/id-map.js';
import { ociConfig } from './oci-config.js';
import type { ProcessConfig } from '../container/process-config.js';
import {
  bundlePaths,
  cgroupsPathFor,
  containerId,
  type BundlePaths,
  type RuntimeRecord,
} from './runtime-record.js';

export interface RuntimeRunSpec {
  runtime: RuntimeRecord;
  paths: ContainerPaths;
  hostname: string;
  command: string[];
  profile: ConfineProfile;
  limits: ResourceLimits;
  userns?: IdMap;
  process?: ProcessConfig | undefined;
}

/** Writes a fresh bundle (a restart's leftovers, such as the old pid file, go first). */
export function writeBundle(
  spec: RuntimeRunSpec,
  io: { terminal: boolean; term: string | undefined },
): BundlePaths {
  const bundle = bundlePaths(spec.paths);
  rmSync(bundle.dir, { recursive: true, force: true });
  mkdirSync(bundle.dir, { mode: 0o700 });
  const config = ociConfig({
    profile: spec.profile,
    limits: spec.limits,
    rootfs: spec.paths.merged,
    hostname: spec.hostname,
    args: spec.command,
    term: io.term,
    terminal: io.terminal,
    cgroupsPath: cgroupsPathFor(spec.runtime, containerId(spec.paths)),
    userns: spec.userns,
    process: spec.process,
  });
  writeFileSync(bundle.config, `${JSON.stringify(config, null, 2)}\n`);
  return bundle;
}

/** `runc|crun --root R --log L --log-format json run --bundle B --pid-file P ID`: in the foreground. */
export function runtimeRunArgs(spec: RuntimeRunSpec, bundle: BundlePaths): string[] {
  return [
    '--root',
    spec.runtime.root,
    '--log',
    bundle.log,
    '--log-format',
    'json',
    'run',
    '--bundle',
    bundle.dir,
    '--pid-file',
    bundle.runtimePidFile,
    containerId(spec.paths),
  ];
}
