/* test-clock.c: unit tests of BeaconClock: the minute arithmetic, the injected time, the
 * default clock, no error without a system bus, and the tick on resume from logind. */

#include "config.h"

#include "beacon-clock-private.h"

static void
count_tick (BeaconClock *clock, gpointer user_data)
{
  guint *ticks = user_data;

  (*ticks)++;
}

static void
test_next_minute (void)
{
  g_assert_cmpuint (beacon_clock_ms_until_next_minute (0), ==, 60000);
  g_assert_cmpuint (beacon_clock_ms_until_next_minute (1000000), ==, 59000);
  g_assert_cmpuint (beacon_clock_ms_until_next_minute (1000), ==, 59999);
  g_assert_cmpuint (beacon_clock_ms_until_next_minute (59999999), ==, 1);
  g_assert_cmpuint (beacon_clock_ms_until_next_minute (60000000), ==, 60000);
  g_assert_cmpuint (beacon_clock_ms_until_next_minute (G_GINT64_CONSTANT (1795428271250000)), ==,
                    28750);
  /* Before 1970 (a broken clock): still within one minute. */
  g_assert_cmpuint (beacon_clock_ms_until_next_minute (-1000), ==, 1);
}

static void
test_testing_clock (void)
{
  g_autoptr (GDateTime)   t0 = g_date_time_new_from_iso8601 ("2026-11-23T10:05:00Z", NULL);
  g_autoptr (GDateTime)   t1 = g_date_time_new_from_iso8601 ("2026-11-23T10:06:00Z", NULL);
  g_autoptr (BeaconClock) clock = beacon_clock_new_for_testing (t0);
  g_autoptr (GDateTime)   now = NULL;
  guint                   ticks = 0;

  g_assert_true (beacon_clock_is_testing (clock));
  g_signal_connect (clock, "tick", G_CALLBACK (count_tick), &ticks);

  now = beacon_clock_get_now (clock);
  g_assert_true (g_date_time_equal (now, t0));
  g_clear_pointer (&now, g_date_time_unref);

  /* It never ticks by itself. */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (ticks, ==, 0);

  beacon_clock_set_now (clock, t1);
  g_assert_cmpuint (ticks, ==, 1);
  now = beacon_clock_get_now (clock);
  g_assert_true (g_date_time_equal (now, t1));
}

static void
test_testing_clock_now (void)
{
  g_autoptr (BeaconClock) clock = beacon_clock_new_for_testing (NULL);
  g_autoptr (GDateTime)   now = beacon_clock_get_now (clock);
  g_autoptr (GDateTime)   real = g_date_time_new_now_local ();

  g_assert_cmpint (ABS (g_date_time_difference (real, now)), <, 60 * G_TIME_SPAN_SECOND);
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *done = user_data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
iterate_for (guint ms)
{
  gboolean done = FALSE;
  guint    id = g_timeout_add (ms, on_timeout, &done);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (id, !=, 0);
}

static void
test_real_clock (void)
{
  g_autoptr (BeaconClock) clock = NULL;
  g_autoptr (GDateTime)   now = NULL;
  g_autoptr (GDateTime)   real = NULL;
  guint                   ticks = 0;

  /* No system bus here (see main): no resume ticks, no warning (criticals are fatal in
   * this test), no tick either before the next minute. */
  clock = beacon_clock_new ();
  g_assert_false (beacon_clock_is_testing (clock));
  g_signal_connect (clock, "tick", G_CALLBACK (count_tick), &ticks);
  iterate_for (100);
  if (beacon_clock_ms_until_next_minute (g_get_real_time ()) > 1000)
    g_assert_cmpuint (ticks, ==, 0);

  now = beacon_clock_get_now (clock);
  real = g_date_time_new_now_local ();
  g_assert_cmpint (ABS (g_date_time_difference (real, now)), <, G_TIME_SPAN_SECOND);
}

/* Slow (up to a minute): only with -m slow. */
static void
test_real_tick (void)
{
  g_autoptr (BeaconClock) clock = NULL;
  guint                   ticks = 0;
  gint64                  start;

  if (!g_test_slow ())
    {
      g_test_skip ("waits for the next minute boundary: run with -m slow");
      return;
    }

  clock = beacon_clock_new ();
  g_signal_connect (clock, "tick", G_CALLBACK (count_tick), &ticks);
  start = g_get_real_time ();
  while (ticks == 0)
    g_main_context_iteration (NULL, TRUE);
  /* It ticked just after a minute boundary. */
  g_assert_cmpint ((g_get_real_time () / 1000) % 60000, <, 1000);
  g_assert_cmpint (g_get_real_time () - start, <=, 61 * G_TIME_SPAN_SECOND);
}

static void
test_default (void)
{
  BeaconClock *a;
  BeaconClock *b;

  a = beacon_clock_get_default ();
  b = beacon_clock_get_default ();
  g_assert_true (BEACON_IS_CLOCK (a));
  g_assert_true (a == b);
  g_assert_false (beacon_clock_is_testing (a));
}

static void
emit_prepare_for_sleep (GDBusConnection *logind, gboolean start)
{
  g_autoptr (GError) error = NULL;

  g_dbus_connection_emit_signal (logind, NULL, "/org/freedesktop/login1",
                                 "org.freedesktop.login1.Manager", "PrepareForSleep",
                                 g_variant_new ("(b)", start), &error);
  g_assert_no_error (error);
}

/* A private bus where this test plays logind: PrepareForSleep(true) is no tick,
 * PrepareForSleep(false) ticks at once; the same signal from someone else is ignored. */
static void
test_resume (void)
{
  g_autoptr (GTestDBus)       bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr (GDBusConnection) listener = NULL;
  g_autoptr (GDBusConnection) logind = NULL;
  g_autoptr (GDBusConnection) impostor = NULL;
  g_autoptr (BeaconClock)     clock = NULL;
  g_autoptr (GVariant)        reply = NULL;
  g_autoptr (GError)          error = NULL;
  const GDBusConnectionFlags  flags = G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                     G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION;
  guint ticks = 0;

  g_test_dbus_up (bus);
  listener = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus), flags, NULL,
                                                     NULL, &error);
  g_assert_no_error (error);
  logind = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus), flags, NULL,
                                                   NULL, &error);
  g_assert_no_error (error);
  impostor = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus), flags, NULL,
                                                     NULL, &error);
  g_assert_no_error (error);

  reply = g_dbus_connection_call_sync (
      logind, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "RequestName", g_variant_new ("(su)", "org.freedesktop.login1", 0), G_VARIANT_TYPE ("(u)"),
      G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  clock = beacon_clock_new_with_bus (listener);
  g_signal_connect (clock, "tick", G_CALLBACK (count_tick), &ticks);

  /* Let the match rule reach the bus before anything is emitted. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (listener, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetId", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  emit_prepare_for_sleep (impostor, FALSE);
  emit_prepare_for_sleep (logind, TRUE);
  emit_prepare_for_sleep (logind, FALSE);
  g_dbus_connection_flush_sync (impostor, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_flush_sync (logind, NULL, &error);
  g_assert_no_error (error);

  while (ticks == 0)
    g_main_context_iteration (NULL, TRUE);
  iterate_for (200);
  g_assert_cmpuint (ticks, ==, 1);

  g_clear_object (&clock);
  g_dbus_connection_close_sync (listener, NULL, NULL);
  g_dbus_connection_close_sync (logind, NULL, NULL);
  g_dbus_connection_close_sync (impostor, NULL, NULL);
  g_clear_object (&listener);
  g_clear_object (&logind);
  g_clear_object (&impostor);
  g_test_dbus_down (bus);
}

int
main (int argc, char *argv[])
{
  /* No logind to listen to on the real system bus, whatever this machine has. */
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/beacon-test", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clock/next-minute", test_next_minute);
  g_test_add_func ("/clock/testing", test_testing_clock);
  g_test_add_func ("/clock/testing-now", test_testing_clock_now);
  g_test_add_func ("/clock/real", test_real_clock);
  g_test_add_func ("/clock/real-tick", test_real_tick);
  g_test_add_func ("/clock/default", test_default);
  g_test_add_func ("/clock/resume", test_resume);

  return g_test_run ();
}
