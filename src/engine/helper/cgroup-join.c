#define _GNU_SOURCE
#include "cgroup-join.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int ovl_cgroup_join(const char *dir, char *err, size_t errlen) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/cgroup.procs", dir) >= sizeof path) {
    snprintf(err, errlen, "join cgroup %s: path too long", dir);
    return -1;
  }
  /* No symlink may redirect us into another cgroup. */
  int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  ssize_t n = fd < 0 ? -1 : write(fd, "0", 1);
  int saved = errno;
  if (fd >= 0) close(fd);
  if (n != 1) {
    snprintf(err, errlen, "join cgroup %s: %s", dir, strerror(saved));
    return -1;
  }
  return 0;
}
