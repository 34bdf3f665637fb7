/** `overlay-tui` with no command: parse its options, then open the full-screen app (loaded only now). */
import { parsePrefixKey } from '../ui/input/key-names.js';
import {
  CONTAINER_OPTIONS,
  HELP_OPTION,
  ROOT_OPTION,
  containerArgs,
  parse,
  usageError,
} from './args.js';

const OPTIONS = {
  ...CONTAINER_OPTIONS,
  ...ROOT_OPTION,
  ...HELP_OPTION,
  prefix: { type: 'string' },
} as const;

/** --prefix KEY as a byte; a key that cannot be one is a usage error, before the screen changes. */
function prefixArg(spec: string | undefined): number | undefined {
  if (spec === undefined) return undefined;
  try {
    return parsePrefixKey(spec);
  } catch (err) {
    throw usageError('', `--prefix: ${(err as Error).message}`);
  }
}

export async function appCommand(argv: string[], help: string): Promise<number> {
  const { values } = parse('', argv, OPTIONS, { min: 0, max: 0, what: '' });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  // Checked before the UI is loaded.
  const container = containerArgs(values, '');
  const prefix = prefixArg(values.prefix);
  // React's development build costs every frame (and start-up) dearly.
  process.env.NODE_ENV ??= 'production';
  const { runApp } = await import('../ui/run-app.js');
  return runApp({ ...container, argv, ...(prefix !== undefined ? { prefix } : {}) });
}
