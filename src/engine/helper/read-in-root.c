#define _GNU_SOURCE
#include "read-in-root.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper-errors.h"

enum { READ_MAX = 1 << 20, EXIT_ABSENT = 3 };

int cmd_read_in_root(int argc, char **argv) {
  if (argc != 3) die(2, "usage: read-in-root ROOT PATH");
  int rootfd = open(argv[1], O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (rootfd < 0) die(1, "open %s: %s", argv[1], strerror(errno));
  /* O_NONBLOCK: a FIFO planted at PATH must not hang us (it is refused below). */
  struct open_how how = {
      .flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
      .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
  };
  int fd = (int)syscall(SYS_openat2, rootfd, argv[2], &how, sizeof how);
  if (fd < 0 && errno == ENOENT) return EXIT_ABSENT;
  if (fd < 0) die(1, "open %s in %s: %s", argv[2], argv[1], strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) die(1, "stat %s: %s", argv[2], strerror(errno));
  if (!S_ISREG(st.st_mode)) die(1, "%s is not a regular file", argv[2]);
  if (st.st_size > READ_MAX) die(1, "%s is over %d bytes", argv[2], READ_MAX);
  static char buf[READ_MAX];
  size_t total = 0;
  ssize_t n;
  while (total < sizeof buf && (n = read(fd, buf + total, sizeof buf - total)) != 0) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die(1, "read %s: %s", argv[2], strerror(errno));
    total += (size_t)n;
  }
  for (size_t off = 0; off < total;) {
    ssize_t w = write(STDOUT_FILENO, buf + off, total - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) die(1, "write: %s", strerror(errno));
    off += (size_t)w;
  }
  return 0;
}
