/* bs-log.h: beacon-server's rate-limited warnings: a storm of one kind of failure (rejected
 * input, a full disk) is logged a few times per window and only counted for the rest. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *what;   /* the kind, plural, for the count of those not logged: "rejected inputs" */
  gint64      window; /* when the current window began, monotonic µs */
  guint       count;  /* logged in it */
  guint       suppressed;
} BsLogLimit;

/* A warning, unless this limit let 10 through in the last 10 s already; the first warning of
 * the next window is preceded by how many were not logged. Loop thread only. */
void bs_log_limited (BsLogLimit *limit, const char *format, ...) G_GNUC_PRINTF (2, 3);
void bs_log_limitedv (BsLogLimit *limit, const char *format, va_list args) G_GNUC_PRINTF (2, 0);

G_END_DECLS
