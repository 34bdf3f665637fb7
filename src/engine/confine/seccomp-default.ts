/**
 * The default seccomp profile, in Docker's JSON form: the same effect as
 * Docker's default profile (moby/profiles seccomp/default.json as of 2026),
 * written here by purpose rather than alphabetically.
 *
 * Unknown syscalls get EPERM. The ordinary ones are allowed; what only an
 * administrator may do is allowed only when the container holds the
 * capability the kernel would check for it anyway (so adding that
 * capability with --cap-add is enough, as with Docker). Decisions where
 * Docker has changed over time:
 * - io_uring_* are denied, as Docker 25+ does (20.10 allowed them): io_uring
 *   bypasses the filter's view of what a process does and has been the door
 *   of many kernel exploits; nothing in a busybox image uses it.
 * - clone3 fails with ENOSYS without CAP_SYS_ADMIN, so that glibc falls back
 *   to clone, whose flags argument the filter can read (clone3 passes them
 *   in memory).
 * - kexec_load/kexec_file_load are denied even with CAP_SYS_BOOT, as Docker
 *   does: only reboot follows CAP_SYS_BOOT.
 * - keyctl, add_key, request_key are always denied: the kernel keyring is
 *   not namespaced.
 * - socket(AF_VSOCK) is denied: vsock reaches the hypervisor or host; and
 *   socket(AF_ALG), the kernel's crypto API, as current Docker does.
 */
import type { DockerSeccompProfile, DockerSeccompRule } from './types.js';

/** Space-separated syscall names, so that the lists below read as lists. */
function names(text: string): string[] {
  return text.split(/\s+/).filter((n) => n !== '');
}

const FILES = names(`
  open openat openat2 creat close close_range read readv pread64 preadv preadv2
  write writev pwrite64 pwritev pwritev2 lseek _llseek dup dup2 dup3 fcntl fcntl64
  stat stat64 lstat lstat64 fstat fstat64 fstatat64 newfstatat statx statfs statfs64
  fstatfs fstatfs64 access faccessat faccessat2 getdents getdents64 getcwd chdir fchdir
  mkdir mkdirat mknod mknodat rmdir unlink unlinkat rename renameat renameat2
  link linkat symlink symlinkat readlink readlinkat chmod fchmod fchmodat fchmodat2
  chown chown32 fchown fchown32 fchownat lchown lchown32 umask truncate truncate64
  ftruncate ftruncate64 fallocate fadvise64 fadvise64_64 readahead sync syncfs fsync
  fdatasync sync_file_range flock utime utimes utimensat utimensat_time64 futimesat
  copy_file_range sendfile sendfile64 splice tee vmsplice name_to_handle_at cachestat
  getxattr lgetxattr fgetxattr setxattr lsetxattr fsetxattr listxattr llistxattr
  flistxattr removexattr lremovexattr fremovexattr getxattrat setxattrat listxattrat
  removexattrat statmount listmount
  inotify_init inotify_init1 inotify_add_watch inotify_rm_watch fanotify_mark
`);

const POLLING = names(`
  select _newselect pselect6 pselect6_time64 poll ppoll ppoll_time64 epoll_create
  epoll_create1 epoll_ctl epoll_ctl_old epoll_wait epoll_wait_old epoll_pwait epoll_pwait2
  eventfd eventfd2 signalfd signalfd4 timerfd_create timerfd_settime timerfd_settime64
  timerfd_gettime timerfd_gettime64 pipe pipe2 ioctl
  io_setup io_destroy io_submit io_cancel io_getevents io_pgetevents io_pgetevents_time64
`);

const MEMORY = names(`
  brk mmap mmap2 munmap mremap mprotect madvise mincore msync mlock mlock2 mlockall
  munlock munlockall remap_file_pages membarrier memfd_create memfd_secret
  pkey_alloc pkey_free pkey_mprotect map_shadow_stack
`);

const PROCESSES = names(`
  fork vfork execve execveat exit exit_group wait4 waitid waitpid kill tkill tgkill
  pidfd_open pidfd_send_signal process_mrelease getpid getppid gettid getpgid setpgid
  getpgrp getsid setsid getpriority setpriority ioprio_get ioprio_set prctl
  getrlimit setrlimit ugetrlimit prlimit64 getrusage times uname sysinfo getcpu
  set_tid_address set_robust_list get_robust_list rseq restart_syscall seccomp
  get_thread_area set_thread_area futex futex_time64 futex_waitv futex_wait futex_wake
  futex_requeue capget capset getrandom uretprobe riscv_hwprobe mseal
  landlock_create_ruleset landlock_add_rule landlock_restrict_self
  sched_yield sched_getaffinity sched_setaffinity sched_getattr sched_setattr
  sched_getparam sched_setparam sched_getscheduler sched_setscheduler
  sched_get_priority_max sched_get_priority_min sched_rr_get_interval
  sched_rr_get_interval_time64
`);

const IDENTITY = names(`
  getuid getuid32 geteuid geteuid32 getgid getgid32 getegid getegid32
  getresuid getresuid32 getresgid getresgid32 getgroups getgroups32
  setuid setuid32 setgid setgid32 setreuid setreuid32 setregid setregid32
  setresuid setresuid32 setresgid setresgid32 setfsuid setfsuid32 setfsgid setfsgid32
  setgroups setgroups32
`);

const SIGNALS_AND_TIME = names(`
  rt_sigaction rt_sigprocmask rt_sigpending rt_sigsuspend rt_sigreturn rt_sigqueueinfo
  rt_tgsigqueueinfo rt_sigtimedwait rt_sigtimedwait_time64 sigaltstack sigprocmask
  sigreturn pause alarm nanosleep clock_nanosleep clock_nanosleep_time64 getitimer
  setitimer time gettimeofday clock_gettime clock_gettime64 clock_getres
  clock_getres_time64 adjtimex clock_adjtime clock_adjtime64 timer_create timer_delete
  timer_settime timer_settime64 timer_gettime timer_gettime64 timer_getoverrun
`);

const SOCKETS_AND_IPC = names(`
  socketpair socketcall bind connect listen accept accept4 getsockname getpeername
  getsockopt setsockopt shutdown send sendto sendmsg sendmmsg recv recvfrom recvmsg
  recvmmsg recvmmsg_time64 ipc msgget msgsnd msgrcv msgctl semget semop semtimedop
  semtimedop_time64 semctl shmget shmat shmdt shmctl mq_open mq_unlink mq_timedsend
  mq_timedsend_time64 mq_timedreceive mq_timedreceive_time64 mq_notify mq_getsetattr
`);

const AF_ALG = 38;
const AF_VSOCK = 40;

/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: a new namespace of any kind. */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;

/** The values Docker lets personality() take: query, PER_LINUX, PER_LINUX32, UNAME26 forms. */
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

const ENOSYS = 38;

function allow(list: string[], extra: Partial<DockerSeccompRule> = {}): DockerSeccompRule {
  return { names: list, action: 'SCMP_ACT_ALLOW', ...extra };
}

function withCap(cap: string, list: string[]): DockerSeccompRule {
  return allow(list, { includes: { caps: [cap] } });
}

const ARCH_SPECIFIC: DockerSeccompRule[] = [
  allow(['arch_prctl'], { includes: { arches: ['amd64', 'x32'] } }),
  allow(['modify_ldt'], { includes: { arches: ['amd64', 'x32', 'x86'] } }),
  allow(
    names('arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls'),
    {
      includes: { arches: ['arm', 'arm64'] },
    },
  ),
  allow(['sync_file_range2', 'swapcontext'], { includes: { arches: ['ppc64le'] } }),
  allow(names('s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr'), {
    includes: { arches: ['s390', 's390x'] },
  }),
  allow(['riscv_flush_icache'], { includes: { arches: ['riscv64'] } }),
];

/** Namespaces, mounts and other whole-machine controls: CAP_SYS_ADMIN's, as the kernel checks. */
const SYS_ADMIN = names(`
  mount umount umount2 mount_setattr move_mount open_tree fsopen fsconfig fsmount fspick
  unshare setns clone clone3 bpf perf_event_open fanotify_init lookup_dcookie
  quotactl quotactl_fd sethostname setdomainname syslog lsm_get_self_attr lsm_set_self_attr
  lsm_list_modules
`);

const BY_CAPABILITY: DockerSeccompRule[] = [
  withCap('CAP_SYS_ADMIN', SYS_ADMIN),
  withCap('CAP_BPF', ['bpf']),
  withCap('CAP_PERFMON', ['perf_event_open']),
  withCap('CAP_SYSLOG', ['syslog']),
  withCap('CAP_DAC_READ_SEARCH', ['open_by_handle_at']),
  withCap('CAP_SYS_CHROOT', ['chroot']),
  withCap('CAP_SYS_BOOT', ['reboot']),
  withCap('CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']),
  withCap('CAP_SYS_PACCT', ['acct']),
  withCap(
    'CAP_SYS_PTRACE',
    names('ptrace process_vm_readv process_vm_writev kcmp pidfd_getfd process_madvise'),
  ),
  withCap('CAP_SYS_RAWIO', ['iopl', 'ioperm']),
  withCap('CAP_SYS_TIME', names('settimeofday stime clock_settime clock_settime64')),
  withCap('CAP_SYS_TTY_CONFIG', ['vhangup']),
  withCap('CAP_SYS_NICE', names('get_mempolicy mbind set_mempolicy set_mempolicy_home_node')),
];

/** What a container without CAP_SYS_ADMIN may still do of clone/clone3. */
const WITHOUT_SYS_ADMIN: DockerSeccompRule[] = [
  allow(['clone'], {
    args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    excludes: { caps: ['CAP_SYS_ADMIN'], arches: ['s390', 's390x'] },
  }),
  // s390 passes the stack first and the flags second.
  allow(['clone'], {
    args: [{ index: 1, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
    includes: { arches: ['s390', 's390x'] },
    excludes: { caps: ['CAP_SYS_ADMIN'] },
  }),
  {
    names: ['clone3'],
    action: 'SCMP_ACT_ERRNO',
    errnoRet: ENOSYS,
    excludes: { caps: ['CAP_SYS_ADMIN'] },
  },
];

export const DEFAULT_PROFILE: DockerSeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
    { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
    { architecture: 'SCMP_ARCH_PPC64LE' },
    { architecture: 'SCMP_ARCH_RISCV64' },
  ],
  syscalls: [
    allow([
      ...FILES,
      ...POLLING,
      ...MEMORY,
      ...PROCESSES,
      ...IDENTITY,
      ...SIGNALS_AND_TIME,
      ...SOCKETS_AND_IPC,
    ]),
    // Since 4.8 seccomp runs again after a tracer changed a syscall, so
    // ptrace can no longer be used to slip past the filter.
    allow(names('ptrace process_vm_readv process_vm_writev'), { includes: { minKernel: '4.8' } }),
    // Every address family but AF_ALG and AF_VSOCK (39, AF_NFC, lies between).
    allow(['socket'], { args: [{ index: 0, value: AF_ALG, op: 'SCMP_CMP_LT' }] }),
    allow(['socket'], { args: [{ index: 0, value: AF_ALG + 1, op: 'SCMP_CMP_EQ' }] }),
    allow(['socket'], { args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_GT' }] }),
    ...PERSONALITIES.map((value) =>
      allow(['personality'], { args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] }),
    ),
    ...ARCH_SPECIFIC,
    ...BY_CAPABILITY,
    ...WITHOUT_SYS_ADMIN,
  ],
};
