#define _GNU_SOURCE
#include "capabilities.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

uint64_t caps_docker_default(void) {
  static const int kept[] = {
      CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FOWNER,           CAP_FSETID,  CAP_KILL,
      CAP_SETGID,  CAP_SETUID,       CAP_SETPCAP,          CAP_NET_BIND_SERVICE,
      CAP_NET_RAW, CAP_SYS_CHROOT,   CAP_MKNOD,            CAP_AUDIT_WRITE,
      CAP_SETFCAP,
  };
  uint64_t mask = 0;
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) mask |= 1ULL << kept[i];
  return mask;
}

int caps_parse(const char *list, uint64_t *mask) {
  *mask = 0;
  const char *p = list;
  while (*p) {
    char *end;
    errno = 0;
    unsigned long n = strtoul(p, &end, 10);
    if (end == p || errno || n > 63 || (*end != ',' && *end != 0)) return -1;
    *mask |= 1ULL << n;
    p = *end ? end + 1 : end;
  }
  return 0;
}

/* The highest capability this kernel knows: the bounding set answers
 * EINVAL past it (cap_last_cap in /proc may not be reachable). */
static int last_cap(void) {
  int c = 0;
  while (c < 63 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0) c++;
  return c;
}

int caps_drop_bounding(uint64_t keep) {
  int last = last_cap();
  for (int c = 0; c <= last; c++)
    if (!(keep & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) return -1;
  return 0;
}

int caps_set_final(uint64_t keep) {
  struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct now[2];
  if (syscall(SYS_capget, &header, now) != 0) return -1;
  /* What we do not have (a sandbox may withhold some) cannot be kept. */
  keep &= (uint64_t)now[1].permitted << 32 | now[0].permitted;
  struct __user_cap_data_struct data[2] = {
      {.effective = (uint32_t)keep, .permitted = (uint32_t)keep, .inheritable = 0},
      {.effective = (uint32_t)(keep >> 32), .permitted = (uint32_t)(keep >> 32), .inheritable = 0},
  };
  if (syscall(SYS_capset, &header, data) != 0) return -1;
  /* Ambient capabilities survive exec: none may (before Linux 4.3 there are none). */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
  return 0;
}
