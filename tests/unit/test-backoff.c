/* test-backoff.c: unit tests of the reconnection schedule: exact delays of socket.io-client's
 * formula for scripted random numbers, the cap, reset, and no overflow after many attempts. */

#include "beacon-backoff.h"

typedef struct
{
  const double *values;
  guint         n_values;
  guint         next;
  guint         calls;
} Script;

/* Hands out the scripted numbers in turn, starting over at the end. */
static double
scripted_random (gpointer user_data)
{
  Script *script = user_data;
  double  r = script->values[script->next];

  script->next = (script->next + 1) % script->n_values;
  script->calls++;
  return r;
}

static void
script_init (Script *script, const double *values, guint n_values)
{
  script->values = values;
  script->n_values = n_values;
  script->next = 0;
  script->calls = 0;
}

static void
test_defaults (void)
{
  BeaconBackoff backoff;

  beacon_backoff_init (&backoff, NULL, NULL);
  g_assert_cmpuint (backoff.attempts, ==, 0);
  g_assert_cmpuint (backoff.base_ms, ==, 1000);
  g_assert_cmpuint (backoff.max_ms, ==, 5000);
  g_assert_cmpfloat (backoff.jitter, ==, 0.5);
  g_assert_nonnull (backoff.random);

  /* With the real random source the first delay is 1000 ± 500. */
  for (guint i = 0; i < 100; i++)
    {
      guint delay;

      beacon_backoff_reset (&backoff);
      delay = beacon_backoff_next_delay (&backoff);
      g_assert_cmpuint (delay, >=, 500);
      g_assert_cmpuint (delay, <=, 1500);
      g_assert_cmpuint (backoff.attempts, ==, 1);
    }
}

/* Each case: the attempt number, r, and the delay worked out by hand from
 * ms = 1000 * 2^attempt; dev = floor(r * 0.5 * ms); floor(r * 10) even: ms - dev,
 * odd: ms + dev; min(ms, 5000). */
static const struct
{
  guint  attempt;
  double r;
  guint  delay;
} exact_cases[] = {
  { 0, 0.0, 1000 },                      /* dev 0, floor(0) = 0 even */
  { 0, 0.05, 975 },                      /* dev floor(25) = 25, floor(0.5) = 0 even: 1000 - 25 */
  { 0, 0.1, 1050 },                      /* dev 50, floor(1) = 1 odd: 1000 + 50 */
  { 0, 0.15, 1075 },                     /* dev 75, floor(1.5) = 1 odd */
  { 0, 0.999, 1499 },                    /* dev floor(499.5) = 499, floor(9.99) = 9 odd */
  { 1, 0.0, 2000 },   { 1, 0.35, 2350 }, /* 2000: dev 350, floor(3.5) = 3 odd */
  { 1, 0.42, 1580 },                     /* dev 420, floor(4.2) = 4 even: 2000 - 420 */
  { 1, 0.5, 2500 },                      /* dev 500, floor(5) = 5 odd */
  { 2, 0.25, 3500 },                     /* 4000: dev 500, floor(2.5) = 2 even */
  { 2, 0.35, 4700 },                     /* dev 700, floor(3.5) = 3 odd */
  { 2, 0.99, 5000 },                     /* dev 1980, odd: 5980, capped */
  { 3, 0.8, 4800 },                     /* 8000: dev 3200, floor(8) = 8 even: 4800, under the cap */
  { 3, 0.2, 5000 },                     /* dev 800, even: 7200, capped */
  { 3, 0.0, 5000 },   { 4, 0.0, 5000 }, /* 16000 */
  { 4, 0.8, 5000 },                     /* 16000 - 6400 = 9600, capped */
};

static void
test_exact_delays (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (exact_cases); i++)
    {
      BeaconBackoff backoff;
      Script        script;

      script_init (&script, &exact_cases[i].r, 1);
      beacon_backoff_init (&backoff, scripted_random, &script);
      backoff.attempts = exact_cases[i].attempt;
      g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, exact_cases[i].delay);
      g_assert_cmpuint (backoff.attempts, ==, exact_cases[i].attempt + 1);
      g_assert_cmpuint (script.calls, ==, 1);
    }
}

static void
test_sequence_and_reset (void)
{
  static const double rs[] = { 0.15, 0.42, 0.25, 0.8, 0.0 };
  static const guint  expected[] = { 1075, 1580, 3500, 4800, 5000, 5000 };
  BeaconBackoff       backoff;
  Script              script;

  script_init (&script, rs, G_N_ELEMENTS (rs));
  beacon_backoff_init (&backoff, scripted_random, &script);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, expected[i]);
  g_assert_cmpuint (backoff.attempts, ==, G_N_ELEMENTS (expected));

  /* After a successful connect the schedule starts over: attempt 0 with r = 0.15. */
  beacon_backoff_reset (&backoff);
  g_assert_cmpuint (backoff.attempts, ==, 0);
  script.next = 0;
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 1075);
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 1580);
}

static void
test_custom_parameters (void)
{
  static const double rs[] = { 0.5, 0.25 };
  BeaconBackoff       backoff;
  Script              script;

  script_init (&script, rs, G_N_ELEMENTS (rs));
  beacon_backoff_init (&backoff, scripted_random, &script);
  backoff.base_ms = 500;
  backoff.jitter = 0.25;
  backoff.max_ms = 60000;
  backoff.attempts = 3;
  /* 500 * 8 = 4000: dev floor(0.5 * 0.25 * 4000) = 500, floor(5) odd: 4500 */
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 4500);
  /* 8000: dev floor(0.25 * 0.25 * 8000) = 500, floor(2.5) even: 7500 */
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 7500);
}

static void
test_no_jitter (void)
{
  static const double rs[] = { 0.99 };
  static const guint  expected[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 100000, 100000 };
  BeaconBackoff       backoff;
  Script              script;

  script_init (&script, rs, 1);
  beacon_backoff_init (&backoff, scripted_random, &script);
  backoff.jitter = 0;
  backoff.max_ms = 100000;
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, expected[i]);
  /* As in backo2, no jitter asks for no random number. */
  g_assert_cmpuint (script.calls, ==, 0);
}

static void
test_out_of_range_random (void)
{
  static const double rs[] = { -0.5, 1.0, 7.0 };
  BeaconBackoff       backoff;
  Script              script;

  script_init (&script, rs, G_N_ELEMENTS (rs));
  beacon_backoff_init (&backoff, scripted_random, &script);
  backoff.max_ms = 100000;
  /* Below 0 counts as 0; 1 and above as just under 1: dev floor(0.4999… * ms), odd. */
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 1000);
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 2999);
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 5999);
}

static void
test_many_attempts (void)
{
  static const double rs[] = { 0.0, 0.15, 0.5, 0.999, 0.42, 0.8, 0.99999 };
  static const double zero[] = { 0.0 };
  BeaconBackoff       backoff;
  Script              script;

  script_init (&script, rs, G_N_ELEMENTS (rs));
  beacon_backoff_init (&backoff, scripted_random, &script);
  for (guint i = 0; i < 10000; i++)
    {
      guint delay = beacon_backoff_next_delay (&backoff);

      g_assert_cmpuint (delay, <=, 5000);
      if (i >= 4)
        g_assert_cmpuint (delay, ==, 5000);
    }
  g_assert_cmpuint (backoff.attempts, ==, 10000);

  /* The largest cap there is, and the smallest base: powers of two until 2^32 passes
   * G_MAXUINT, then the cap for ever, never a wrapped-around small delay. */
  script_init (&script, zero, 1);
  beacon_backoff_init (&backoff, scripted_random, &script);
  backoff.base_ms = 1;
  backoff.max_ms = G_MAXUINT;
  for (guint i = 0; i < 10000; i++)
    {
      guint delay = beacon_backoff_next_delay (&backoff);

      if (i < 32)
        g_assert_cmpuint (delay, ==, 1u << i);
      else
        g_assert_cmpuint (delay, ==, G_MAXUINT);
    }

  /* The attempt counter itself saturates. */
  backoff.max_ms = 5000;
  backoff.attempts = G_MAXUINT - 1;
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 5000);
  g_assert_cmpuint (beacon_backoff_next_delay (&backoff), ==, 5000);
  g_assert_cmpuint (backoff.attempts, ==, G_MAXUINT);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/backoff/defaults", test_defaults);
  g_test_add_func ("/backoff/exact-delays", test_exact_delays);
  g_test_add_func ("/backoff/sequence-and-reset", test_sequence_and_reset);
  g_test_add_func ("/backoff/custom-parameters", test_custom_parameters);
  g_test_add_func ("/backoff/no-jitter", test_no_jitter);
  g_test_add_func ("/backoff/out-of-range-random", test_out_of_range_random);
  g_test_add_func ("/backoff/many-attempts", test_many_attempts);

  return g_test_run ();
}
