/*
 * The rules text (format: seccomp.c) parsed into what libseccomp takes.
 * Syscall and architecture names are resolved here, by this libseccomp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-parse.h"

struct parse {
  const char *path;
  unsigned line;
  struct ovl_seccomp_rules *rs;
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

static int parse_arg(struct parse *p, const char *w, char **save, struct ovl_seccomp_rule *r) {
  if (r->nargs == OVL_SECCOMP_MAX_ARGS) return parse_fail(p, "more than %d comparisons", OVL_SECCOMP_MAX_ARGS);
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

static int add_rule(struct parse *p, const struct ovl_seccomp_rule *r) {
  if (p->rs->nrules == p->rs->cap) {
    size_t cap = p->rs->cap ? p->rs->cap * 2 : 256;
    struct ovl_seccomp_rule *grown = realloc(p->rs->rules, cap * sizeof *grown);
    if (!grown) return parse_fail(p, "out of memory");
    p->rs->rules = grown;
    p->rs->cap = cap;
  }
  p->rs->rules[p->rs->nrules++] = *r;
  return 0;
}

static int parse_rule(struct parse *p, char **save) {
  struct ovl_seccomp_rule r = {.line = p->line};
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
    if (parse_action(p, &save, &p->rs->default_action) != 0) return -1;
  } else if (!strcmp(w, "arch")) {
    const char *name = strtok_r(NULL, " \t", &save);
    uint32_t arch = name ? seccomp_arch_resolve_name(name) : 0;
    if (!arch) return parse_fail(p, "unknown architecture %s", name ? name : "(none)");
    if (p->rs->narches == OVL_SECCOMP_MAX_ARCHES) return parse_fail(p, "too many architectures");
    p->rs->arches[p->rs->narches++] = arch;
  } else {
    return parse_fail(p, "unknown statement %s", w);
  }
  if (strtok_r(NULL, " \t", &save)) return parse_fail(p, "extra words after %s", w);
  return 0;
}

int ovl_seccomp_parse(const char *path, char *text, struct ovl_seccomp_rules *rs, char *err,
                      size_t errlen) {
  struct parse p = {.path = path, .rs = rs, .err = err, .errlen = errlen};
  int have_default = 0;
  for (char *line = text, *next; line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    p.line++;
    if (parse_line(&p, line, &have_default) != 0) return -1;
  }
  if (!have_default) {
    snprintf(err, errlen, "seccomp rules %s: no default action", path);
    return -1;
  }
  return 0;
}

void ovl_seccomp_rules_free(struct ovl_seccomp_rules *rs) {
  free(rs->rules);
  rs->rules = NULL;
  rs->nrules = rs->cap = 0;
}
