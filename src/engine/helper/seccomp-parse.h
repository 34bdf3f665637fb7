/* The rules text parsed (seccomp-parse.c), ready for libseccomp. */
#ifndef OVL_SECCOMP_PARSE_H
#define OVL_SECCOMP_PARSE_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#define OVL_SECCOMP_MAX_ARCHES 16
#define OVL_SECCOMP_MAX_ARGS 6

struct ovl_seccomp_rule {
  uint32_t action;
  int nr; /* __NR_SCMP_ERROR: unknown to this libseccomp, skipped */
  unsigned line;
  unsigned nargs;
  struct scmp_arg_cmp args[OVL_SECCOMP_MAX_ARGS];
};

struct ovl_seccomp_rules {
  uint32_t default_action;
  uint32_t arches[OVL_SECCOMP_MAX_ARCHES];
  unsigned narches;
  struct ovl_seccomp_rule *rules;
  size_t nrules, cap;
};

/* Parses text (NUL-terminated, modified in place) from path into rs, which
 * must start zeroed. 0, or -1 with "seccomp rules PATH line N: ..." in err. */
int ovl_seccomp_parse(const char *path, char *text, struct ovl_seccomp_rules *rs, char *err,
                      size_t errlen);

void ovl_seccomp_rules_free(struct ovl_seccomp_rules *rs);

#endif
