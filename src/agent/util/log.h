/* log.h - diagnostics to stderr, OpenBSD style. */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include <stdarg.h>

/* 0 = warnings only, 1 = info, 2 = debug (libbpf too). */
extern int log_verbose;

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* adds strerror(errno) */
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For start-up only: prints and exits 1. */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
