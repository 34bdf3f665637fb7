/**
 * How the container's command runs, beyond its arguments: its environment,
 * working directory and user, from the image's config and -e, -w, -u.
 * The helper (`run --env --workdir --user --groups`) and the OCI config
 * (process.env, cwd, user) both take it as it is, so both behave the same.
 */
import type { ImageConfig } from '../image/image-record.js';
import { readInRoot } from '../helper.js';
import { environmentOver, workingDir, type ProcessRequest } from './image-command.js';
import { chooseUser, type ProcessUser } from './image-user.js';

export interface ProcessConfig {
  /** "K=V" over the defaults (containerEnv in oci-config.ts; the helper's own). */
  env: string[];
  /** Absolute; made if missing. Default: /. */
  cwd?: string;
  /** Default: root, no supplementary group. */
  user?: ProcessUser;
}

/**
 * Resolved once the overlay is mounted at merged: a user name is looked up
 * in the image's /etc/passwd as the container sees it. note: one line to
 * say (the image's user could not be used).
 */
export function processConfig(
  config: ImageConfig,
  req: ProcessRequest,
  merged: string,
  idLimit?: number,
): { process: ProcessConfig; note?: string } {
  const fromOption = req.user !== undefined;
  const choice = chooseUser(fromOption ? req.user : config.user, {
    from: fromOption ? 'option' : 'image',
    read: (path) => readInRoot(merged, path),
    ...(idLimit !== undefined ? { idLimit } : {}),
  });
  const cwd = workingDir(config, req);
  return {
    process: {
      env: environmentOver(config, req, choice.home),
      ...(cwd !== undefined ? { cwd } : {}),
      ...(choice.user ? { user: choice.user } : {}),
    },
    ...(choice.note !== undefined ? { note: choice.note } : {}),
  };
}

/** The helper's PROCESS options (ovl-helper.c's header). */
export function processHelperArgs(p: ProcessConfig | undefined): string[] {
  if (!p) return [];
  return [
    ...p.env.flatMap((e) => ['--env', e]),
    ...(p.cwd !== undefined ? ['--workdir', p.cwd] : []),
    ...(p.user ? ['--user', `${p.user.uid}:${p.user.gid}`] : []),
    ...(p.user && p.user.groups.length > 0 ? ['--groups', p.user.groups.join(',')] : []),
  ];
}
