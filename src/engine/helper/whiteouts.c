/*
 * ovl-helper whiteouts DIR < PATHS
 *
 * PATHS: NUL-terminated paths relative to DIR, as bytes. Each becomes a
 * whiteout: a character device 0/0, mode 0000, owned by root (the helper's
 * own ids), as overlayfs and Docker's overlay2 make them. One process per
 * layer, not per whiteout: an image deleting a thousand files costs one
 * spawn.
 *
 * DIR is a layer being extracted, from an untrusted archive: each parent is
 * resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so no
 * symlink (nor "..", nor a mount crossing) leads outside it, and mknodat
 * never follows one at the end (an existing name is EEXIST). The caller
 * has already made every parent as a real directory; this is the check
 * that nothing changed that.
 *
 * A failure is one line on stderr, "entry N: STEP: REASON" (N counts from
 * 0), so that the caller names the path in its own escaped form.
 */
#define _GNU_SOURCE
#include "whiteouts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

enum { EXIT_FAILED = 1 };

static int fail_entry(size_t n, const char *step, int err) {
  fprintf(stderr, "whiteouts: entry %zu: %s: %s\n", n, step, strerror(err));
  return EXIT_FAILED;
}

/* All of stdin; NULL (errno set) on a read error or no memory. */
static char *read_all(size_t *len) {
  size_t cap = 1 << 16, used = 0;
  char *buf = malloc(cap);
  if (!buf) return NULL;
  for (;;) {
    if (used == cap) {
      char *bigger = realloc(buf, cap *= 2);
      if (!bigger) break;
      buf = bigger;
    }
    ssize_t n = read(STDIN_FILENO, buf + used, cap - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (n == 0) {
      *len = used;
      return buf;
    }
    used += (size_t)n;
  }
  int saved = errno;
  free(buf);
  errno = saved;
  return NULL;
}

/* DIR/PARENT as an O_PATH descriptor, never through a symlink or out of DIR. */
static int open_parent(int root, const char *parent) {
  struct open_how how = {
      .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
      .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  return (int)syscall(SYS_openat2, root, parent, &how, sizeof how);
}

int cmd_whiteouts(int argc, char **argv) {
  if (argc != 2) {
    fputs("usage: ovl-helper whiteouts DIR < NUL-terminated relative paths\n", stderr);
    return 2;
  }
  int root = open(argv[1], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) {
    fprintf(stderr, "whiteouts: open %s: %s\n", argv[1], strerror(errno));
    return EXIT_FAILED;
  }
  size_t len = 0;
  char *all = read_all(&len);
  if (!all) {
    fprintf(stderr, "whiteouts: read the paths: %s\n", strerror(errno));
    return EXIT_FAILED;
  }
  /* Whiteouts of one directory come together: its descriptor is kept. */
  char *open_dir = NULL;
  int dir_fd = -1;
  size_t n = 0;
  for (size_t pos = 0; pos < len; n++) {
    char *path = all + pos;
    char *nul = memchr(path, 0, len - pos);
    if (!nul) return fail_entry(n, "read", EINVAL); /* not NUL-terminated */
    pos = (size_t)(nul - all) + 1;
    char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (*name == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || path[0] == '/')
      return fail_entry(n, "check the name", EINVAL);
    const char *parent = ".";
    if (slash) {
      *slash = 0;
      parent = path;
    }
    if (!open_dir || strcmp(open_dir, parent) != 0) {
      if (dir_fd >= 0) close(dir_fd);
      dir_fd = open_parent(root, parent);
      if (dir_fd < 0) return fail_entry(n, "open its directory", errno);
      open_dir = (char *)parent;
    }
    if (mknodat(dir_fd, name, S_IFCHR | 0000, makedev(0, 0)) != 0) return fail_entry(n, "mknod", errno);
  }
  if (dir_fd >= 0) close(dir_fd);
  close(root);
  free(all);
  return 0;
}
