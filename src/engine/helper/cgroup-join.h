/*
 * Joining the container's cgroups (`ovl-helper run --cgroup DIR`, once per
 * directory): done before unshare and fork, so that the container's pid 1
 * and everything it starts are in them from the first instruction.
 */
#ifndef OVL_CGROUP_JOIN_H
#define OVL_CGROUP_JOIN_H

#include <stddef.h>

/* Moves this process into DIR (writes "0" to DIR/cgroup.procs). 0, or -1 with a message in err. */
int ovl_cgroup_join(const char *dir, char *err, size_t errlen);

#endif
