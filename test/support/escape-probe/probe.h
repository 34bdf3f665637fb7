/* What the probe's attempts share: the host's arguments and how an attempt reports. */
#ifndef ESCAPE_PROBE_H
#define ESCAPE_PROBE_H

#include <sys/types.h>

struct probe_args {
  unsigned disk_major, disk_minor;
  int have_disk;
  const char *fstype, *marker, *host_marker;
  pid_t host_pid;
};
extern struct probe_args arg;

/* Ends the attempt (each runs in a child of its own) with one verdict: ok, blocked, absent or error. */
__attribute__((format(printf, 2, 3), noreturn)) void report(const char *verdict, const char *fmt, ...);
/* errno's name (EPERM), as the report lines spell it. */
const char *en(int e);
/* The errors that mean "not allowed", as opposed to "allowed, but these arguments are wrong". */
int denied(int e);
/* /tmp/escape-NAME, made if missing. */
const char *scratch(const char *name);
/* Writes a file's own current content back: proves it writable, changes nothing. 0 or an errno. */
int write_back(const char *path);

void attempt_cap_sys_admin(void);
void attempt_disk_open(void);
void attempt_disk_mount(void);
void attempt_kmsg_open(void);
void attempt_remount_sys_rw(void);
void attempt_write_proc_sys(void);
void attempt_sysrq_trigger(void);
void attempt_mount_proc(void);
void attempt_mount_sysfs(void);
void attempt_mount_tmpfs(void);
void attempt_mount_cgroup1(void);
void attempt_mount_cgroup2(void);
void attempt_cgroup1_release_agent(void);
void attempt_unshare_userns(void);
void attempt_open_by_handle(void);
void attempt_chroot_escape(void);
void attempt_ptrace_host_pid(void);
void attempt_proc_host_pids(void);
void attempt_keyctl_host_keyring(void);
void attempt_read_kcore(void);
void attempt_read_keys(void);
void attempt_read_timer_list(void);
void attempt_read_sched_debug(void);
void attempt_read_kallsyms(void);
void attempt_read_sys_firmware(void);
void attempt_kexec_load(void);
void attempt_init_module(void);
void attempt_bpf_prog_load(void);
void attempt_perf_event_open(void);

#endif
