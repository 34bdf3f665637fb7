/* Placeholder until the libseccomp filter lands: refuses to pretend. */
#include <stdio.h>

#include "seccomp.h"

int ovl_seccomp_read(const char *path, char *err, size_t errlen) {
  snprintf(err, errlen, "seccomp rules %s: this helper has no seccomp support yet", path);
  return -1;
}

int ovl_seccomp_load(char *err, size_t errlen) {
  snprintf(err, errlen, "this helper has no seccomp support yet");
  return -1;
}
