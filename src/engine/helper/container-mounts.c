#define _GNU_SOURCE
#include "container-mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "helper-errors.h"
#include "userns.h"

int open_in_root(int rootfd, const char *rel) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", rel);
  int dirfd = dup(rootfd);
  for (char *save = NULL, *part = strtok_r(buf, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    int fd = openat(dirfd, part, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      if (mkdirat(dirfd, part, 0755) != 0 && errno != EEXIST) child_fail(EXIT_SETUP, "mkdir /%s", rel);
      fd = openat(dirfd, part, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    }
    if (fd < 0) {
      if (errno == ELOOP || errno == ENOTDIR)
        child_fail(EXIT_SETUP, "the image's /%s is not a directory (a symlink?); refusing to mount there", rel);
      child_fail(EXIT_SETUP, "open /%s in the container root", rel);
    }
    close(dirfd);
    dirfd = fd;
  }
  return dirfd;
}

static void mount_in_root(int rootfd, const char *rel, const char *fstype, unsigned long flags,
                          const char *data) {
  int fd = open_in_root(rootfd, rel);
  char target[64];
  snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
  if (mount(fstype, target, fstype, flags, data) != 0) child_fail(EXIT_SETUP, "mount %s on /%s", fstype, rel);
  close(fd);
}

/* Changes the per-mount flags of the mount whose root REL is. */
static void remount_in_root(int rootfd, const char *rel, unsigned long flags) {
  int fd = open_in_root(rootfd, rel);
  char target[64];
  snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
  if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) != 0)
    child_fail(EXIT_SETUP, "remount /%s", rel);
  close(fd);
}

static const struct {
  const char *name;
  unsigned maj, min;
} std_nodes[] = {
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static void make_device_nodes(int rootfd) {
  int dev = open_in_root(rootfd, "dev");
  /* dev is our own fresh tmpfs now: nothing of the image is in it. */
  int devdir = openat(dev, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (devdir < 0) child_fail(EXIT_SETUP, "open /dev");
  for (size_t i = 0; i < sizeof std_nodes / sizeof std_nodes[0]; i++) {
    if (ovl_in_userns) {
      /* A user namespace may not make device nodes: bind the host's. */
      int fd = openat(devdir, std_nodes[i].name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd < 0) child_fail(EXIT_SETUP, "create /dev/%s", std_nodes[i].name);
      close(fd);
      char host[64], target[64];
      snprintf(host, sizeof host, "/dev/%s", std_nodes[i].name);
      snprintf(target, sizeof target, "/proc/self/fd/%d/%s", devdir, std_nodes[i].name);
      if (mount(host, target, NULL, MS_BIND, NULL) != 0) child_fail(EXIT_SETUP, "bind %s", host);
      continue;
    }
    if (mknodat(devdir, std_nodes[i].name, S_IFCHR | 0666, makedev(std_nodes[i].maj, std_nodes[i].min)) != 0)
      child_fail(EXIT_SETUP, "mknod /dev/%s", std_nodes[i].name);
    fchmodat(devdir, std_nodes[i].name, 0666, 0); /* undo the umask */
  }
  static const char *links[][2] = {
      {"pts/ptmx", "ptmx"}, {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
  };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
    if (symlinkat(links[i][0], devdir, links[i][1]) != 0) child_fail(EXIT_SETUP, "symlink /dev/%s", links[i][1]);
  close(devdir);
  close(dev);
}

/* A bind mount of a node onto itself is a mount of its own, whose flags
 * are not /dev's: the standard nodes stay usable once /dev is nodev. */
static void keep_device_nodes_usable(int rootfd) {
  int dev = open_in_root(rootfd, "dev");
  for (size_t i = 0; i < sizeof std_nodes / sizeof std_nodes[0]; i++) {
    int fd = openat(dev, std_nodes[i].name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) child_fail(EXIT_SETUP, "open /dev/%s", std_nodes[i].name);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (mount(path, path, NULL, MS_BIND, NULL) != 0) child_fail(EXIT_SETUP, "bind /dev/%s", std_nodes[i].name);
    close(fd);
  }
  close(dev);
}

/* With a terminal on stdin, show it as /dev/console, as Docker does: the
 * pty lives in the host's devpts, which the container cannot see, so
 * without this `tty` says "not a tty". */
static void bind_console(int rootfd) {
  char tty[256];
  if (!isatty(0) || ttyname_r(0, tty, sizeof tty) != 0) return;
  int dev = open_in_root(rootfd, "dev");
  int fd = openat(dev, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) child_fail(EXIT_SETUP, "create /dev/console");
  close(fd);
  close(dev);
  int target = open_in_root(rootfd, "dev");
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d/console", target);
  if (mount(tty, path, NULL, MS_BIND, NULL) != 0) child_fail(EXIT_SETUP, "bind %s on /dev/console", tty);
  close(target);
}

int setup_mounts(const char *root, int confine_devices) {
  /* 1. Nothing we mount may propagate back to the host (and pivot_root
   *    refuses a shared root). */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) child_fail(EXIT_SETUP, "make / private");
  /* 2. pivot_root needs the new root to be a mount point of its own. */
  if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) != 0) child_fail(EXIT_SETUP, "bind %s", root);
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) child_fail(EXIT_SETUP, "open %s", root);
  /* In a user namespace, the host's root (unmapped there) could reach the
   * root through the state root's private directories, but cannot own a
   * file in the mounts made below: from here on the container's root (the
   * host's BASE) works through rootfd. */
  if (ovl_in_userns && ovl_become_userns_root() != 0) child_fail(EXIT_SETUP, "become the user namespace's root");
  char self[64];
  snprintf(self, sizeof self, "/proc/self/fd/%d", rootfd);
  /* 3. The kernel file systems a shell expects, each resolved inside root. */
  mount_in_root(rootfd, "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  mount_in_root(rootfd, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  make_device_nodes(rootfd);
  mount_in_root(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620");
  mount_in_root(rootfd, "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
  bind_console(rootfd);
  mount_in_root(rootfd, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  /* 4. No device but the standard ones: with no device cgroup (or one
   *    that cannot be had), nodev on every writable mount is what makes a
   *    node the container creates useless. devpts holds only its own ptys. */
  if (confine_devices) {
    keep_device_nodes_usable(rootfd);
    remount_in_root(rootfd, "dev", MS_NOSUID | MS_NODEV);
    if (mount(NULL, self, NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL) != 0)
      child_fail(EXIT_SETUP, "remount %s nodev", root);
  }
  return rootfd;
}

void pivot_into(int rootfd, const char *root) {
  /* pivot_root(".", ".") stacks the old root on top of the new one; a lazy
   * unmount then drops it, so no .oldroot directory appears in upper. */
  if (fchdir(rootfd) != 0) child_fail(EXIT_SETUP, "chdir %s", root);
  close(rootfd);
  if (syscall(SYS_pivot_root, ".", ".") != 0) child_fail(EXIT_SETUP, "pivot_root %s", root);
  if (umount2(".", MNT_DETACH) != 0) child_fail(EXIT_SETUP, "unmount the old root");
  if (chdir("/") != 0) child_fail(EXIT_SETUP, "chdir /");
}
