/**
 * Once per test run: the CLI and helper are built, and the default busybox
 * image exists (the tests drive the real, built program).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEFAULT_IMAGE_PATH, REPO } from './support/paths.js';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: REPO, stdio: 'inherit' });
  if (!existsSync(DEFAULT_IMAGE_PATH)) {
    execFileSync('npm', ['run', '--silent', 'image'], { cwd: REPO, stdio: 'inherit' });
  }
}
