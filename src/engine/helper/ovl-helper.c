/*
 * ovl-helper: the few steps Node.js cannot take itself.
 *
 * Node is multi-threaded, so it cannot unshare(2) a mount namespace, and it
 * has no pivot_root(2) or mount(2). This small trusted program does exactly
 * those steps, in the order runc's rootfs_linux.go takes them, and nothing
 * else. Every failure names the step and the path.
 *
 *   ovl-helper mount LOWERDIRS UPPER WORK MERGED [OPTION=VALUE...]
 *   ovl-helper umount PATH
 *   ovl-helper run --root MERGED --hostname NAME --pid-file FILE -- CMD ARG...
 *
 * Exit codes of `run`: the command's own code, 128+N if it was killed by
 * signal N, 125 if the container could not be set up, 126 if the command
 * could not be executed, 127 if it was not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount-api.h"
#include "rmtree.h"

enum { EXIT_SETUP = 125, EXIT_CANNOT_EXEC = 126, EXIT_NOT_FOUND = 127 };

static void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ovl-helper: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

/* ---- mount / umount (run in the caller's mount namespace) ---------------- */

static int cmd_mount(int argc, char **argv) {
  if (argc < 5) die(2, "usage: mount LOWERDIRS UPPER WORK MERGED [OPTION=VALUE...]");
  char reason[4096];
  const char *opts[32];
  int nopts = 0;
  for (int i = 5; i < argc && nopts < 32; i++) opts[nopts++] = argv[i];
  if (mount_overlay(argv[1], argv[2], argv[3], argv[4], opts, nopts, reason, sizeof reason) != 0) {
    /* One line on stderr: the error and the kernel's own reason. */
    fprintf(stderr, "mount overlay on %s: %s%s%s\n", argv[4], strerror(errno), reason[0] ? ": " : "",
            reason);
    return 32;
  }
  return 0;
}

static int cmd_umount(int argc, char **argv) {
  if (argc != 2) die(2, "usage: umount PATH");
  /* No MNT_DETACH: a busy mount must fail loudly, so that nothing below it
   * is deleted while it is still in use. */
  if (umount2(argv[1], UMOUNT_NOFOLLOW) != 0) {
    fprintf(stderr, "umount %s: %s\n", argv[1], strerror(errno));
    return 32;
  }
  return 0;
}

/* ---- run: the container ------------------------------------------------- */

struct run_args {
  const char *root;
  const char *hostname;
  const char *pid_file;
  char **argv;
};

/* Errors in the child are sent to the parent through this pipe, so that one
 * clear line reaches the user; an exec that succeeds closes it empty. */
static int err_fd = -1;

struct child_error {
  int code;
  char msg[1000];
};

static void child_fail(int code, const char *fmt, ...) {
  struct child_error e = {.code = code};
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(e.msg, sizeof e.msg, fmt, ap);
  va_end(ap);
  snprintf(e.msg + (n < (int)sizeof e.msg ? n : (int)sizeof e.msg - 1),
           sizeof e.msg - (n < (int)sizeof e.msg ? n : (int)sizeof e.msg - 1), ": %s",
           strerror(errno));
  if (write(err_fd, &e, sizeof e) < 0) _exit(code);
  _exit(code);
}

/* Opens ROOT/REL one component at a time without following any symlink, so
 * that an image cannot redirect a mount with a planted link (dev -> /).
 * Missing directories are created. Returns an O_PATH fd. */
static int open_in_root(int rootfd, const char *rel) {
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

static void make_device_nodes(int rootfd) {
  static const struct { const char *name; unsigned maj, min; } nodes[] = {
      {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
  };
  int dev = open_in_root(rootfd, "dev");
  /* dev is our own fresh tmpfs now: nothing of the image is in it. */
  int devdir = openat(dev, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (devdir < 0) child_fail(EXIT_SETUP, "open /dev");
  for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++) {
    if (mknodat(devdir, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) != 0)
      child_fail(EXIT_SETUP, "mknod /dev/%s", nodes[i].name);
    fchmodat(devdir, nodes[i].name, 0666, 0); /* undo the umask */
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

static void setup_mounts(const char *root) {
  /* 1. Nothing we mount may propagate back to the host (and pivot_root
   *    refuses a shared root). */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) child_fail(EXIT_SETUP, "make / private");
  /* 2. pivot_root needs the new root to be a mount point of its own. */
  if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) != 0) child_fail(EXIT_SETUP, "bind %s", root);
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) child_fail(EXIT_SETUP, "open %s", root);
  /* 3. The kernel file systems a shell expects, each resolved inside root. */
  mount_in_root(rootfd, "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  mount_in_root(rootfd, "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
  make_device_nodes(rootfd);
  mount_in_root(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                "newinstance,ptmxmode=0666,mode=0620");
  mount_in_root(rootfd, "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
  bind_console(rootfd);
  mount_in_root(rootfd, "sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
  close(rootfd);
}

static void pivot_into(const char *root) {
  /* pivot_root(".", ".") stacks the old root on top of the new one; a lazy
   * unmount then drops it, so no .oldroot directory appears in upper. */
  if (chdir(root) != 0) child_fail(EXIT_SETUP, "chdir %s", root);
  if (syscall(SYS_pivot_root, ".", ".") != 0) child_fail(EXIT_SETUP, "pivot_root %s", root);
  if (umount2(".", MNT_DETACH) != 0) child_fail(EXIT_SETUP, "unmount the old root");
  if (chdir("/") != 0) child_fail(EXIT_SETUP, "chdir /");
}

/* HARDENING STEP. After the pivot and before the image's command: this is
 * where capabilities will be dropped and no_new_privs set. Everything after
 * this function runs the image's own (untrusted) code. */
static void harden(void) {}

static void exec_command(const struct run_args *a) {
  const char *term = getenv("TERM");
  char termbuf[128];
  snprintf(termbuf, sizeof termbuf, "%s", term ? term : "");
  clearenv();
  setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
  setenv("HOME", "/root", 1);
  setenv("HOSTNAME", a->hostname, 1);
  if (termbuf[0]) setenv("TERM", termbuf, 1);
  /* No descriptor of the host's may leak into the container. */
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  execvp(a->argv[0], a->argv);
  child_fail(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, "exec %s", a->argv[0]);
}

static void container_init(const struct run_args *a, int go_fd) {
  /* If the helper dies (and with it overlay-tui), the container dies too.
   * The parent says "go" only after it recorded our pid; if it died before
   * that, read() sees EOF and we stop here, so no container can outlive an
   * unrecorded helper. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  char go;
  if (read(go_fd, &go, 1) != 1) _exit(EXIT_SETUP);
  close(go_fd);
  setup_mounts(a->root);
  pivot_into(a->root);
  if (sethostname(a->hostname, strlen(a->hostname)) != 0) child_fail(EXIT_SETUP, "sethostname");
  harden();
  exec_command(a);
}

static pid_t child_pid;

static void forward_signal(int sig) {
  if (child_pid > 0) kill(child_pid, sig);
}

/* Records "PID STARTTIME" so that overlay-tui (or a later recovery) can kill
 * the container's init and be sure the pid was not reused meanwhile. */
static void write_pid_file(const char *path, pid_t pid) {
  char statpath[64], buf[1024], tmp[4096];
  snprintf(statpath, sizeof statpath, "/proc/%d/stat", pid);
  unsigned long long start = 0;
  int fd = open(statpath, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n > 0) {
      buf[n] = 0;
      char *p = strrchr(buf, ')'); /* comm may contain spaces */
      for (int field = 2; p && field < 22; field++) p = strchr(p + 1, ' ');
      if (p) start = strtoull(p + 1, NULL, 10);
    }
  }
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "we");
  if (!f) return;
  fprintf(f, "%d %llu\n", pid, start);
  fclose(f);
  rename(tmp, path);
}

static int cmd_run(int argc, char **argv) {
  struct run_args a = {0};
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) { i++; break; }
    if (i + 1 >= argc) die(2, "run: %s needs a value", argv[i]);
    if (strcmp(argv[i], "--root") == 0) a.root = argv[++i];
    else if (strcmp(argv[i], "--hostname") == 0) a.hostname = argv[++i];
    else if (strcmp(argv[i], "--pid-file") == 0) a.pid_file = argv[++i];
    else die(2, "run: unknown option %s", argv[i]);
  }
  if (!a.root || !a.hostname || i >= argc) die(2, "usage: run --root DIR --hostname NAME [--pid-file F] -- CMD...");
  a.argv = argv + i;

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const char *want_parent = getenv("OVL_HELPER_PARENT");
  if (want_parent && atoi(want_parent) != getppid()) return EXIT_SETUP; /* parent already gone */

  if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET) != 0)
    die(EXIT_SETUP, "unshare namespaces: %s", strerror(errno));
  int pipefd[2], gofd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0 || pipe2(gofd, O_CLOEXEC) != 0) die(EXIT_SETUP, "pipe: %s", strerror(errno));

  child_pid = fork(); /* the first child in the new pid namespace is its pid 1 */
  if (child_pid < 0) die(EXIT_SETUP, "fork: %s", strerror(errno));
  if (child_pid == 0) {
    close(pipefd[0]);
    close(gofd[1]);
    err_fd = pipefd[1];
    container_init(&a, gofd[0]);
  }
  close(pipefd[1]);
  close(gofd[0]);
  struct sigaction sa = {.sa_handler = forward_signal};
  int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  for (size_t s = 0; s < sizeof sigs / sizeof sigs[0]; s++) sigaction(sigs[s], &sa, NULL);
  if (a.pid_file) write_pid_file(a.pid_file, child_pid);
  if (write(gofd[1], "g", 1) != 1) die(EXIT_SETUP, "start the container: %s", strerror(errno));
  close(gofd[1]);

  struct child_error e;
  ssize_t n;
  do n = read(pipefd[0], &e, sizeof e); while (n < 0 && errno == EINTR);
  int status = 0;
  while (waitpid(child_pid, &status, 0) < 0 && errno == EINTR) {}
  if (n == (ssize_t)sizeof e) {
    fprintf(stderr, "overlay-tui: container: %s\n", e.msg);
    return e.code;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return EXIT_SETUP;
}

int main(int argc, char **argv) {
  if (argc < 2) die(2, "usage: ovl-helper mount|umount|run ...");
  if (strcmp(argv[1], "mount") == 0) return cmd_mount(argc - 1, argv + 1);
  if (strcmp(argv[1], "umount") == 0) return cmd_umount(argc - 1, argv + 1);
  if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
  if (strcmp(argv[1], "rmtree") == 0) return cmd_rmtree(argc - 1, argv + 1);
  die(2, "unknown command %s", argv[1]);
  return 2;
}
