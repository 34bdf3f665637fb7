/*
 * The container's seccomp filter, built with libseccomp from the rules text
 * overlay-tui wrote (src/engine/confine/seccomp-rules.ts).
 *
 * Rules text: one statement a line, words separated by spaces; a line
 * starting with '#' is a comment.
 *   default ACTION
 *   arch NAME                      (libseccomp's names: x86_64, x86, x32...)
 *   rule ACTION SYSCALL [argN OP VALUE [VALUE2]]...
 * ACTION: allow | errno N | kill_process | kill_thread | trap | trace N | log
 *         (notify is refused: nothing here would answer it)
 * OP: eq ne lt le gt ge, or masked_eq MASK VALUE; N and VALUEs are numbers
 * in C syntax (decimal or 0x hex). All of a rule's comparisons must hold;
 * each argument is compared at most once per rule.
 *
 * As runc does: a syscall this libseccomp does not know is skipped (the
 * profile may name newer ones), a rule whose action is the default one is
 * skipped (libseccomp refuses it), and the filter is installed without
 * no_new_privs, which needs CAP_SYS_ADMIN at that point.
 *
 * The filter is built when the rules are read, before the pivot: the rules
 * file is a host path, and a profile libseccomp refuses then fails before
 * anything is set up. The hardening step only installs the program.
 * Building for Docker's three x86 ABIs costs ~13 ms of CPU in a fresh
 * process, more than a whole container start, so the program libseccomp
 * made is kept beside the rules (FILE.bpf) with the exact rules text it was
 * made from, and reused while the text, this libseccomp and the machine's
 * architecture are the same. The cache is trusted only as far as the rules
 * file is: owned by us, written by no one else, no symlink.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp-parse.h"
#include "seccomp.h"

#define MAX_RULES_BYTES (1 << 20)
#define MAX_INSNS 4096 /* BPF_MAXINSNS: the kernel takes no longer program */

static struct {
  struct sock_filter *insns;
  unsigned short ninsns;
} program;

struct cache_header {
  char magic[8];
  uint32_t native_arch;
  uint32_t libseccomp_version;
  uint32_t text_len;
  uint32_t ninsns;
};

static const char CACHE_MAGIC[8] = "OVTSCMP1";

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return -1;
}

static int read_all(int fd, void *buf, size_t len) {
  for (size_t got = 0; got < len;) {
    ssize_t n = read(fd, (char *)buf + got, len - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    got += (size_t)n;
  }
  return 0;
}

/* A file of ours no one else may have written: regular, no symlink. */
static int open_trusted(const char *path, struct stat *st) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return -1;
  if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode) || st->st_uid != geteuid() ||
      (st->st_mode & 022)) {
    close(fd);
    errno = EPERM;
    return -1;
  }
  return fd;
}

static int read_rules(const char *path, char **text, size_t *len, char *err, size_t errlen) {
  struct stat st;
  int fd = open_trusted(path, &st);
  if (fd < 0)
    return fail(err, errlen, "seccomp rules %s: %s", path,
                errno == EPERM ? "not a regular file of ours that only we can write"
                               : strerror(errno));
  char *buf = st.st_size <= MAX_RULES_BYTES ? malloc((size_t)st.st_size + 1) : NULL;
  if (!buf || read_all(fd, buf, (size_t)st.st_size) != 0) {
    free(buf);
    close(fd);
    return fail(err, errlen, "seccomp rules %s: cannot read it (at most %d bytes)", path,
                MAX_RULES_BYTES);
  }
  close(fd);
  buf[st.st_size] = '\0';
  *text = buf;
  *len = (size_t)st.st_size;
  return 0;
}

static uint32_t libseccomp_version(void) {
  const struct scmp_version *v = seccomp_version();
  return v->major << 16 | v->minor << 8 | v->micro;
}

static int load_cache(const char *cache, const char *text, size_t len) {
  struct stat st;
  int fd = open_trusted(cache, &st);
  if (fd < 0) return -1;
  struct cache_header h;
  char *stored = NULL;
  struct sock_filter *insns = NULL;
  int ok = read_all(fd, &h, sizeof h) == 0 && !memcmp(h.magic, CACHE_MAGIC, sizeof h.magic) &&
           h.native_arch == seccomp_arch_native() &&
           h.libseccomp_version == libseccomp_version() && h.text_len == len && h.ninsns > 0 &&
           h.ninsns <= MAX_INSNS &&
           (off_t)(sizeof h + len + h.ninsns * sizeof *insns) == st.st_size;
  ok = ok && (stored = malloc(len + 1)) && (insns = calloc(h.ninsns, sizeof *insns)) &&
       read_all(fd, stored, len) == 0 && !memcmp(stored, text, len) &&
       read_all(fd, insns, h.ninsns * sizeof *insns) == 0;
  close(fd);
  free(stored);
  if (!ok) {
    free(insns);
    return -1;
  }
  program.insns = insns;
  program.ninsns = (unsigned short)h.ninsns;
  return 0;
}

/* Best effort: a cache that cannot be written only costs the next start. */
static void save_cache(const char *cache, const char *text, size_t len) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.%d", cache, (int)getpid()) >= (int)sizeof tmp) return;
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  struct cache_header h = {.native_arch = seccomp_arch_native(),
                           .libseccomp_version = libseccomp_version(),
                           .text_len = (uint32_t)len,
                           .ninsns = program.ninsns};
  memcpy(h.magic, CACHE_MAGIC, sizeof h.magic);
  size_t size = program.ninsns * sizeof *program.insns;
  int ok = write(fd, &h, sizeof h) == (ssize_t)sizeof h && write(fd, text, len) == (ssize_t)len &&
           write(fd, program.insns, size) == (ssize_t)size;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp, cache) != 0) unlink(tmp);
}

static int build_fail(scmp_filter_ctx ctx, char *err, size_t errlen, const char *what, int rc) {
  seccomp_release(ctx);
  return fail(err, errlen, "seccomp: %s: %s", what, strerror(-rc));
}

/* The filter libseccomp makes of the rules, as the kernel's BPF program. */
static int build(const struct ovl_seccomp_rules *rs, char *err, size_t errlen) {
  scmp_filter_ctx ctx = seccomp_init(rs->default_action);
  if (!ctx) return fail(err, errlen, "seccomp: libseccomp could not start a filter");
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc != 0) return build_fail(ctx, err, errlen, "no_new_privs attribute", rc);
  for (unsigned i = 0; i < rs->narches; i++) {
    rc = seccomp_arch_add(ctx, rs->arches[i]);
    if (rc != 0 && rc != -EEXIST)
      return build_fail(ctx, err, errlen, "adding an architecture", rc);
  }
  for (size_t i = 0; i < rs->nrules; i++) {
    const struct ovl_seccomp_rule *r = &rs->rules[i];
    if (r->nr == __NR_SCMP_ERROR || r->action == rs->default_action) continue;
    rc = seccomp_rule_add_array(ctx, r->action, r->nr, r->nargs, r->args);
    if (rc != 0) {
      char what[64];
      snprintf(what, sizeof what, "the rule on line %u", r->line);
      return build_fail(ctx, err, errlen, what, rc);
    }
  }
  int fd = memfd_create("ovl-seccomp", MFD_CLOEXEC);
  if (fd < 0) return build_fail(ctx, err, errlen, "memfd", -errno);
  rc = seccomp_export_bpf(ctx, fd);
  seccomp_release(ctx);
  off_t size = rc == 0 ? lseek(fd, 0, SEEK_END) : -1;
  size_t n = size > 0 ? (size_t)size / sizeof(struct sock_filter) : 0;
  if (n == 0 || n > MAX_INSNS || (size_t)size % sizeof(struct sock_filter)) {
    close(fd);
    return fail(err, errlen, "seccomp: libseccomp made no usable program (%zu instructions)", n);
  }
  program.insns = calloc(n, sizeof *program.insns);
  rc = program.insns && lseek(fd, 0, SEEK_SET) == 0 &&
               read_all(fd, program.insns, n * sizeof *program.insns) == 0
           ? 0
           : -1;
  close(fd);
  if (rc != 0) return fail(err, errlen, "seccomp: cannot read libseccomp's program back");
  program.ninsns = (unsigned short)n;
  return 0;
}

/* The program of the rules text: the cached one when it was made from this
 * very text (the text was checked then), else parsed and built now. */
int ovl_seccomp_read(const char *path, char *err, size_t errlen) {
  free(program.insns);
  program.insns = NULL;
  program.ninsns = 0;
  char *text = NULL, *parsed = NULL;
  size_t len = 0;
  if (read_rules(path, &text, &len, err, errlen) != 0) return -1;
  char cache[4096];
  int named = snprintf(cache, sizeof cache, "%s.bpf", path) < (int)sizeof cache;
  if (named && load_cache(cache, text, len) == 0) {
    free(text);
    return 0;
  }
  struct ovl_seccomp_rules rs = {0};
  int rc = (parsed = strdup(text)) ? ovl_seccomp_parse(path, parsed, &rs, err, errlen)
                                   : fail(err, errlen, "seccomp rules %s: out of memory", path);
  if (rc == 0) rc = build(&rs, err, errlen);
  if (rc == 0 && named) save_cache(cache, text, len);
  ovl_seccomp_rules_free(&rs);
  free(parsed);
  free(text);
  return rc;
}

int ovl_seccomp_load(char *err, size_t errlen) {
  if (!program.insns) return fail(err, errlen, "seccomp: no rules were read");
  struct sock_fprog prog = {.len = program.ninsns, .filter = program.insns};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
    return fail(err, errlen, "seccomp: installing the filter: %s%s", strerror(errno),
                errno == EACCES ? " (needs CAP_SYS_ADMIN or no_new_privs)" : "");
  return 0;
}
