/** `overlay-tui` with no command: parse its options, then open the full-screen app (loaded only now). */
import { existsSync } from 'node:fs';
import { UserError } from '../engine/errors.js';
import { DEFAULT_IMAGE, HELP_OPTION, ROOT_OPTION, parse, stateRootArg } from './args.js';

const OPTIONS = {
  image: { type: 'string' },
  name: { type: 'string' },
  keep: { type: 'boolean' },
  ...ROOT_OPTION,
  ...HELP_OPTION,
} as const;

export async function appCommand(argv: string[], help: string): Promise<number> {
  const { values } = parse('', argv, OPTIONS, { min: 0, max: 0, what: '' });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const image = values.image ?? DEFAULT_IMAGE;
  if (image === DEFAULT_IMAGE && !existsSync(image)) {
    throw new UserError(
      `the default image ${image} is not built yet: run 'npm run image' (or pass --image FILE)`,
    );
  }
  // React's development build costs every frame (and start-up) dearly.
  process.env.NODE_ENV ??= 'production';
  const { runApp } = await import('../ui/run-app.js');
  return runApp({
    image,
    ...(values.name !== undefined ? { name: values.name } : {}),
    keep: values.keep ?? false,
    root: stateRootArg(values.root),
    argv,
  });
}
