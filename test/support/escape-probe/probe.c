/*
 * escape-probe: run as a container's command, tries known container
 * breakouts one by one and prints one line per attempt:
 *
 *   NAME ok DETAIL        the breakout worked
 *   NAME blocked DETAIL   the kernel (or the confinement) refused it
 *   NAME absent DETAIL    this kernel has no such thing (no /proc/kcore,
 *                         no kexec): nothing to confine
 *   NAME error DETAIL     the probe could not tell (timeout, bad argument)
 *
 *   /probe [--disk MAJ:MIN --fstype TYPE --marker PATH-IN-THAT-FS]
 *          [--host-marker HOST-PATH] [--host-pid PID]
 *
 * The host side passes what only it knows: its root disk's device number
 * and file system, a file it made on that disk (to prove a mount or a
 * chroot really reached the host), and a pid that exists on the host.
 *
 * Nothing here may harm the host if it succeeds: devices are opened
 * read-only, a sysctl gets its own current value written back, the
 * sysrq trigger is opened and never written, the kexec and module calls
 * carry arguments the kernel rejects right after its permission check,
 * and every mount happens in the container's own mount namespace and is
 * undone. Each attempt runs in a child of its own, so that a seccomp kill
 * or a hang ends that attempt only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

struct probe_args arg;

static int result_fd = -1;

void report(const char *verdict, const char *fmt, ...) {
  char line[900];
  int n = snprintf(line, sizeof line, "%s ", verdict);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line + n, sizeof line - n, fmt, ap);
  va_end(ap);
  if (write(result_fd, line, strlen(line)) < 0) _exit(1);
  _exit(0);
}

const char *en(int e) {
  const char *name = strerrorname_np(e);
  return name ? name : "E?";
}

int denied(int e) { return e == EPERM || e == EACCES; }

const char *scratch(const char *name) {
  static char path[128];
  snprintf(path, sizeof path, "/tmp/escape-%s", name);
  mkdir("/tmp", 01777);
  if (mkdir(path, 0700) != 0 && errno != EEXIST) report("error", "mkdir %s: %s", path, en(errno));
  return path;
}

int write_back(const char *path) {
  char buf[4096];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n < 0) return errno;
  if (n == 0) buf[n++] = '\n';
  fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t w = write(fd, buf, n);
  int e = w == n ? 0 : w < 0 ? errno : EIO;
  close(fd);
  return e;
}

/* ---- the run -------------------------------------------------------------- */

static const struct { const char *name; void (*fn)(void); } attempts[] = {
    {"cap-sys-admin", attempt_cap_sys_admin},
    {"mknod-open-host-disk", attempt_disk_open},
    {"mount-host-disk", attempt_disk_mount},
    {"mknod-open-kmsg", attempt_kmsg_open},
    {"remount-sys-rw", attempt_remount_sys_rw},
    {"write-proc-sys", attempt_write_proc_sys},
    {"open-sysrq-trigger", attempt_sysrq_trigger},
    {"mount-proc", attempt_mount_proc},
    {"mount-sysfs", attempt_mount_sysfs},
    {"mount-tmpfs", attempt_mount_tmpfs},
    {"mount-cgroup1", attempt_mount_cgroup1},
    {"mount-cgroup2", attempt_mount_cgroup2},
    {"cgroup1-release-agent", attempt_cgroup1_release_agent},
    {"unshare-userns-mount", attempt_unshare_userns},
    {"open-by-handle-at", attempt_open_by_handle},
    {"chroot-escape", attempt_chroot_escape},
    {"ptrace-host-pid", attempt_ptrace_host_pid},
    {"proc-host-pids", attempt_proc_host_pids},
    {"keyctl-host-keyring", attempt_keyctl_host_keyring},
    {"read-proc-kcore", attempt_read_kcore},
    {"read-proc-keys", attempt_read_keys},
    {"read-proc-timer-list", attempt_read_timer_list},
    {"read-proc-sched-debug", attempt_read_sched_debug},
    {"read-proc-kallsyms", attempt_read_kallsyms},
    {"read-sys-firmware", attempt_read_sys_firmware},
    {"kexec-load", attempt_kexec_load},
    {"init-module", attempt_init_module},
    {"bpf-prog-load", attempt_bpf_prog_load},
    {"perf-event-open", attempt_perf_event_open},
};

static void run_attempt(const char *name, void (*fn)(void)) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) {
    printf("%s error pipe: %s\n", name, en(errno));
    return;
  }
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    result_fd = p[1];
    alarm(5);
    fn();
    report("error", "the attempt returned no result");
  }
  close(p[1]);
  char buf[1000];
  ssize_t n = 0, r;
  while (n < (ssize_t)sizeof buf - 1 && (r = read(p[0], buf + n, sizeof buf - 1 - n)) != 0)
    if (r > 0) n += r; else if (errno != EINTR) break;
  buf[n] = 0;
  close(p[0]);
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (n > 0) printf("%s %s\n", name, buf);
  else if (pid < 0) printf("%s error fork: %s\n", name, en(errno));
  else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) printf("%s error timed out\n", name);
  else if (WIFSIGNALED(status)) printf("%s blocked killed by %s\n", name, sigabbrev_np(WTERMSIG(status)));
  else printf("%s error exited %d with no result\n", name, WEXITSTATUS(status));
}

int main(int argc, char **argv) {
  if (argc % 2 == 0) {
    fprintf(stderr, "escape-probe: every option takes a value\n");
    return 2;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (strcmp(k, "--disk") == 0) arg.have_disk = sscanf(v, "%u:%u", &arg.disk_major, &arg.disk_minor) == 2;
    else if (strcmp(k, "--fstype") == 0) arg.fstype = v;
    else if (strcmp(k, "--marker") == 0) arg.marker = v;
    else if (strcmp(k, "--host-marker") == 0) arg.host_marker = v;
    else if (strcmp(k, "--host-pid") == 0) arg.host_pid = atoi(v);
    else {
      fprintf(stderr, "escape-probe: unknown option %s\n", k);
      return 2;
    }
  }
  for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) run_attempt(attempts[i].name, attempts[i].fn);
  return 0;
}
