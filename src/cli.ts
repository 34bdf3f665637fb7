/**
 * Entry point: arguments -> a headless command, or with none the
 * full-screen app (loaded only then: a headless run never loads the UI).
 */
import { quietOnClosedStdout, stdoutClosed } from './commands/stdout-closed.js';
import { UserError } from './engine/errors.js';
import { safeLine } from './overlay/printable-path.js';
import { usageError } from './commands/args.js';
import { cleanCommand } from './commands/clean.js';
import { imagesCommand } from './commands/images.js';
import { psCommand } from './commands/ps.js';
import { rmCommand } from './commands/rm.js';
import { runCommand } from './commands/run.js';

export const TOP_HELP = `NAME
    overlay-tui - see overlayfs at work in a container made like Docker's overlay2

SYNOPSIS
    overlay-tui [--image FILE] [--name NAME] [--keep] [--userns] [--root DIR]
                [--prefix KEY] [--pids-limit N] [--memory SIZE] [--cpus N.N]
                [--privileged] [--cap-add CAP] [--cap-drop CAP] [--security-opt OPT]
                [--runtime runc|crun]
    overlay-tui run [OPTIONS] [--] CMD [ARG...]
    overlay-tui ps | images | clean [--root DIR]
    overlay-tui rm [--root DIR] NAME...
    overlay-tui images rm [--root DIR] IMAGE...
    overlay-tui load [--root DIR] FILE[:TAG]
    overlay-tui diff | watch [--root DIR] [--json] NAME
    overlay-tui commit [--tag T] [-o FILE] [--format docker|oci] [--root DIR] NAME
    overlay-tui layers [--root DIR] [--json] IMAGE

DESCRIPTION
    An image tarball is extracted once into a read-only lower directory; each
    container gets a fresh upper, work and merged directory joined by
    overlayfs, and a shell in new namespaces with merged as its root. With no
    command, overlay-tui opens a full-screen view of it: the lower, upper and
    merged trees, live, beside a terminal on the container's busybox shell,
    with a feed of every copy-up, whiteout and opaque directory as it
    happens. Needs root, and a terminal of at least 80x24 ('?' lists keys).

OPTIONS (the full-screen view)
    --image FILE   image tarball, plain or gzip, e.g. from docker export
                   (default: the busybox image built by 'npm run image')
    --name NAME    container id and hostname (default: 12 random hex digits)
    --keep         keep upper on exit (also C-b k in the app); the container
                   is then listed by 'overlay-tui ps', removed by 'rm'
    --userns       root in the container is an unprivileged id on the host
                   (see 'overlay-tui run --help')
    --pids-limit N at most N processes in the container (default 4096;
                   0 or less: no limit), as Docker's; a fork bomb stops there
    --memory SIZE  memory limit with b, k, m or g (at least 6m), swap
                   included; when it is reached the kernel kills a process
                   and the status bar says so
    --cpus N.N     CPU time, in CPUs' worth (e.g. 0.5), as Docker's --cpus
    --root DIR     state root (default: /var/lib/overlay-tui); it and each
                   directory above it must be root's and writable by root
                   alone (a sticky one such as /tmp is fine above it)
    --runtime runc|crun
                   run the shell's container through this OCI runtime, from
                   a config.json with the same confinement, instead of
                   overlay-tui's own helper (the default)
    --prefix KEY   the key before the app's own keys: C-b (the default),
                   C-a (handy inside tmux, whose prefix is C-b), or one
                   character
    --privileged   no confinement: every capability, no seccomp, host devices
                   reachable (by default the container is confined as
                   Docker's are: see 'overlay-tui run --help')
    --cap-add CAP  give the container's root capability CAP too (NET_ADMIN,
                   CAP_NET_ADMIN or ALL); repeatable
    --cap-drop CAP take capability CAP away (or ALL); repeatable
    --security-opt OPT
                   no-new-privileges[=true|false], seccomp=unconfined or
                   seccomp=FILE (Docker's JSON form); repeatable
    -h, --help     show this help

COMMANDS
    run      run a command in a new container
    ps       list containers
    images   list images and their layers ('images rm' removes them)
    load     import the images of an archive
    rm       remove stopped containers
    clean    clean up after runs that died
    diff     what a container changed, and the overlay reason for each entry
    watch    a running container's changes, live
    commit   write a container's upper as a new image layer (an archive
             that docker load and podman load take)
    layers   what each layer of an image adds, changes, deletes and wastes

    'overlay-tui COMMAND --help' describes each one.
`;

type Command = (argv: string[]) => number | Promise<number>;

// The small headless commands are imported with the CLI (fewer chunk files
// to load at start-up); the layer model, the watcher and the UI are loaded
// only by the commands that use them.
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => runCommand,
  ps: async () => psCommand,
  images: async () => imagesCommand,
  rm: async () => rmCommand,
  load: async () => (await import('./commands/load.js')).loadCommand,
  clean: async () => cleanCommand,
  diff: async () => (await import('./commands/diff.js')).diffCommand,
  watch: async () => (await import('./commands/watch.js')).watchCommand,
  commit: async () => (await import('./commands/commit.js')).commitCommand,
  layers: async () => (await import('./commands/layers.js')).layersCommand,
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic && COMMANDS[topic]) return (await COMMANDS[topic]())(['--help']);
    process.stdout.write(TOP_HELP);
    return 0;
  }
  if (first === '--version') {
    process.stdout.write('overlay-tui 0.1.0\n');
    return 0;
  }
  const load = first !== undefined ? COMMANDS[first] : undefined;
  if (load) return (await load())(rest);
  if (first !== undefined && !first.startsWith('-')) {
    throw usageError('', `unknown command '${first}'`);
  }
  // No command: the full-screen app.
  const { appCommand } = await import('./commands/app.js');
  return appCommand(argv, TOP_HELP);
}

/**
 * Exits once stdout and stderr have been written out: process.exit() drops
 * what a pipe has not taken yet (`overlay-tui diff | wc -l` lost lines).
 */
async function exitAfterFlush(code: number): Promise<never> {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => stream.write('', () => resolve()));
  // A closed stdout takes nothing more (and may never call back).
  await Promise.all([
    stdoutClosed() ? undefined : flushed(process.stdout),
    flushed(process.stderr),
  ]);
  process.exit(code);
}

quietOnClosedStdout();
let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UserError) {
    process.stderr.write(`${err.program}: ${safeLine(err.message)}\n`);
    code = err.exitCode;
  } else {
    process.stderr.write(
      `overlay-tui: internal error (a bug, please report it): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    code = 125;
  }
}
await exitAfterFlush(code);
