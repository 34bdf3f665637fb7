/*
 * Docker's masked and read-only paths (`run --mask PATH`, `--readonly
 * PATH`): kernel files a container has no business reading (/proc/kcore,
 * /proc/keys) or writing (/proc/sys). Applied under the new root before
 * the pivot, each resolved without following symlinks; a path this kernel
 * does not have is skipped.
 */
#ifndef OVL_CONFINE_PATHS_H
#define OVL_CONFINE_PATHS_H

/* Hides PATH: /dev/null bound on a file, an empty read-only tmpfs on a directory. */
void mask_path(int rootfd, const char *path);

/* Binds PATH onto itself read-only. */
void readonly_path(int rootfd, const char *path);

#endif
