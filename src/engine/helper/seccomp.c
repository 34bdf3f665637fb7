/*
 * The container's seccomp filter, built with libseccomp from the rules text
 * overlay-tui wrote (src/engine/confine/seccomp-rules.ts). The file is a
 * host path, so it is read and checked before the pivot and kept in memory;
 * the filter is built and loaded in the hardening step.
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
 * skipped (libseccomp refuses it), and the filter is loaded without
 * no_new_privs when the caller still holds CAP_SYS_ADMIN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp.h"

#define MAX_FILE_BYTES (1 << 20)
#define MAX_ARCHES 16
#define MAX_ARGS 6

struct rule {
  uint32_t action;
  int nr; /* __NR_SCMP_ERROR: unknown to this libseccomp, skipped */
  unsigned line;
  unsigned nargs;
  struct scmp_arg_cmp args[MAX_ARGS];
};

static struct {
  int ready;
  uint32_t default_action;
  uint32_t arches[MAX_ARCHES];
  unsigned narches;
  struct rule *rules;
  size_t nrules, cap;
} rules;

struct parse {
  const char *path;
  unsigned line;
  char *err;
  size_t errlen;
};

static int parse_fail(struct parse *p, const char *fmt, ...) {
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(p->err, p->errlen, "seccomp rules %s line %u: %s", p->path, p->line, what);
  return -1;
}

static int parse_number(struct parse *p, const char *word, uint64_t max, uint64_t *out) {
  if (!word || !*word || *word == '-') return parse_fail(p, "expected a number");
  char *end;
  errno = 0;
  unsigned long long v = strtoull(word, &end, 0);
  if (errno || *end || v > max) return parse_fail(p, "bad number %s", word);
  *out = v;
  return 0;
}

/* Reads ACTION (one word, or two for errno/trace) from the token stream. */
static int parse_action(struct parse *p, char **save, uint32_t *out) {
  const char *w = strtok_r(NULL, " \t", save);
  if (!w) return parse_fail(p, "missing action");
  uint64_t n;
  if (!strcmp(w, "allow")) *out = SCMP_ACT_ALLOW;
  else if (!strcmp(w, "kill_process")) *out = SCMP_ACT_KILL_PROCESS;
  else if (!strcmp(w, "kill_thread")) *out = SCMP_ACT_KILL_THREAD;
  else if (!strcmp(w, "trap")) *out = SCMP_ACT_TRAP;
  else if (!strcmp(w, "log")) *out = SCMP_ACT_LOG;
  else if (!strcmp(w, "errno") || !strcmp(w, "trace")) {
    if (parse_number(p, strtok_r(NULL, " \t", save), 0xffff, &n) != 0) return -1;
    *out = w[0] == 'e' ? SCMP_ACT_ERRNO((uint16_t)n) : SCMP_ACT_TRACE((uint16_t)n);
  } else if (!strcmp(w, "notify"))
    return parse_fail(p, "notify needs a listener, which overlay-tui does not run");
  else
    return parse_fail(p, "unknown action %s", w);
  return 0;
}

static int parse_op(struct parse *p, const char *w, enum scmp_compare *op) {
  static const struct { const char *name; enum scmp_compare op; } ops[] = {
      {"eq", SCMP_CMP_EQ}, {"ne", SCMP_CMP_NE}, {"lt", SCMP_CMP_LT}, {"le", SCMP_CMP_LE},
      {"gt", SCMP_CMP_GT}, {"ge", SCMP_CMP_GE}, {"masked_eq", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; w && i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(w, ops[i].name)) {
      *op = ops[i].op;
      return 0;
    }
  return parse_fail(p, "unknown comparison %s", w ? w : "(none)");
}

static int parse_arg(struct parse *p, const char *w, char **save, struct rule *r) {
  if (r->nargs == MAX_ARGS) return parse_fail(p, "more than %d comparisons", MAX_ARGS);
  if (strncmp(w, "arg", 3) || w[3] < '0' || w[3] > '5' || w[4])
    return parse_fail(p, "bad argument %s (arg0 to arg5)", w);
  unsigned index = (unsigned)(w[3] - '0');
  for (unsigned i = 0; i < r->nargs; i++)
    if (r->args[i].arg == index) return parse_fail(p, "%s compared twice in one rule", w);
  struct scmp_arg_cmp *c = &r->args[r->nargs];
  c->arg = index;
  uint64_t a = 0, b = 0;
  if (parse_op(p, strtok_r(NULL, " \t", save), &c->op) != 0) return -1;
  if (parse_number(p, strtok_r(NULL, " \t", save), UINT64_MAX, &a) != 0) return -1;
  if (c->op == SCMP_CMP_MASKED_EQ &&
      parse_number(p, strtok_r(NULL, " \t", save), UINT64_MAX, &b) != 0)
    return -1;
  c->datum_a = a;
  c->datum_b = b;
  r->nargs++;
  return 0;
}

static int add_rule(struct parse *p, const struct rule *r) {
  if (rules.nrules == rules.cap) {
    size_t cap = rules.cap ? rules.cap * 2 : 256;
    struct rule *grown = realloc(rules.rules, cap * sizeof *grown);
    if (!grown) return parse_fail(p, "out of memory");
    rules.rules = grown;
    rules.cap = cap;
  }
  rules.rules[rules.nrules++] = *r;
  return 0;
}

static int parse_rule(struct parse *p, char **save) {
  struct rule r = {.line = p->line};
  if (parse_action(p, save, &r.action) != 0) return -1;
  const char *name = strtok_r(NULL, " \t", save);
  if (!name) return parse_fail(p, "missing syscall name");
  r.nr = seccomp_syscall_resolve_name(name);
  for (const char *w; (w = strtok_r(NULL, " \t", save));)
    if (parse_arg(p, w, save, &r) != 0) return -1;
  return add_rule(p, &r);
}

static int parse_line(struct parse *p, char *line, int *have_default) {
  char *save = NULL;
  const char *w = strtok_r(line, " \t", &save);
  if (!w || w[0] == '#') return 0;
  if (!strcmp(w, "rule")) return parse_rule(p, &save);
  if (!strcmp(w, "default")) {
    *have_default = 1;
    if (parse_action(p, &save, &rules.default_action) != 0) return -1;
  } else if (!strcmp(w, "arch")) {
    const char *name = strtok_r(NULL, " \t", &save);
    uint32_t arch = name ? seccomp_arch_resolve_name(name) : 0;
    if (!arch) return parse_fail(p, "unknown architecture %s", name ? name : "(none)");
    if (rules.narches == MAX_ARCHES) return parse_fail(p, "too many architectures");
    rules.arches[rules.narches++] = arch;
  } else {
    return parse_fail(p, "unknown statement %s", w);
  }
  if (strtok_r(NULL, " \t", &save)) return parse_fail(p, "extra words after %s", w);
  return 0;
}

static int read_file(const char *path, char **text, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    snprintf(err, errlen, "seccomp rules %s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  char *buf = NULL;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE_BYTES) {
    snprintf(err, errlen, "seccomp rules %s: not a regular file of at most %d bytes", path,
             MAX_FILE_BYTES);
    goto fail;
  }
  buf = malloc((size_t)st.st_size + 1);
  if (!buf) {
    snprintf(err, errlen, "seccomp rules %s: out of memory", path);
    goto fail;
  }
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      snprintf(err, errlen, "seccomp rules %s: %s", path, n < 0 ? strerror(errno) : "short read");
      goto fail;
    }
    got += (size_t)n;
  }
  buf[got] = '\0';
  close(fd);
  *text = buf;
  return 0;
fail:
  free(buf);
  close(fd);
  return -1;
}

int ovl_seccomp_read(const char *path, char *err, size_t errlen) {
  char *text;
  if (read_file(path, &text, err, errlen) != 0) return -1;
  free(rules.rules);
  memset(&rules, 0, sizeof rules);
  struct parse p = {.path = path, .err = err, .errlen = errlen};
  int have_default = 0, rc = 0;
  for (char *line = text, *next; line && rc == 0; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    p.line++;
    rc = parse_line(&p, line, &have_default);
  }
  free(text);
  if (rc == 0 && !have_default) {
    snprintf(err, errlen, "seccomp rules %s: no default action", path);
    rc = -1;
  }
  rules.ready = rc == 0;
  return rc;
}

static int load_fail(scmp_filter_ctx ctx, char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  if (ctx) seccomp_release(ctx);
  return -1;
}

int ovl_seccomp_load(char *err, size_t errlen) {
  if (!rules.ready) return load_fail(NULL, err, errlen, "seccomp: no rules were read");
  scmp_filter_ctx ctx = seccomp_init(rules.default_action);
  if (!ctx) return load_fail(NULL, err, errlen, "seccomp: libseccomp could not start a filter");
  /* The caller holds CAP_SYS_ADMIN here; no_new_privs is the user's choice. */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc != 0) return load_fail(ctx, err, errlen, "seccomp: no_new_privs attribute: %s", strerror(-rc));
  for (unsigned i = 0; i < rules.narches; i++) {
    rc = seccomp_arch_add(ctx, rules.arches[i]);
    if (rc != 0 && rc != -EEXIST)
      return load_fail(ctx, err, errlen, "seccomp: architecture 0x%x: %s", rules.arches[i],
                       strerror(-rc));
  }
  for (size_t i = 0; i < rules.nrules; i++) {
    const struct rule *r = &rules.rules[i];
    if (r->nr == __NR_SCMP_ERROR || r->action == rules.default_action) continue;
    rc = seccomp_rule_add_array(ctx, r->action, r->nr, r->nargs, r->args);
    if (rc != 0)
      return load_fail(ctx, err, errlen, "seccomp: rule on line %u: %s", r->line, strerror(-rc));
  }
  rc = seccomp_load(ctx);
  if (rc != 0) return load_fail(ctx, err, errlen, "seccomp: loading the filter: %s", strerror(-rc));
  seccomp_release(ctx);
  return 0;
}
