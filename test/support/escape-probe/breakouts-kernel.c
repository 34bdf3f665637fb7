/* Breakouts through kernel interfaces: /proc, keyrings, ptrace and privileged system calls. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe.h"

/* ---- kernel interfaces ---------------------------------------------------- */

void attempt_write_proc_sys(void) {
  const char *path = "/proc/sys/kernel/printk_ratelimit"; /* global; its own value goes back */
  int e = write_back(path);
  if (!e) report("ok", "wrote %s (its current value)", path);
  report("blocked", "%s: %s", path, en(e));
}

void attempt_sysrq_trigger(void) {
  int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) report("absent", "no /proc/sysrq-trigger in this kernel");
  if (fd < 0) report("blocked", "open for writing: %s", en(errno));
  report("ok", "open for writing (nothing written)");
}

void attempt_ptrace_host_pid(void) {
  if (arg.host_pid <= 0) report("error", "no --host-pid given");
  if (ptrace(PTRACE_SEIZE, arg.host_pid, 0, 0) != 0) report("blocked", "PTRACE_SEIZE %d: %s", arg.host_pid, en(errno));
  ptrace(PTRACE_DETACH, arg.host_pid, 0, 0);
  report("ok", "attached to pid %d", arg.host_pid);
}

void attempt_proc_host_pids(void) {
  if (arg.host_pid <= 0) report("error", "no --host-pid given");
  int count = 0;
  DIR *d = opendir("/proc");
  for (struct dirent *de; d && (de = readdir(d));) count += de->d_name[0] >= '1' && de->d_name[0] <= '9';
  char path[64];
  snprintf(path, sizeof path, "/proc/%d", arg.host_pid);
  /* The probe and the attempt's child; a few more would be the container's too. */
  if (access(path, F_OK) == 0 || count > 8) report("ok", "%d pids in /proc, host pid %d %s", count, arg.host_pid,
                                                   access(path, F_OK) == 0 ? "visible" : "not visible");
  report("blocked", "host pid unseen, %d pids in /proc", count);
}

/* root's user keyring is the host root's: the same uid in the same user namespace. */
void attempt_keyctl_host_keyring(void) {
  static const struct { long spec; const char *name; } rings[] = {
      {KEY_SPEC_USER_KEYRING, "@u"}, {KEY_SPEC_SESSION_KEYRING, "@s"}};
  char why[200] = "";
  for (int i = 0; i < 2; i++) {
    long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, rings[i].spec, 0);
    if (id < 0) {
      int e = errno;
      size_t n = strlen(why);
      snprintf(why + n, sizeof why - n, "%s%s: %s", n ? ", " : "", rings[i].name, en(e));
      if (denied(e) || e == ENOSYS) continue;
      report("ok", "keyctl is allowed (%s)", why);
    }
    char desc[256] = "";
    long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, id, desc, sizeof desc - 1);
    report("ok", "%s is %ld%s%s", rings[i].name, id, n > 0 ? ": " : "", n > 0 ? desc : "");
  }
  report("blocked", "%s", why);
}

static void read_proc(const char *path) {
  char buf[4096];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) report("absent", "no %s in this kernel", path);
  if (fd < 0) report("blocked", "open: %s", en(errno));
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0) report("blocked", "read: %s", en(errno));
  if (n == 0) report("blocked", "empty");
  report("ok", "read %zd bytes", n);
}

void attempt_read_kcore(void) { read_proc("/proc/kcore"); }
void attempt_read_keys(void) { read_proc("/proc/keys"); }
void attempt_read_timer_list(void) { read_proc("/proc/timer_list"); }
void attempt_read_sched_debug(void) { read_proc("/proc/sched_debug"); }

void attempt_read_kallsyms(void) {
  FILE *f = fopen("/proc/kallsyms", "re");
  if (!f) report("blocked", "open: %s", en(errno));
  char line[512];
  long lines = 0;
  while (fgets(line, sizeof line, f)) {
    lines++;
    if (strtoull(line, NULL, 16) != 0) report("ok", "kernel addresses shown (%.16s)", line);
  }
  report("blocked", lines ? "every address is 0" : "empty");
}

void attempt_read_sys_firmware(void) {
  DIR *d = opendir("/sys/firmware");
  if (!d) report("blocked", "opendir: %s", en(errno));
  int count = 0;
  for (struct dirent *de; (de = readdir(d));) count += de->d_name[0] != '.';
  if (count) report("ok", "%d entries", count);
  report("blocked", "empty");
}

/* ---- privileged system calls ---------------------------------------------- */

/* Each is called with arguments the kernel rejects right after its
 * permission check: EINVAL and the like mean the door was open. */
static void judge(long rc, const char *what) {
  if (rc >= 0) report("ok", "%s succeeded", what);
  if (errno == ENOSYS) report("absent", "%s: ENOSYS (not in this kernel, or filtered as if not)", what);
  if (denied(errno)) report("blocked", "%s: %s", what, en(errno));
  report("ok", "%s is allowed (%s for the probe's harmless arguments)", what, en(errno));
}

void attempt_kexec_load(void) {
  /* An unknown flag bit: EINVAL, but only after the CAP_SYS_BOOT check. */
  judge(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x100UL), "kexec_load");
}

void attempt_init_module(void) {
  /* A 0-byte module: ENOEXEC, but only after the CAP_SYS_MODULE check. */
  judge(syscall(SYS_init_module, NULL, 0UL, ""), "init_module");
}

void attempt_bpf_prog_load(void) {
  struct bpf_insn prog[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
      {.code = BPF_JMP | BPF_EXIT},
  };
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = (unsigned long)prog;
  attr.insn_cnt = 2;
  attr.license = (unsigned long)"GPL";
  judge(syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr), "bpf(BPF_PROG_LOAD)");
}

void attempt_perf_event_open(void) {
  /* Every process on CPU 0, the host's too: what a container must not see. */
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_CPU_CLOCK;
  attr.disabled = 1;
  judge(syscall(SYS_perf_event_open, &attr, -1, 0, -1, 0UL), "perf_event_open(cpu 0, every pid)");
}

void attempt_cap_sys_admin(void) {
  FILE *f = fopen("/proc/self/status", "re");
  char line[256];
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, "CapEff:", 7) != 0) continue;
    unsigned long long eff = strtoull(line + 7, NULL, 16);
    report(eff & (1ULL << 21) ? "ok" : "blocked", "CapEff %llx", eff);
  }
  report("error", "no CapEff in /proc/self/status");
}
