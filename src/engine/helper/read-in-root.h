/*
 *   ovl-helper read-in-root ROOT PATH
 *
 * Writes the regular file PATH of the tree at ROOT (a container's merged
 * directory) to stdout, resolved as the container would resolve it: every
 * symlink (absolute ones too, and "..") stays inside ROOT (openat2's
 * RESOLVE_IN_ROOT), no magic link, no other mount. overlay-tui reads an
 * image's /etc/passwd and /etc/group this way to resolve a user name, so
 * that an image cannot make it read a host file. At most 1 MiB.
 * Exit 0; 3 if there is no such file; 1 with one line otherwise.
 */
#ifndef OVL_READ_IN_ROOT_H
#define OVL_READ_IN_ROOT_H

int cmd_read_in_root(int argc, char **argv);

#endif
