#include "helper-errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int err_fd = -1;

void die(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("ovl-helper: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(code);
}

__attribute__((noreturn)) static void send_child_error(int code, const char *reason, const char *fmt, va_list ap) {
  struct child_error e = {.code = code};
  int n = vsnprintf(e.msg, sizeof e.msg, fmt, ap);
  size_t used = n < 0 ? 0 : (size_t)n < sizeof e.msg ? (size_t)n : sizeof e.msg - 1;
  if (reason) snprintf(e.msg + used, sizeof e.msg - used, ": %s", reason);
  if (write(err_fd, &e, sizeof e) < 0) _exit(code);
  _exit(code);
}

void child_fail(int code, const char *fmt, ...) {
  const char *reason = strerror(errno);
  va_list ap;
  va_start(ap, fmt);
  send_child_error(code, reason, fmt, ap);
  va_end(ap);
}

void child_failx(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  send_child_error(code, NULL, fmt, ap);
  va_end(ap);
}
