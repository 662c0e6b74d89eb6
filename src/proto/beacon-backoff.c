/* beacon-backoff.c: reconnection delays as socket.io-client computes them (PROTOCOL.md
 * section 1), in doubles with a bounded exponent so that no attempt count overflows. */

#include "beacon-backoff.h"

#include <math.h>

/* 2^64 times any base of at least 1 ms is beyond every guint maximum, so exponents above
 * this change nothing but would take the double to infinity, then NaN with jitter. */
#define MAX_EXPONENT 64

static double
default_random (gpointer user_data G_GNUC_UNUSED)
{
  return g_random_double ();
}

/**
 * beacon_backoff_init:
 * @backoff: the schedule to set up
 * @random_func: (nullable): the random source, g_random_double() when %NULL
 * @random_data: its user data
 *
 * Sets the defaults of socket.io-client: 1000 ms doubling at each attempt, jitter 0.5,
 * at most 5000 ms. The fields may be changed afterwards.
 */
void
beacon_backoff_init (BeaconBackoff *backoff, BeaconRandomFunc random_func, gpointer random_data)
{
  g_return_if_fail (backoff != NULL);

  backoff->attempts = 0;
  backoff->base_ms = BEACON_BACKOFF_DEFAULT_BASE_MS;
  backoff->max_ms = BEACON_BACKOFF_DEFAULT_MAX_MS;
  backoff->jitter = BEACON_BACKOFF_DEFAULT_JITTER;
  backoff->random = random_func ? random_func : default_random;
  backoff->random_data = random_func ? random_data : NULL;
}

/**
 * beacon_backoff_next_delay:
 * @backoff: a schedule
 *
 * Computes, as backo2 does, `ms = base * 2^attempts`; then with `r = random()`,
 * `dev = floor(r * jitter * ms)` and `ms = ms - dev` when `floor(r * 10)` is even,
 * `ms + dev` when odd; and returns `min(ms, max)`. The random source is only asked when
 * the jitter is not zero. Counts one more attempt.
 *
 * Returns: the delay before the next attempt, in milliseconds, at most @backoff->max_ms
 */
guint
beacon_backoff_next_delay (BeaconBackoff *backoff)
{
  double ms;

  g_return_val_if_fail (backoff != NULL, 0);

  ms = backoff->base_ms * ldexp (1.0, (int) MIN (backoff->attempts, MAX_EXPONENT));
  if (backoff->attempts < G_MAXUINT)
    backoff->attempts++;

  if (backoff->jitter != 0)
    {
      BeaconRandomFunc random_func = backoff->random ? backoff->random : default_random;
      double           r = random_func (backoff->random_data);
      double           deviation;

      if (!(r >= 0))
        r = 0; /* also NaN */
      else if (r >= 1)
        r = nextafter (1.0, 0.0);

      deviation = floor (r * backoff->jitter * ms);
      if (((gint64) floor (r * 10) & 1) == 0)
        ms -= deviation;
      else
        ms += deviation;
    }

  /* backo2 truncates with "| 0" after the minimum; here the result is kept in range. */
  if (!(ms > 0))
    return 0;
  if (ms >= backoff->max_ms)
    return backoff->max_ms;
  return (guint) ms;
}

/* Starts the schedule over, after a successful connect. */
void
beacon_backoff_reset (BeaconBackoff *backoff)
{
  g_return_if_fail (backoff != NULL);

  backoff->attempts = 0;
}
