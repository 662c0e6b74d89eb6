/* beacon-backoff.h: the reconnection delay schedule of socket.io-client (its backo2
 * formula: exponential, jittered, capped), with an injectable random source. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns a number in [0, 1). */
typedef double (*BeaconRandomFunc) (gpointer user_data);

#define BEACON_BACKOFF_DEFAULT_BASE_MS 1000
#define BEACON_BACKOFF_DEFAULT_MAX_MS  5000
#define BEACON_BACKOFF_DEFAULT_JITTER  0.5

typedef struct
{
  guint            attempts; /* delays handed out since the last reset */
  guint            base_ms;  /* the first delay before jitter */
  guint            max_ms;   /* no delay is longer */
  double           jitter;   /* fraction of the delay the jitter may add or take */
  BeaconRandomFunc random;   /* never NULL after beacon_backoff_init() */
  gpointer         random_data;
} BeaconBackoff;

void
beacon_backoff_init (BeaconBackoff *backoff, BeaconRandomFunc random_func, gpointer random_data);
guint beacon_backoff_next_delay (BeaconBackoff *backoff);
void  beacon_backoff_reset (BeaconBackoff *backoff);

G_END_DECLS
