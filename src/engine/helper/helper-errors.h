/*
 * How the helper reports a failure: die() in the helper itself; in the
 * container's init, child_fail() sends one line to the parent through a
 * pipe (the child's stderr may be a pty the user never sees again).
 */
#ifndef OVL_HELPER_ERRORS_H
#define OVL_HELPER_ERRORS_H

enum { EXIT_SETUP = 125, EXIT_CANNOT_EXEC = 126, EXIT_NOT_FOUND = 127 };

/* The container's init writes its one error here; an exec that succeeds closes it empty. */
extern int err_fd;

struct child_error {
  int code;
  char msg[1000];
};

__attribute__((noreturn, format(printf, 2, 3))) void die(int code, const char *fmt, ...);

/* The message, then ": " and errno's text. */
__attribute__((noreturn, format(printf, 2, 3))) void child_fail(int code, const char *fmt, ...);

/* The message alone (the reason is already in it). */
__attribute__((noreturn, format(printf, 2, 3))) void child_failx(int code, const char *fmt, ...);

#endif
