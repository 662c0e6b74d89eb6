/* test-last-seen.c: unit tests of the "last seen" text: every range, midnight, the time
 * zone of "now", plural forms through ngettext, and the status-line labels (C locale). */

#include "config.h"

#include <locale.h>

#include "beacon-last-seen.h"

static GDateTime *
at (const char *iso8601)
{
  GDateTime *dt = g_date_time_new_from_iso8601 (iso8601, NULL);

  g_assert_nonnull (dt);
  return dt;
}

static void
assert_format (const char *last_seen, const char *now, const char *expected)
{
  g_autoptr (GDateTime) seen = at (last_seen);
  g_autoptr (GDateTime) then = at (now);
  g_autofree char      *text = beacon_last_seen_format (seen, then);

  g_test_message ("%s seen at %s: %s", now, last_seen, text);
  g_assert_cmpstr (text, ==, expected);
}

static void
test_just_now (void)
{
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z", "just now");
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T10:00:59.999Z", "just now");
  /* A contact's clock ahead of ours: never "in 5 minutes". */
  assert_format ("2026-11-23T10:05:00Z", "2026-11-23T10:00:00Z", "just now");
}

static void
test_minutes (void)
{
  /* Plural forms through ngettext: 1 is singular, 2 and 59 plural (C locale). */
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T10:01:00Z", "1 minute ago");
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T10:01:59Z", "1 minute ago");
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T10:02:00Z", "2 minutes ago");
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T10:05:30Z", "5 minutes ago");
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T10:59:59Z", "59 minutes ago");
}

static void
test_hours (void)
{
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T11:00:00Z", "1 hour ago");
  assert_format ("2026-11-23T10:00:00Z", "2026-11-23T12:30:00Z", "2 hours ago");
  /* The same day: hours however many. */
  assert_format ("2026-11-23T00:10:00Z", "2026-11-23T23:50:00Z", "23 hours ago");
  assert_format ("2026-11-23T08:00:00Z", "2026-11-23T22:00:00Z", "14 hours ago");
}

static void
test_midnight (void)
{
  /* Less than 6 hours, across midnight: still hours. */
  assert_format ("2026-11-22T23:05:00Z", "2026-11-23T01:00:00Z", "1 hour ago");
  assert_format ("2026-11-22T23:05:00Z", "2026-11-23T05:04:00Z", "5 hours ago");
  /* From 6 hours on, the day before is "yesterday". */
  assert_format ("2026-11-22T23:05:00Z", "2026-11-23T05:05:00Z", "yesterday at 23:05");
  assert_format ("2026-11-22T14:05:00Z", "2026-11-23T14:00:00Z", "yesterday at 14:05");
  assert_format ("2026-11-22T00:00:00Z", "2026-11-23T23:59:00Z", "yesterday at 00:00");
}

static void
test_weekdays (void)
{
  /* Monday 23 November 2026. */
  assert_format ("2026-11-21T09:12:00Z", "2026-11-23T10:00:00Z", "Saturday at 09:12");
  assert_format ("2026-11-19T09:12:00Z", "2026-11-23T10:00:00Z", "Thursday at 09:12");
  assert_format ("2026-11-17T23:59:00Z", "2026-11-23T10:00:00Z", "Tuesday at 23:59");
}

static void
test_dates (void)
{
  /* A week or more: the date (this year without the year). */
  assert_format ("2026-11-16T09:12:00Z", "2026-11-23T10:00:00Z", "16 November");
  assert_format ("2026-01-01T00:00:00Z", "2026-11-23T10:00:00Z", "1 January");
  assert_format ("2025-12-31T12:00:00Z", "2026-01-02T10:00:00Z", "Wednesday at 12:00");
  assert_format ("2025-12-20T12:00:00Z", "2026-01-02T10:00:00Z", "20 December 2025");
}

static void
test_time_zone (void)
{
  /* Calendar days and clock times are those of now's zone: 17:00Z on the 22nd is 22:30
   * in India, "yesterday" seen from 09:00 there on the 23rd. */
  assert_format ("2026-11-22T17:00:00Z", "2026-11-23T09:00:00+05:30", "yesterday at 22:30");
  assert_format ("2026-11-22T17:00:00Z", "2026-11-23T03:30:00Z", "yesterday at 17:00");
  /* 11 hours ago: the same day in UTC (01:00 and 12:00 on the 23rd), the day before in
   * New York (20:00 on the 22nd, 07:00 on the 23rd). */
  assert_format ("2026-11-23T01:00:00Z", "2026-11-23T12:00:00Z", "11 hours ago");
  assert_format ("2026-11-23T01:00:00Z", "2026-11-23T07:00:00-05:00", "yesterday at 20:00");
}

static void
test_labels (void)
{
  g_autoptr (GDateTime) now = at ("2026-11-23T10:05:00Z");
  g_autoptr (GDateTime) seen = at ("2026-11-23T10:00:00Z");
  g_autoptr (GDateTime) long_ago = at ("2026-11-22T14:05:00Z");
  g_autofree char      *offline = beacon_last_seen_label (NULL, now);
  g_autofree char      *recent = beacon_last_seen_label (seen, now);
  g_autofree char      *yesterday = beacon_last_seen_label (long_ago, now);

  g_assert_cmpstr (offline, ==, "Offline");
  g_assert_cmpstr (recent, ==, "Last seen 5 minutes ago");
  g_assert_cmpstr (yesterday, ==, "Last seen yesterday at 14:05");
}

int
main (int argc, char *argv[])
{
  /* Untranslated English, whatever the environment says. */
  g_setenv ("LC_ALL", "C", TRUE);
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/last-seen/just-now", test_just_now);
  g_test_add_func ("/last-seen/minutes", test_minutes);
  g_test_add_func ("/last-seen/hours", test_hours);
  g_test_add_func ("/last-seen/midnight", test_midnight);
  g_test_add_func ("/last-seen/weekdays", test_weekdays);
  g_test_add_func ("/last-seen/dates", test_dates);
  g_test_add_func ("/last-seen/time-zone", test_time_zone);
  g_test_add_func ("/last-seen/labels", test_labels);

  return g_test_run ();
}
