/*
 * The container's capabilities: which it keeps (`run --caps N,N,...`), and
 * the hardening step that leaves it exactly those. Docker's default set
 * when --caps is not given, so that a caller that forgets still gets a
 * confined container.
 */
#ifndef OVL_CAPABILITIES_H
#define OVL_CAPABILITIES_H

#include <stdint.h>

/* CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
 * NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP. */
uint64_t caps_docker_default(void);

/* "0,1,27" (or "" for none) to a mask. 0, or -1 on a number that is not one. */
int caps_parse(const char *list, uint64_t *mask);

/* Removes every capability not in KEEP from the bounding set (needs
 * CAP_SETPCAP, so first). 0, or -1 with errno. */
int caps_drop_bounding(uint64_t keep);

/* Permitted and effective become KEEP (what the kernel knows of it),
 * inheritable and ambient empty. 0, or -1 with errno. */
int caps_set_final(uint64_t keep);

#endif
