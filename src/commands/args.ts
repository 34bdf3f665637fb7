/**
 * Argument parsing on node:util's parseArgs (strict: an unknown flag is an
 * error), with messages that name the command and point at its --help.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { INSTALL_DIR } from '../engine/install-dir.js';
import { existsSync } from 'node:fs';
import { UsageError, UserError } from '../engine/errors.js';
import { DEFAULT_STATE_ROOT } from '../engine/state-root.js';
import {
  isRuntimeName,
  RUNTIME_NAMES,
  type RuntimeName,
} from '../engine/runtime/runtime-record.js';
import { usernsRange } from '../engine/confine/userns-range.js';
import type { IdMap } from '../overlay/id-map.js';
import { LimitError, parseLimits } from '../engine/cgroup/limits.js';
import type { ResourceLimits } from '../engine/confine/types.js';
import { UnknownCapabilityError, normalizeCapability } from '../engine/confine/capabilities.js';
import { SecurityOptError, parseSecurityOpts } from '../engine/confine/security-opt.js';
import type { ConfineOptions } from '../engine/confine/profile.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };
export type OptionSpecs = Record<string, OptionSpec>;

export const ROOT_OPTION = { root: { type: 'string' } } as const satisfies OptionSpecs;
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies OptionSpecs;
/** How the container is confined (Docker's spelling). For `run` and the app. */
export const CONFINE_OPTIONS = {
  privileged: { type: 'boolean' },
  'cap-add': { type: 'string', multiple: true },
  'cap-drop': { type: 'string', multiple: true },
  'security-opt': { type: 'string', multiple: true },
} as const satisfies OptionSpecs;

/** What makes a container: the image, its name, keep its upper, its confinement. For `run` and the app. */
export const CONTAINER_OPTIONS = {
  image: { type: 'string' },
  name: { type: 'string' },
  keep: { type: 'boolean' },
  runtime: { type: 'string' },
  userns: { type: 'boolean' },
  'pids-limit': { type: 'string' },
  memory: { type: 'string' },
  cpus: { type: 'string' },
  ...CONFINE_OPTIONS,
} as const satisfies OptionSpecs;

/**
 * How the command runs, with docker run's names: over the image's Env,
 * WorkingDir and User. For `run`.
 */
export const PROCESS_OPTIONS = {
  env: { type: 'string', short: 'e', multiple: true },
  workdir: { type: 'string', short: 'w' },
  user: { type: 'string', short: 'u' },
  entrypoint: { type: 'string' },
} as const satisfies OptionSpecs;

/** PROCESS_OPTIONS checked: -w must be absolute, -e must name a variable. */
export function processArgs(
  command: string,
  values: {
    env?: string[] | undefined;
    workdir?: string | undefined;
    user?: string | undefined;
    entrypoint?: string | undefined;
  },
): { env: string[]; workdir?: string; user?: string; entrypoint?: string } {
  const env = values.env ?? [];
  const bad = env.find((e) => e === '' || e.startsWith('=') || e.includes('\0'));
  if (bad !== undefined) throw usageError(command, `--env '${bad}': want NAME=VALUE or NAME`);
  if (values.workdir !== undefined && !values.workdir.startsWith('/')) {
    throw usageError(command, `--workdir '${values.workdir}': want an absolute path`);
  }
  return {
    env,
    ...(values.workdir !== undefined ? { workdir: values.workdir } : {}),
    ...(values.user !== undefined ? { user: values.user } : {}),
    ...(values.entrypoint !== undefined ? { entrypoint: values.entrypoint } : {}),
  };
}

/** fixtures/busybox.tar of this installation, built by `npm run image`. */
export const DEFAULT_IMAGE = join(INSTALL_DIR, 'fixtures', 'busybox.tar');

/** The image to use: --image FILE, or the default one, which must have been built. */
function imageArg(image: string | undefined): string {
  const file = image ?? DEFAULT_IMAGE;
  if (file === DEFAULT_IMAGE && !existsSync(file)) {
    throw new UserError(
      `the default image ${file} is not built yet: run 'npm run image' (or pass --image FILE)`,
    );
  }
  return file;
}

export function stateRootArg(root: string | undefined): string {
  return root ?? DEFAULT_STATE_ROOT;
}

/** CONFINE_OPTIONS checked: an unknown capability or --security-opt is a usage error of COMMAND. */
export function confineArgs(
  command: string,
  values: {
    privileged?: boolean | undefined;
    'cap-add'?: string[] | undefined;
    'cap-drop'?: string[] | undefined;
    'security-opt'?: string[] | undefined;
  },
): ConfineOptions {
  try {
    const security = parseSecurityOpts(values['security-opt'] ?? []);
    return {
      privileged: values.privileged ?? false,
      capAdd: (values['cap-add'] ?? []).map(normalizeCapability),
      capDrop: (values['cap-drop'] ?? []).map(normalizeCapability),
      ...security,
    };
  } catch (err) {
    if (err instanceof UnknownCapabilityError) throw usageError(command, err.message);
    if (err instanceof SecurityOptError) throw usageError(command, err.message);
    throw err;
  }
}

/** --runtime runc|crun: an OCI runtime instead of the C helper. */
function runtimeArg(value: string | undefined, command: string): RuntimeName | undefined {
  if (value === undefined || isRuntimeName(value)) return value;
  throw usageError(command, `--runtime: '${value}' is not one of ${RUNTIME_NAMES.join(', ')}`);
}

/** What CONTAINER_OPTIONS and --root parsed to, as run and the app (command '') take it. */
export function containerArgs(
  values: {
    image?: string | undefined;
    name?: string | undefined;
    keep?: boolean | undefined;
    userns?: boolean | undefined;
    root?: string | undefined;
    'pids-limit'?: string | undefined;
    memory?: string | undefined;
    cpus?: string | undefined;
    privileged?: boolean | undefined;
    'cap-add'?: string[] | undefined;
    'cap-drop'?: string[] | undefined;
    'security-opt'?: string[] | undefined;
    runtime?: string | undefined;
  },
  command = 'run',
): {
  image: string;
  name?: string;
  keep: boolean;
  userns?: IdMap;
  runtime?: RuntimeName;
  root: string;
  limits: ResourceLimits;
  confine: ConfineOptions;
} {
  const confine = confineArgs(command, values);
  const runtime = runtimeArg(values.runtime, command);
  if (runtime !== undefined && values.userns) {
    // runc enters the user namespace before it mounts the root, and as the
    // container's root it cannot pass containers/ (root's alone, 0700).
    throw usageError(
      command,
      `--userns and --runtime ${runtime} do not go together yet: ${runtime} cannot reach the container's root from its user namespace`,
    );
  }
  return {
    limits: limitsArg(command, values),
    image: imageArg(values.image),
    ...(values.name !== undefined ? { name: values.name } : {}),
    keep: values.keep ?? false,
    ...(values.userns ? { userns: usernsRange() } : {}),
    ...(runtime !== undefined ? { runtime } : {}),
    root: stateRootArg(values.root),
    confine,
  };
}

/** --pids-limit, --memory, --cpus: a bad value is a usage error. */
function limitsArg(
  command: string,
  values: {
    'pids-limit'?: string | undefined;
    memory?: string | undefined;
    cpus?: string | undefined;
  },
): ResourceLimits {
  try {
    return parseLimits({
      pidsLimit: values['pids-limit'],
      memory: values.memory,
      cpus: values.cpus,
    });
  } catch (err) {
    if (err instanceof LimitError) throw usageError(command, err.message);
    throw err;
  }
}

/**
 * A usage error of `overlay-tui COMMAND`, or of the app itself when command
 * is '': printed as `overlay-tui COMMAND: PROBLEM (see 'overlay-tui COMMAND --help')`.
 */
export function usageError(command: string, problem: string): UsageError {
  const name = command ? `overlay-tui ${command}` : 'overlay-tui';
  return new UsageError(`${problem} (see '${name} --help')`, command || undefined);
}

/** parseArgs's message, first sentence only: the rest explains '--' at length. */
function parseProblem(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.split(/\.\s/)[0]?.replace(/\.$/, '') ?? raw;
}

export function parse<O extends OptionSpecs>(
  command: string,
  argv: string[],
  options: O,
  positionals: { min: number; max: number; what: string },
): {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>['values'];
  positionals: string[];
} {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw usageError(command, parseProblem(err));
  }
  const n = parsed.positionals.length;
  if (
    !('help' in parsed.values && parsed.values.help) &&
    (n < positionals.min || n > positionals.max)
  ) {
    throw usageError(
      command,
      n < positionals.min
        ? `missing ${positionals.what}`
        : `unexpected argument '${parsed.positionals[positionals.max]}'`,
    );
  }
  return parsed;
}

/**
 * Splits `[OPTIONS] [--] CMD ARGS...`: options end at `--` or at the first
 * word that is not an option, so the command's own flags are never ours.
 */
export function splitCommand(
  argv: string[],
  options: OptionSpecs,
): { ours: string[]; command: string[] } {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg === '--') return { ours: argv.slice(0, i), command: argv.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') break;
    const name = arg.replace(/^--?/, '').split('=')[0] ?? '';
    const spec = options[name] ?? Object.values(options).find((o) => o.short === name);
    i += spec?.type === 'string' && !arg.includes('=') ? 2 : 1;
  }
  return { ours: argv.slice(0, i), command: argv.slice(i) };
}
