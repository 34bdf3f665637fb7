/*
 * Test harness for src/engine/helper/seccomp.c until (and besides) the
 * helper's own call site: loads a rules file the way the helper does, then
 * tries syscalls and prints "NAME RESULT" lines, RESULT 0 for success or
 * the errno. Each probe runs in a child of its own, so that what a probe
 * changes (a namespace, a personality) never reaches the next one.
 *   seccomp-probe RULES|- probe [DIR]     the probes ('-': no filter)
 *   seccomp-probe RULES|- exec CMD...     load, then exec CMD
 *   seccomp-probe RULES chroot ROOT CMD...  a private mount namespace with
 *                                          the host's /proc bound at ROOT/proc,
 *                                          chroot ROOT, load, exec CMD
 *   seccomp-probe RULES time N cold|warm  N reads+loads, each in a fresh
 *                                          child: "read WALL CPU load WALL CPU"
 *                                          (ns); cold: no cached program
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp.h"

static const char *dir = "/tmp";

static long r_unshare_ns(void) { return unshare(CLONE_NEWNS); }
static long r_unshare_user(void) { return unshare(CLONE_NEWUSER); }
static long r_clone_newuser(void) {
  long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) _exit(0);
  if (pid > 0) waitpid((pid_t)pid, NULL, 0);
  return pid < 0 ? -1 : 0;
}
static long r_clone3(void) { return syscall(SYS_clone3, NULL, 0); }
static long r_mount(void) { return mount("none", "/nonexistent-ovt", "tmpfs", 0, NULL); }
static long r_umount2(void) { return umount2("/nonexistent-ovt", 0); }
static long r_pivot_root(void) { return syscall(SYS_pivot_root, "/nonexistent-ovt", "/nonexistent-ovt"); }
static long r_setns(void) { return setns(-1, 0); }
static long r_keyctl(void) {
  return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0) < 0 ? -1 : 0;
}
static long r_add_key(void) { return syscall(SYS_add_key, NULL, NULL, NULL, 0, 0); }
static long r_request_key(void) { return syscall(SYS_request_key, NULL, NULL, NULL, 0); }
static long r_bpf(void) { return syscall(SYS_bpf, -1, NULL, 0); }
static long r_perf_event_open(void) { return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long r_init_module(void) { return syscall(SYS_init_module, NULL, 0, ""); }
static long r_finit_module(void) { return syscall(SYS_finit_module, -1, "", 0); }
static long r_delete_module(void) { return syscall(SYS_delete_module, "nonexistent_ovt", O_NONBLOCK); }
static long r_kexec_load(void) { return syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL); }
static long r_open_by_handle_at(void) { return syscall(SYS_open_by_handle_at, -1, NULL, 0); }
static long r_personality_bad(void) { return personality(READ_IMPLIES_EXEC) < 0 ? -1 : 0; }
static long r_personality_query(void) { return personality(0xffffffff) < 0 ? -1 : 0; }
static long r_io_uring_setup(void) { return syscall(SYS_io_uring_setup, 0, NULL); }
static long r_socket_vsock(void) {
  int fd = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
  return fd < 0 ? -1 : close(fd);
}
static long r_socket_unix(void) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  return fd < 0 ? -1 : close(fd);
}
static long r_acct(void) { return syscall(SYS_acct, "/nonexistent-ovt"); }
static long r_swapon(void) { return syscall(SYS_swapon, "/nonexistent-ovt", 0); }
static long r_reboot(void) { return syscall(SYS_reboot, 0, 0, 0, NULL); }
static long r_clock_settime(void) { return syscall(SYS_clock_settime, -1, NULL); }
static long r_syslog(void) { return syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0) < 0 ? -1 : 0; }
static long r_quotactl(void) { return syscall(SYS_quotactl, 0, NULL, 0, NULL); }
static long r_userfaultfd(void) { return syscall(SYS_userfaultfd, -1); }
static long r_sethostname(void) { return syscall(SYS_sethostname, NULL, 100000); }
static long r_chroot(void) { return chroot("/nonexistent-ovt"); }
static long r_ptrace_traceme(void) { return syscall(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0); }
static long r_getpid(void) { return getpid() > 0 ? 0 : -1; }
static long r_read(void) {
  char b;
  int fd = open("/dev/null", O_RDONLY);
  long n = fd < 0 ? -1 : read(fd, &b, 1);
  return n < 0 ? -1 : close(fd);
}
static long r_fork(void) {
  pid_t pid = fork();
  if (pid == 0) _exit(7);
  int st;
  if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : (errno = ECHILD, -1);
}
static long r_exec_true(void) {
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/true", "true", (char *)NULL);
    _exit(100 + errno);
  }
  int st;
  if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  errno = WIFEXITED(st) && WEXITSTATUS(st) > 100 ? WEXITSTATUS(st) - 100 : ECHILD;
  return -1;
}
static long r_mkdir(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/made-%d", dir, getpid());
  if (mkdir(path, 0700) != 0) return -1;
  return rmdir(path);
}

static const struct { const char *name; long (*run)(void); } probes[] = {
#define P(n) {#n, r_##n}
    P(unshare_ns), P(unshare_user), P(clone_newuser), P(clone3), P(mount), P(umount2),
    P(pivot_root), P(setns), P(keyctl), P(add_key), P(request_key), P(bpf),
    P(perf_event_open), P(init_module), P(finit_module), P(delete_module), P(kexec_load),
    P(open_by_handle_at), P(personality_bad), P(personality_query), P(io_uring_setup),
    P(socket_vsock), P(socket_unix), P(acct), P(swapon), P(reboot), P(clock_settime),
    P(syslog), P(quotactl), P(userfaultfd), P(sethostname), P(chroot), P(ptrace_traceme),
    P(getpid), P(read), P(fork), P(exec_true), P(mkdir),
#undef P
};

/* Each probe in a child: its exit status carries the errno (0: success). */
static int run_probes(void) {
  for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
    pid_t pid = fork();
    if (pid < 0) return perror("fork"), 1;
    if (pid == 0) {
      errno = 0;
      long rc = probes[i].run();
      _exit(rc < 0 ? (errno & 0xff ? errno & 0xff : 255) : 0);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid) return perror("waitpid"), 1;
    printf("%s %d\n", probes[i].name, WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
  }
  return 0;
}

static void load_or_die(void) {
  char err[512];
  if (ovl_seccomp_load(err, sizeof err) != 0) {
    fprintf(stderr, "%s\n", err);
    exit(3);
  }
}

static long long now_ns(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Each run in a fresh child, as the helper does it once per container: the
 * read (parse, and build unless cached) and the load, wall and CPU time.
 * cold: the cache beside the rules is removed before each run. */
static int time_loads(const char *rules, int n, int cold) {
  char cache[4096];
  snprintf(cache, sizeof cache, "%s.bpf", rules);
  for (int i = 0; i < n; i++) {
    if (cold) unlink(cache);
    int fds[2];
    if (pipe(fds) != 0) return perror("pipe"), 1;
    pid_t pid = fork();
    if (pid == 0) {
      char err[512];
      long long t[6];
      t[0] = now_ns(CLOCK_MONOTONIC), t[1] = now_ns(CLOCK_THREAD_CPUTIME_ID);
      if (ovl_seccomp_read(rules, err, sizeof err) != 0) return fprintf(stderr, "%s\n", err), 3;
      t[2] = now_ns(CLOCK_MONOTONIC), t[3] = now_ns(CLOCK_THREAD_CPUTIME_ID);
      load_or_die();
      t[4] = now_ns(CLOCK_MONOTONIC), t[5] = now_ns(CLOCK_THREAD_CPUTIME_ID);
      long long out[4] = {t[2] - t[0], t[3] - t[1], t[4] - t[2], t[5] - t[3]};
      if (write(fds[1], out, sizeof out) != sizeof out) _exit(1);
      _exit(0);
    }
    close(fds[1]);
    long long out[4];
    if (read(fds[0], out, sizeof out) != sizeof out) return fprintf(stderr, "no time\n"), 1;
    close(fds[0]);
    waitpid(pid, NULL, 0);
    printf("read %lld %lld load %lld %lld\n", out[0], out[1], out[2], out[3]);
  }
  return 0;
}

static int enter_root(const char *root) {
  char proc[4096];
  snprintf(proc, sizeof proc, "%s/proc", root);
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
      mount("/proc", proc, NULL, MS_BIND | MS_REC, NULL) != 0 || chroot(root) != 0 ||
      chdir("/") != 0)
    return perror("enter root"), 1;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) return fprintf(stderr, "usage: see the comment at the top\n"), 2;
  if (!strcmp(argv[2], "time") && argc == 5)
    return time_loads(argv[1], atoi(argv[3]), !strcmp(argv[4], "cold"));
  int filter = strcmp(argv[1], "-") != 0;
  char err[512];
  if (filter && ovl_seccomp_read(argv[1], err, sizeof err) != 0)
    return fprintf(stderr, "%s\n", err), 3;
  const char *mode = argv[2];
  if (!strcmp(mode, "chroot") && argc > 4 && enter_root(argv[3]) != 0) return 1;
  if (filter) load_or_die();
  if (!strcmp(mode, "probe")) {
    if (argc > 3) dir = argv[3];
    return run_probes();
  }
  char **cmd = !strcmp(mode, "exec") ? argv + 3 : !strcmp(mode, "chroot") ? argv + 4 : NULL;
  if (!cmd || !cmd[0]) return fprintf(stderr, "unknown mode %s\n", mode), 2;
  execv(cmd[0], cmd);
  fprintf(stderr, "exec %s: %s\n", cmd[0], strerror(errno));
  return 127;
}
