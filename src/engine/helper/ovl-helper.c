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
 *   ovl-helper run --root MERGED --hostname NAME --pid-file FILE [--cgroup DIR]...
 *                  [--userns BASE:SIZE] [PROCESS] [CONFINEMENT] -- CMD ARG...
 *   ovl-helper idmap SRC DST BASE:SIZE
 *   ovl-helper read-in-root ROOT PATH   (read-in-root.h)
 *   ovl-helper rmtree PATH...
 *   ovl-helper whiteouts DIR < NUL-terminated paths (an image layer's whiteouts)
 *
 * PROCESS (the image's config and docker run's -e, -w, -u, resolved by
 * overlay-tui):
 *   --env K=V          set K in the command's environment, over the
 *                      defaults (PATH, HOME, HOSTNAME, TERM); repeatable
 *   --workdir DIR      the command's working directory in the container,
 *                      made (root's, 0755) if missing, as Docker does
 *   --user UID:GID     run as this user and group; a uid other than 0 keeps
 *                      no effective or permitted capability (Docker's rule)
 *   --groups N,N,...   its supplementary groups (default: none)
 *
 * CONFINEMENT (the container is confined unless --privileged):
 *   --caps N,N,...     capability numbers to keep (default: Docker's 14)
 *   --no-new-privs     set no_new_privs before the command runs
 *   --seccomp FILE     the seccomp rules overlay-tui compiled (seccomp.c)
 *   --mask PATH        hide a container path (repeatable)
 *   --readonly PATH    make a container path read-only (repeatable)
 *   --privileged       none of the above but --no-new-privs: all
 *                      capabilities, no filter, host devices reachable
 *
 * Exit codes of `run`: the command's own code, 128+N if it was killed by
 * signal N, 125 if the container could not be set up, 126 if the command
 * could not be executed, 127 if it was not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capabilities.h"
#include "cgroup-join.h"
#include "confine-paths.h"
#include "container-mounts.h"
#include "helper-errors.h"
#include "mount-api.h"
#include "read-in-root.h"
#include "rmtree.h"
#include "seccomp.h"
#include "userns.h"
#include "whiteouts.h"

/* ---- mount / umount (run in the caller's mount namespace) ---------------- */

/* The lowers come as one argument, "top:...:bottom", as lowerdir writes
 * them (overlay-tui's paths never hold ':'); each is passed on alone. */
enum { MAX_LOWERS = 1024 };

static int cmd_mount(int argc, char **argv) {
  if (argc < 5) die(2, "usage: mount LOWERDIRS UPPER WORK MERGED [OPTION=VALUE...]");
  char reason[4096];
  const char *opts[32];
  int nopts = 0;
  for (int i = 5; i < argc && nopts < 32; i++) opts[nopts++] = argv[i];
  static const char *lowers[MAX_LOWERS];
  int nlowers = 0;
  for (char *save = NULL, *dir = strtok_r(argv[1], ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
    if (nlowers == MAX_LOWERS) die(2, "mount: more than %d lower layers", MAX_LOWERS);
    lowers[nlowers++] = dir;
  }
  if (nlowers == 0) die(2, "mount: no lower layer");
  if (mount_overlay(lowers, nlowers, argv[2], argv[3], argv[4], opts, nopts, reason, sizeof reason) != 0) {
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

enum { MAX_CONFINE_PATHS = 64, MAX_ENV = 1024, MAX_GROUPS = 64 };

struct run_args {
  const char *root;
  const char *hostname;
  const char *pid_file;
  int privileged;
  int no_new_privs;
  uint64_t caps;
  const char *seccomp;
  const char *masks[MAX_CONFINE_PATHS];
  int nmasks;
  const char *readonly[MAX_CONFINE_PATHS];
  int nreadonly;
  const char *cgroups[8];
  int ncgroups;
  int userns; /* --userns given: in a user namespace, with map */
  struct ovl_idmap map;
  const char *env[MAX_ENV];
  int nenv;
  const char *workdir;
  int set_user; /* --user given */
  uid_t uid;
  gid_t gid;
  gid_t groups[MAX_GROUPS];
  int ngroups;
  char **argv;
};

/* "N" within 0..2^32-2 (-1 is no id). 0, or -1. */
static int parse_id(const char *s, const char **end, unsigned *id) {
  char *e;
  errno = 0;
  unsigned long v = strtoul(s, &e, 10);
  if (e == s || errno || *s == '-' || v >= 0xffffffffUL) return -1;
  *id = (unsigned)v;
  *end = e;
  return 0;
}

static int parse_user(const char *s, struct run_args *a) {
  const char *e;
  unsigned uid, gid;
  if (parse_id(s, &e, &uid) != 0 || *e != ':' || parse_id(e + 1, &e, &gid) != 0 || *e) return -1;
  a->uid = uid, a->gid = gid, a->set_user = 1;
  return 0;
}

static int parse_groups(const char *s, struct run_args *a) {
  a->ngroups = 0;
  while (*s) {
    const char *e;
    unsigned g;
    if (a->ngroups == MAX_GROUPS || parse_id(s, &e, &g) != 0 || (*e != ',' && *e)) return -1;
    a->groups[a->ngroups++] = g;
    s = *e ? e + 1 : e;
  }
  return 0;
}

/* mkdir -p inside the container, after the pivot: every path resolves in
 * its root, symlinks included, so none leads out of it. */
static void make_workdir(const char *dir) {
  char path[4096];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) child_failx(EXIT_SETUP, "--workdir is too long");
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p != 0) continue;
    char c = *p;
    *p = 0;
    if (mkdir(path, 0755) != 0 && errno != EEXIST) child_fail(EXIT_SETUP, "create the working directory %s", path);
    *p = c;
    if (c == 0) break;
  }
  if (chdir(dir) != 0) child_fail(EXIT_SETUP, "chdir to the working directory %s", dir);
}

/* The user last: setgroups and setgid need CAP_SETGID, setuid CAP_SETUID.
 * Leaving uid 0 clears the permitted and effective sets (no keep-caps),
 * and they are cleared again explicitly, as Docker gives a non-root user
 * only the bounding set (oci.SetCapabilities): a setuid-root program or a
 * file capability may still raise them, within the bounding set. */
static void switch_user(const struct run_args *a, uint64_t caps) {
  if (!a->set_user) {
    if (caps_set_final(caps) != 0) child_fail(EXIT_SETUP, "set capabilities");
    return;
  }
  if (setgroups((size_t)a->ngroups, a->groups) != 0) child_fail(EXIT_SETUP, "set the supplementary groups");
  if (setresgid(a->gid, a->gid, a->gid) != 0) child_fail(EXIT_SETUP, "set group %u", (unsigned)a->gid);
  if (setresuid(a->uid, a->uid, a->uid) != 0) child_fail(EXIT_SETUP, "set user %u", (unsigned)a->uid);
  if (caps_set_final(a->uid == 0 ? caps : 0) != 0) child_fail(EXIT_SETUP, "set capabilities");
}

/* HARDENING STEP. After the pivot and before the image's command, which is
 * untrusted code running as root from here on. The order matters: the
 * bounding set needs CAP_SETPCAP to shrink; without no_new_privs, loading
 * a filter needs CAP_SYS_ADMIN, so capset comes after it. */
static void harden(const struct run_args *a) {
  if (a->privileged) {
    if (a->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(EXIT_SETUP, "no_new_privs");
    /* Every capability for root; a non-root user still keeps none. */
    if (a->set_user) switch_user(a, ~0ULL);
    return;
  }
  if (caps_drop_bounding(a->caps) != 0) child_fail(EXIT_SETUP, "drop capabilities from the bounding set");
  if (a->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(EXIT_SETUP, "no_new_privs");
  char err[512];
  if (a->seccomp && ovl_seccomp_load(err, sizeof err) != 0) child_failx(EXIT_SETUP, "%s", err);
  switch_user(a, a->caps);
}

static void exec_command(const struct run_args *a) {
  const char *term = getenv("TERM");
  char termbuf[128];
  snprintf(termbuf, sizeof termbuf, "%s", term ? term : "");
  clearenv();
  setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
  setenv("HOME", "/root", 1);
  setenv("HOSTNAME", a->hostname, 1);
  if (termbuf[0]) setenv("TERM", termbuf, 1);
  /* The image's Env and -e, over the defaults (overlay-tui decided which win). */
  for (int i = 0; i < a->nenv; i++) {
    const char *eq = strchr(a->env[i], '=');
    char key[256];
    if (!eq || eq == a->env[i] || (size_t)(eq - a->env[i]) >= sizeof key) continue;
    snprintf(key, sizeof key, "%.*s", (int)(eq - a->env[i]), a->env[i]);
    setenv(key, eq + 1, 1);
  }
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
  int rootfd = setup_mounts(a->root, !a->privileged);
  if (!a->privileged) {
    for (int i = 0; i < a->nmasks; i++) mask_path(rootfd, a->masks[i]);
    for (int i = 0; i < a->nreadonly; i++) readonly_path(rootfd, a->readonly[i]);
  }
  pivot_into(rootfd, a->root);
  if (sethostname(a->hostname, strlen(a->hostname)) != 0) child_fail(EXIT_SETUP, "sethostname");
  /* As root, before the user changes (runc's order): Docker makes it as root too. */
  if (a->workdir) make_workdir(a->workdir);
  harden(a);
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
  /* Never through a symlink planted where the temporary file goes. */
  unlink(tmp);
  int out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (out < 0) return;
  dprintf(out, "%d %llu\n", pid, start);
  close(out);
  rename(tmp, path);
}

static int cmd_run(int argc, char **argv) {
  struct run_args a = {.caps = caps_docker_default()};
  int i = 1, confined_opts = 0;
  for (; i < argc; i++) {
    const char *opt = argv[i];
    if (strcmp(opt, "--") == 0) { i++; break; }
    if (strcmp(opt, "--privileged") == 0) a.privileged = 1;
    else if (strcmp(opt, "--no-new-privs") == 0) a.no_new_privs = 1;
    else if (i + 1 >= argc) die(2, "run: %s needs a value", opt);
    else if (strcmp(opt, "--root") == 0) a.root = argv[++i];
    else if (strcmp(opt, "--hostname") == 0) a.hostname = argv[++i];
    else if (strcmp(opt, "--pid-file") == 0) a.pid_file = argv[++i];
    else if (strcmp(opt, "--cgroup") == 0) {
      if (a.ncgroups == 8) die(2, "run: too many --cgroup");
      a.cgroups[a.ncgroups++] = argv[++i];
    } else if (strcmp(opt, "--userns") == 0) {
      if (ovl_idmap_parse(argv[++i], &a.map) != 0) die(2, "run: --userns wants BASE:SIZE, not %s", argv[i]);
      a.userns = 1;
    }
    else if (strcmp(opt, "--env") == 0) {
      if (a.nenv == MAX_ENV) die(2, "run: too many --env");
      a.env[a.nenv++] = argv[++i];
    } else if (strcmp(opt, "--workdir") == 0) {
      a.workdir = argv[++i];
      if (a.workdir[0] != '/') die(2, "run: --workdir wants an absolute path, not %s", a.workdir);
    } else if (strcmp(opt, "--user") == 0) {
      if (parse_user(argv[++i], &a) != 0) die(2, "run: --user wants UID:GID, not %s", argv[i]);
    } else if (strcmp(opt, "--groups") == 0) {
      if (parse_groups(argv[++i], &a) != 0) die(2, "run: --groups wants N,N,..., not %s", argv[i]);
    }
    else if (strcmp(opt, "--caps") == 0) {
      if (caps_parse(argv[++i], &a.caps) != 0) die(2, "run: --caps %s: not a list of capability numbers", argv[i]);
      confined_opts++;
    } else if (strcmp(opt, "--seccomp") == 0) a.seccomp = argv[++i], confined_opts++;
    else if (strcmp(opt, "--mask") == 0) {
      if (a.nmasks == MAX_CONFINE_PATHS) die(2, "run: too many --mask");
      a.masks[a.nmasks++] = argv[++i], confined_opts++;
    } else if (strcmp(opt, "--readonly") == 0) {
      if (a.nreadonly == MAX_CONFINE_PATHS) die(2, "run: too many --readonly");
      a.readonly[a.nreadonly++] = argv[++i], confined_opts++;
    } else die(2, "run: unknown option %s", opt);
  }
  if (!a.root || !a.hostname || i >= argc)
    die(2, "usage: run --root DIR --hostname NAME [--pid-file F] [CONFINEMENT] -- CMD...");
  if (a.privileged && confined_opts)
    die(2, "run: --privileged takes no --caps, --seccomp, --mask or --readonly");
  a.argv = argv + i;

  /* The rules file is a host path: read it before anything changes. */
  char err[512];
  if (a.seccomp && ovl_seccomp_read(a.seccomp, err, sizeof err) != 0) die(EXIT_SETUP, "%s", err);

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const char *want_parent = getenv("OVL_HELPER_PARENT");
  if (want_parent && atoi(want_parent) != getppid()) return EXIT_SETUP; /* parent already gone */

  char why[4200];
  for (int c = 0; c < a.ncgroups; c++)
    if (ovl_cgroup_join(a.cgroups[c], why, sizeof why) != 0) die(EXIT_SETUP, "%s", why);

  if (a.userns) {
    /* After the cgroups (joined as the host's root) and before the other
     * namespaces, so that they belong to it. */
    if (ovl_enter_userns(&a.map, err, sizeof err) != 0) die(EXIT_SETUP, "--userns: %s", err);
    ovl_in_userns = 1;
  }
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
  if (strcmp(argv[1], "idmap") == 0) return cmd_idmap(argc - 1, argv + 1);
  if (strcmp(argv[1], "rmtree") == 0) return cmd_rmtree(argc - 1, argv + 1);
  if (strcmp(argv[1], "read-in-root") == 0) return cmd_read_in_root(argc - 1, argv + 1);
  if (strcmp(argv[1], "whiteouts") == 0) return cmd_whiteouts(argc - 1, argv + 1);
  die(2, "unknown command %s", argv[1]);
  return 2;
}
