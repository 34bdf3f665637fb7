/*
 * rmtree: removes a directory tree of any depth from descriptors, never
 * through a path, never through a symlink, never below a mount.
 */
#ifndef OVL_RMTREE_H
#define OVL_RMTREE_H

/* `ovl-helper rmtree PATH...`: argv[0] is "rmtree". 0 when every PATH is
 * gone (or was never there); 1 with one line on stderr otherwise. */
int cmd_rmtree(int argc, char **argv);

#endif
