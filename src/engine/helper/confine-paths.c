#define _GNU_SOURCE
#include "confine-paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "helper-errors.h"

/* ROOT/PATH as an O_PATH fd, one component at a time with no symlink
 * followed (not even the last); -1 if some component does not exist. */
static int open_beneath(int rootfd, const char *path) {
  char buf[256];
  if ((size_t)snprintf(buf, sizeof buf, "%s", path) >= sizeof buf) {
    errno = ENAMETOOLONG;
    child_fail(EXIT_SETUP, "confine %s", path);
  }
  int fd = dup(rootfd);
  for (char *save = NULL, *part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    if (strcmp(part, "..") == 0) child_failx(EXIT_SETUP, "confine %s: '..' is not allowed", path);
    int next = openat(fd, part, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    close(fd);
    if (next < 0 && (errno == ENOENT || errno == ENOTDIR)) return -1;
    if (next < 0) child_fail(EXIT_SETUP, "open %s in the container root", path);
    struct stat st;
    if (fstat(next, &st) != 0) child_fail(EXIT_SETUP, "stat %s", path);
    if (S_ISLNK(st.st_mode)) child_failx(EXIT_SETUP, "confine %s: it is a symlink; refusing", path);
    fd = next;
  }
  return fd;
}

static void fd_path(char *buf, size_t size, int fd) { snprintf(buf, size, "/proc/self/fd/%d", fd); }

void mask_path(int rootfd, const char *path) {
  int fd = open_beneath(rootfd, path);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0) child_fail(EXIT_SETUP, "stat %s", path);
  char target[64];
  fd_path(target, sizeof target, fd);
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0555,size=4k") != 0)
      child_fail(EXIT_SETUP, "mask %s", path);
  } else {
    /* Our own /dev/null (a fresh node in our own /dev tmpfs). */
    int null = open_beneath(rootfd, "dev/null");
    if (null < 0) child_fail(EXIT_SETUP, "open /dev/null to mask %s", path);
    char source[64];
    fd_path(source, sizeof source, null);
    if (mount(source, target, NULL, MS_BIND, NULL) != 0) child_fail(EXIT_SETUP, "mask %s", path);
    close(null);
  }
  close(fd);
}

/* The per-mount flags PATH's mount has now, as mount(2) flags: a bind
 * remount sets them all at once, so those not changed are passed again. */
static unsigned long mount_flags_of(int fd, const char *path) {
  struct statvfs sv;
  if (fstatvfs(fd, &sv) != 0) child_fail(EXIT_SETUP, "statvfs %s", path);
  static const struct { unsigned long st, ms; } map[] = {
      {ST_NOSUID, MS_NOSUID}, {ST_NODEV, MS_NODEV}, {ST_NOEXEC, MS_NOEXEC},
      {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME},
  };
  unsigned long flags = 0;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (sv.f_flag & map[i].st) flags |= map[i].ms;
  return flags;
}

void readonly_path(int rootfd, const char *path) {
  int fd = open_beneath(rootfd, path);
  if (fd < 0) return;
  unsigned long keep = mount_flags_of(fd, path);
  char target[64];
  fd_path(target, sizeof target, fd);
  if (mount(target, target, NULL, MS_BIND | MS_REC, NULL) != 0) child_fail(EXIT_SETUP, "bind %s", path);
  close(fd);
  /* The fd still names what is now covered: look the path up again to
   * reach the new bind mount on top. */
  fd = open_beneath(rootfd, path);
  if (fd < 0) child_fail(EXIT_SETUP, "reopen %s", path);
  fd_path(target, sizeof target, fd);
  if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL) != 0)
    child_fail(EXIT_SETUP, "remount %s read-only", path);
  close(fd);
}
