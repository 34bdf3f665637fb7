/*
 * User namespaces and idmapped mounts for --userns (see userns.h).
 *
 * The maps of a user namespace must be written by a process outside it, so
 * a child that stays behind writes them while the helper waits: the same
 * step serves the idmapped mounts (whose map is a namespace kept only by its
 * fd) and the container itself.
 */
#define _GNU_SOURCE
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int ovl_in_userns;

int ovl_idmap_parse(const char *s, struct ovl_idmap *map) {
  char *end;
  errno = 0;
  unsigned long base = strtoul(s, &end, 10);
  if (errno || end == s || *end != ':') return -1;
  const char *rest = end + 1;
  unsigned long size = strtoul(rest, &end, 10);
  if (errno || end == rest || *end || size == 0 || base == 0 || base + size > 0xfffffffful) return -1;
  map->base = (unsigned)base;
  map->size = (unsigned)size;
  return 0;
}

static int write_file(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Writes MAP as PID's uid and gid maps. 0, or -1 with errno. */
static int write_maps(pid_t pid, const struct ovl_idmap *map) {
  char path[64], text[64];
  snprintf(text, sizeof text, "0 %u %u\n", map->base, map->size);
  snprintf(path, sizeof path, "/proc/%d/uid_map", pid);
  if (write_file(path, text) != 0) return -1;
  snprintf(path, sizeof path, "/proc/%d/gid_map", pid);
  return write_file(path, text);
}

int ovl_enter_userns(const struct ovl_idmap *map, char *err, size_t errlen) {
  int ready[2], done[2];
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(done, O_CLOEXEC) != 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    return -1;
  }
  pid_t parent = getpid();
  pid_t mapper = fork();
  if (mapper < 0) {
    snprintf(err, errlen, "fork: %s", strerror(errno));
    return -1;
  }
  if (mapper == 0) {
    char go;
    close(ready[1]);
    close(done[0]);
    if (read(ready[0], &go, 1) != 1) _exit(1);
    int code = write_maps(parent, map) == 0 ? 0 : errno;
    if (write(done[1], &code, sizeof code) != sizeof code) _exit(1);
    _exit(0);
  }
  close(ready[0]);
  close(done[1]);
  int code = 0;
  if (unshare(CLONE_NEWUSER) != 0) {
    code = errno;
    snprintf(err, errlen, "unshare a user namespace: %s", strerror(code));
  }
  if (write(ready[1], "g", 1) != 1 && !code) {
    code = errno;
    snprintf(err, errlen, "start the id mapper: %s", strerror(code));
  }
  close(ready[1]);
  int mapped = EIO;
  if (read(done[0], &mapped, sizeof mapped) != sizeof mapped) mapped = EIO;
  close(done[0]);
  while (waitpid(mapper, NULL, 0) < 0 && errno == EINTR) {
  }
  if (code) return -1;
  if (mapped) {
    snprintf(err, errlen, "write the user namespace's id maps (0 %u %u): %s", map->base, map->size,
             strerror(mapped));
    return -1;
  }
  return 0;
}

int ovl_become_userns_root(void) {
  if (setgroups(0, NULL) != 0) return -1;
  if (setresgid(0, 0, 0) != 0) return -1;
  return setresuid(0, 0, 0);
}

/* A user namespace holding MAP, kept alive only by the returned fd. */
static int idmap_userns_fd(const struct ovl_idmap *map, char *err, size_t errlen) {
  int sync[2];
  if (pipe2(sync, O_CLOEXEC) != 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    return -1;
  }
  pid_t child = fork();
  if (child < 0) {
    snprintf(err, errlen, "fork: %s", strerror(errno));
    return -1;
  }
  if (child == 0) {
    close(sync[0]);
    if (unshare(CLONE_NEWUSER) != 0) _exit(1);
    if (write(sync[1], "u", 1) != 1) _exit(1);
    /* Stay until killed: the parent opens our namespace meanwhile. */
    for (;;) pause();
  }
  close(sync[1]);
  char u;
  int fd = -1;
  if (read(sync[0], &u, 1) != 1) {
    snprintf(err, errlen, "make a user namespace for the idmap: the kernel refused it");
  } else if (write_maps(child, map) != 0) {
    snprintf(err, errlen, "write the idmap (0 %u %u): %s", map->base, map->size, strerror(errno));
  } else {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/user", child);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) snprintf(err, errlen, "open %s: %s", path, strerror(errno));
  }
  close(sync[0]);
  kill(child, SIGKILL);
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
  }
  return fd;
}

int cmd_idmap(int argc, char **argv) {
  struct ovl_idmap map;
  if (argc != 4 || ovl_idmap_parse(argv[3], &map) != 0) {
    fprintf(stderr, "usage: idmap SRC DST BASE:SIZE\n");
    return 2;
  }
  char err[512];
  int ns = idmap_userns_fd(&map, err, sizeof err);
  if (ns < 0) {
    fprintf(stderr, "idmap %s: %s\n", argv[1], err);
    return 32;
  }
  /* Neither end may be a symlink: both are under the state root, but the
   * lower is the image's and the target is the container's. */
  int src = open(argv[1], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int dst = open(argv[2], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (src < 0 || dst < 0) {
    fprintf(stderr, "idmap: open %s: %s\n", src < 0 ? argv[1] : argv[2], strerror(errno));
    return 32;
  }
  int tree = (int)syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0) {
    fprintf(stderr, "idmap: clone the mount of %s: %s\n", argv[1], strerror(errno));
    return 32;
  }
  /* Read-only: a lower is never written; setuid files keep working. */
  struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV,
                            .userns_fd = (unsigned long long)ns};
  if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
    int e = errno;
    fprintf(stderr,
            "idmap %s: the kernel refused an idmapped mount (%s): --userns needs Linux 5.12+ and a "
            "file system that supports them (ext4, xfs, btrfs, tmpfs 6.3+)\n",
            argv[1], strerror(e));
    return 32;
  }
  if (syscall(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    fprintf(stderr, "idmap: mount %s on %s: %s\n", argv[1], argv[2], strerror(errno));
    return 32;
  }
  return 0;
}
