/** `overlay-tui` with no command: parse its options, then open the full-screen app (loaded only now). */
import { CONTAINER_OPTIONS, HELP_OPTION, ROOT_OPTION, containerArgs, parse } from './args.js';

const OPTIONS = { ...CONTAINER_OPTIONS, ...ROOT_OPTION, ...HELP_OPTION } as const;

export async function appCommand(argv: string[], help: string): Promise<number> {
  const { values } = parse('', argv, OPTIONS, { min: 0, max: 0, what: '' });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const container = containerArgs(values); // checked before the UI is loaded
  // React's development build costs every frame (and start-up) dearly.
  process.env.NODE_ENV ??= 'production';
  const { runApp } = await import('../ui/run-app.js');
  return runApp({ ...container, argv });
}
