/*
 * Mounting overlayfs with the new mount API (fsopen/fsconfig/fsmount,
 * Linux 5.2+), because it hands back the kernel's own reason for a failure
 * ("overlayfs: workdir and upperdir must be separate subtrees"), which
 * mount(2) only writes to dmesg, and because each lower is its own
 * fsconfig call there ("lowerdir+", Linux 6.8+), so a long stack of long
 * paths mounts. Falls back to mount(2) and its one page of data on older
 * kernels.
 */
#ifndef OVL_MOUNT_API_H
#define OVL_MOUNT_API_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Our own names: glibc >= 2.36 declares some of these as enums. */
enum {
  OVL_FSOPEN_CLOEXEC = 1,
  OVL_FSMOUNT_CLOEXEC = 1,
  OVL_FSCONFIG_SET_FLAG = 0,
  OVL_FSCONFIG_SET_STRING = 1,
  OVL_FSCONFIG_CMD_CREATE = 6,
  OVL_MOVE_MOUNT_F_EMPTY_PATH = 4,
  OVL_MOVE_MOUNT_T_EMPTY_PATH = 0x40,
};

/* Appends every message the kernel logged on the fs context to REASON. */
static void read_kernel_log(int fsfd, char *reason, size_t size) {
  char msg[512];
  ssize_t n;
  while ((n = read(fsfd, msg, sizeof msg - 1)) > 0) {
    msg[n] = 0;
    const char *text = (n > 2 && msg[1] == ' ') ? msg + 2 : msg; /* drop "e " */
    size_t used = strlen(reason);
    snprintf(reason + used, size - used, "%s%s", used ? "; " : "", text);
  }
}

/* Most overlayfs errors go to the kernel log only (pr_err), not to the fs
 * context: read what was logged during our attempt from /dev/kmsg. */
static int kmsg_open_at_end(void) {
  int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd >= 0) lseek(fd, 0, SEEK_END);
  return fd;
}

static void read_kmsg_since(int kfd, char *reason, size_t size) {
  char rec[1024];
  ssize_t n;
  if (kfd < 0) return;
  while ((n = read(kfd, rec, sizeof rec - 1)) > 0 || (n < 0 && errno == EPIPE)) {
    if (n <= 0) continue; /* EPIPE: records were overwritten; go on */
    rec[n] = 0;
    char *text = strchr(rec, ';');
    if (!text || !strstr(text, "overlay")) continue;
    text++;
    text[strcspn(text, "\n")] = 0;
    size_t used = strlen(reason);
    snprintf(reason + used, size - used, "%s%s", used ? "; " : "", text);
  }
}

static int set_option(int fsfd, const char *opt) {
  char key[128];
  const char *eq = strchr(opt, '=');
  if (!eq) return (int)syscall(SYS_fsconfig, fsfd, OVL_FSCONFIG_SET_FLAG, opt, NULL, 0);
  snprintf(key, sizeof key, "%.*s", (int)(eq - opt), opt);
  return (int)syscall(SYS_fsconfig, fsfd, OVL_FSCONFIG_SET_STRING, key, eq + 1, 0);
}

/* The legacy mount(2) data, "lowerdir=top:...:bottom,upperdir=...,workdir=...":
 * one page at most, which a long stack of long paths does not fit (Docker's
 * overlay2 shortens them through l/ symlinks for that reason). */
static int mount_overlay_legacy(const char **lowers, int nlowers, const char *upper,
                                const char *work, const char *merged, const char **opts, int nopts,
                                char *reason, size_t size) {
  char data[4096];
  int n = snprintf(data, sizeof data, "lowerdir=");
  for (int i = 0; i < nlowers && n < (int)sizeof data; i++)
    n += snprintf(data + n, sizeof data - n, "%s%s", i ? ":" : "", lowers[i]);
  if (n < (int)sizeof data) n += snprintf(data + n, sizeof data - n, ",upperdir=%s,workdir=%s", upper, work);
  for (int i = 0; i < nopts && n < (int)sizeof data; i++)
    n += snprintf(data + n, sizeof data - n, ",%s", opts[i]);
  if (n >= (int)sizeof data) {
    snprintf(reason, size,
             "%d lowers joined into the legacy mount data (this kernel has no lowerdir+, or a "
             "path is over 255 bytes) are over its one-page limit of %zu bytes: use shorter "
             "paths (a state root nearer /), or Linux 6.8+",
             nlowers, sizeof data - 1);
    errno = ENAMETOOLONG;
    return -1;
  }
  return mount("overlay", merged, "overlay", 0, data);
}

static int mount_overlay_api(const char **lowers, int nlowers, const char *upper, const char *work,
                             int target_fd, const char **opts, int nopts, char *reason,
                             size_t size);

/* Returns 0, or -1 with errno set and the kernel's reason (if any) in REASON.
 * LOWERS is topmost first. MERGED is opened first without following a
 * symlink (ELOOP if it is one), and the overlay is mounted on that very
 * directory: whatever replaces the path meanwhile, the mount never lands
 * where a symlink points. */
static int mount_overlay(const char **lowers, int nlowers, const char *upper, const char *work,
                         const char *merged, const char **opts, int nopts, char *reason,
                         size_t size) {
  reason[0] = 0;
  int tfd = open(merged, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (tfd < 0) return -1;
  int kfd = kmsg_open_at_end();
  int rc = mount_overlay_api(lowers, nlowers, upper, work, tfd, opts, nopts, reason, size);
  int saved = errno;
  if (rc != 0 && !reason[0]) read_kmsg_since(kfd, reason, size);
  if (kfd >= 0) close(kfd);
  close(tfd);
  errno = saved;
  return rc;
}

/* fsconfig(2) copies a string value of at most 255 bytes (strndup_user(_, 256)). */
enum { OVL_FSCONFIG_STRING_MAX = 255 };

static int fits_fsconfig(const char **lowers, int nlowers, const char *upper, const char *work) {
  if (strlen(upper) > OVL_FSCONFIG_STRING_MAX || strlen(work) > OVL_FSCONFIG_STRING_MAX) return 0;
  for (int i = 0; i < nlowers; i++)
    if (strlen(lowers[i]) > OVL_FSCONFIG_STRING_MAX) return 0;
  return 1;
}

/* One fsconfig call per lower with "lowerdir+" (Linux 6.8+), in lowerdir's
 * order: topmost first, each call appends a layer below the ones before.
 * Each path is its own string, so neither the one-page limit of the legacy
 * data nor ':' escaping applies: Docker's l/ short symlinks are not needed.
 * 0, 1 if this kernel does not know "lowerdir+" (nothing was set), or -1. */
static int set_lowers_one_by_one(int fsfd, const char **lowers, int nlowers) {
  for (int i = 0; i < nlowers; i++) {
    if (syscall(SYS_fsconfig, fsfd, OVL_FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) != 0)
      return (i == 0 && errno == EINVAL) ? 1 : -1;
  }
  return 0;
}

static int mount_by_fd_path(const char **lowers, int nlowers, const char *upper, const char *work,
                            int target_fd, const char **opts, int nopts, char *reason,
                            size_t size) {
  char target[64]; /* mount(2) follows this magic link to the very directory opened */
  snprintf(target, sizeof target, "/proc/self/fd/%d", target_fd);
  return mount_overlay_legacy(lowers, nlowers, upper, work, target, opts, nopts, reason, size);
}

static int mount_overlay_api(const char **lowers, int nlowers, const char *upper, const char *work,
                             int target_fd, const char **opts, int nopts, char *reason,
                             size_t size) {
  if (!fits_fsconfig(lowers, nlowers, upper, work))
    return mount_by_fd_path(lowers, nlowers, upper, work, target_fd, opts, nopts, reason, size);
  int fsfd = (int)syscall(SYS_fsopen, "overlay", OVL_FSOPEN_CLOEXEC);
  if (fsfd < 0 && errno == ENOSYS)
    return mount_by_fd_path(lowers, nlowers, upper, work, target_fd, opts, nopts, reason, size);
  if (fsfd < 0) return -1;
  int rc = (int)syscall(SYS_fsconfig, fsfd, OVL_FSCONFIG_SET_STRING, "source", "overlay", 0);
  if (rc == 0) {
    rc = set_lowers_one_by_one(fsfd, lowers, nlowers);
    if (rc == 1) {
      /* EINVAL on the first one: either this kernel predates 6.8 and says
       * "Unknown parameter 'lowerdir+'" (then the joined string, which must
       * fit one page), or it refused that layer for a reason of its own. */
      read_kernel_log(fsfd, reason, size);
      if (!reason[0] || strstr(reason, "nknown parameter")) {
        reason[0] = 0;
        close(fsfd);
        return mount_by_fd_path(lowers, nlowers, upper, work, target_fd, opts, nopts, reason, size);
      }
      close(fsfd);
      errno = EINVAL;
      return -1;
    }
  }
  const char *dirs[][2] = {{"upperdir", upper}, {"workdir", work}};
  for (int i = 0; rc == 0 && i < 2; i++)
    rc = (int)syscall(SYS_fsconfig, fsfd, OVL_FSCONFIG_SET_STRING, dirs[i][0], dirs[i][1], 0);
  for (int i = 0; rc == 0 && i < nopts; i++) rc = set_option(fsfd, opts[i]);
  if (rc == 0) rc = (int)syscall(SYS_fsconfig, fsfd, OVL_FSCONFIG_CMD_CREATE, NULL, NULL, 0);
  int mfd = rc == 0 ? (int)syscall(SYS_fsmount, fsfd, OVL_FSMOUNT_CLOEXEC, 0) : -1;
  if (mfd >= 0) {
    rc = (int)syscall(SYS_move_mount, mfd, "", target_fd, "",
                      OVL_MOVE_MOUNT_F_EMPTY_PATH | OVL_MOVE_MOUNT_T_EMPTY_PATH);
  } else {
    rc = -1;
  }
  int saved = errno;
  if (rc != 0) read_kernel_log(fsfd, reason, size);
  if (mfd >= 0) close(mfd);
  close(fsfd);
  errno = saved;
  return rc;
}

#endif
