/*
 * The container's seccomp filter, built with libseccomp from the rules
 * overlay-tui compiled (src/engine/confine/seccomp.ts). Read (and built)
 * before the pivot, since the rules file is a host path; installed in the
 * hardening step. Format and caching: seccomp.c.
 */
#ifndef OVL_SECCOMP_H
#define OVL_SECCOMP_H

#include <stddef.h>

/* Reads and checks the rules file and builds the filter program (or takes
 * the one cached in FILE.bpf). 0, or -1 with a one-line message in err. */
int ovl_seccomp_read(const char *path, char *err, size_t errlen);

/* Installs the program read. Needs CAP_SYS_ADMIN in the effective set
 * unless no_new_privs is already set. 0, or -1 with a message in err. */
int ovl_seccomp_load(char *err, size_t errlen);

#endif
