/*
 * The container's seccomp filter, built with libseccomp from the rules
 * overlay-tui compiled (src/engine/confine/seccomp.ts). Read before the
 * pivot (the rules file is a host path), loaded in the hardening step.
 */
#ifndef OVL_SECCOMP_H
#define OVL_SECCOMP_H

#include <stddef.h>

/* Reads and checks the rules file. 0, or -1 with a message in err. */
int ovl_seccomp_read(const char *path, char *err, size_t errlen);

/* Builds the filter from the rules read and loads it. 0, or -1 with a message. */
int ovl_seccomp_load(char *err, size_t errlen);

#endif
