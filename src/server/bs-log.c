/* bs-log.c: beacon-server's rate-limited warnings, so that a flood of bad input or a full disk
 * cannot flood the journal as well. */

#include "bs-log.h"

#define WINDOW_US  (10 * G_USEC_PER_SEC)
#define PER_WINDOW 10

void
bs_log_limitedv (BsLogLimit *limit, const char *format, va_list args)
{
  gint64 now = g_get_monotonic_time ();

  if (now - limit->window > WINDOW_US)
    {
      if (limit->suppressed > 0)
        g_warning ("%u more %s were not logged", limit->suppressed, limit->what);
      limit->window = now;
      limit->count = 0;
      limit->suppressed = 0;
    }
  if (limit->count >= PER_WINDOW)
    {
      limit->suppressed++;
      return;
    }
  limit->count++;
  g_logv (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, format, args);
}

void
bs_log_limited (BsLogLimit *limit, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  bs_log_limitedv (limit, format, args);
  va_end (args);
}
