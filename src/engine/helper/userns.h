/*
 * --userns: the container in a user namespace of its own, so that its root
 * is an unprivileged uid on the host, and the image's layers shown to it
 * through idmapped mounts (Linux 5.12+), so that it still owns its files.
 */
#ifndef OVL_USERNS_H
#define OVL_USERNS_H

#include <stddef.h>

struct ovl_idmap {
  unsigned base; /* host uid and gid of the container's root */
  unsigned size; /* ids mapped: container 0..size-1 -> host base.. */
};

/* Parses "BASE:SIZE". 0, or -1 if it is not one. */
int ovl_idmap_parse(const char *s, struct ovl_idmap *map);

/* `ovl-helper idmap SRC DST BASE:SIZE`: SRC seen at DST with its ids shifted by BASE. */
int cmd_idmap(int argc, char **argv);

/* Moves this process into a new user namespace with MAP (written by a
 * short-lived child that stays in the parent namespace). 0, or -1 with err. */
int ovl_enter_userns(const struct ovl_idmap *map, char *err, size_t errlen);

/* In that namespace: become its root (the host's BASE). 0, or -1 with errno set. */
int ovl_become_userns_root(void);

#endif
