/* beacon-last-seen.c: the "last seen" text of an offline contact, relative to an injected
 * "now" so that the minute tick and the tests decide what time it is. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "beacon-last-seen.h"

/* Below this the text counts hours even across midnight ("2 hours ago" at 01:00 rather
 * than "yesterday at 23:05"); from it on, only within the same day. */
#define HOURS_ACROSS_MIDNIGHT 6

/* g_date_time_format() with a translated format, or with the original should a
 * translation be one it refuses. */
static char *
format_translated (GDateTime *dt, const char *translated, const char *original)
{
  char *text = g_date_time_format (dt, translated);

  if (text == NULL)
    {
      g_warning ("Bad translation of the date format \"%s\": \"%s\"", original, translated);
      text = g_date_time_format (dt, original);
    }
  return text;
}

/* Days from @a's calendar date to @b's (both in the same time zone). */
static int
days_between (GDateTime *a, GDateTime *b)
{
  g_autoptr (GDate) da = g_date_new_dmy (g_date_time_get_day_of_month (a),
                                         g_date_time_get_month (a), g_date_time_get_year (a));
  g_autoptr (GDate) db = g_date_new_dmy (g_date_time_get_day_of_month (b),
                                         g_date_time_get_month (b), g_date_time_get_year (b));

  return g_date_days_between (da, db);
}

/**
 * beacon_last_seen_format:
 * @last_seen: when the contact was last seen online
 * @now: the current time, in the time zone the text is for (normally local time)
 *
 * Says how long ago @last_seen was, as the contact list shows it:
 * - less than a minute ago (or in the future, a clock skew): "just now";
 * - less than an hour: "5 minutes ago" (plural forms through ngettext);
 * - earlier the same day, or less than 6 hours ago across midnight: "3 hours ago";
 * - the day before: "yesterday at 14:05";
 * - 2 to 6 days before: "Monday at 09:12";
 * - earlier: the date, "23 November", with the year when it is not the current one.
 *
 * Calendar days and clock times are those of @now's time zone, so a caller passes
 * local time and a test any zone it likes. The formats of the last three are
 * g_date_time_format() strings that translators may change (a 12-hour clock, another
 * order of day and month).
 *
 * Returns: (transfer full): the text, meant to follow "Last seen"
 */
char *
beacon_last_seen_format (GDateTime *last_seen, GDateTime *now)
{
  g_autoptr (GDateTime) seen = NULL;
  GTimeSpan             ago;
  int                   days;

  g_return_val_if_fail (last_seen != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  ago = g_date_time_difference (now, last_seen);
  if (ago < G_TIME_SPAN_MINUTE)
    return g_strdup (_ ("just now"));

  if (ago < G_TIME_SPAN_HOUR)
    {
      int minutes = (int) (ago / G_TIME_SPAN_MINUTE);

      return g_strdup_printf (
          g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", minutes), minutes);
    }

  seen = g_date_time_to_timezone (last_seen, g_date_time_get_timezone (now));
  days = days_between (seen, now);

  if (days == 0 || ago < HOURS_ACROSS_MIDNIGHT * G_TIME_SPAN_HOUR)
    {
      int hours = (int) (ago / G_TIME_SPAN_HOUR);

      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", hours),
                              hours);
    }

  if (days == 1)
    /* Translators: a g_date_time_format() string: the time on the day before today, as
     * in "Last seen yesterday at 14:05". Use "%l:%M %p" for a 12-hour clock. */
    return format_translated (seen, _ ("yesterday at %H:%M"), "yesterday at %H:%M");

  if (days < 7)
    /* Translators: a g_date_time_format() string: a weekday within the past week and the
     * time, as in "Last seen Monday at 09:12". */
    return format_translated (seen, _ ("%A at %H:%M"), "%A at %H:%M");

  if (g_date_time_get_year (seen) == g_date_time_get_year (now))
    /* Translators: a g_date_time_format() string: a date in the current year, as in
     * "Last seen 23 November". */
    return format_translated (seen, _ ("%-d %B"), "%-d %B");

  /* Translators: a g_date_time_format() string: a date in another year, as in "Last seen
   * 23 November 2025". */
  return format_translated (seen, _ ("%-d %B %Y"), "%-d %B %Y");
}

/**
 * beacon_last_seen_label:
 * @last_seen: (nullable): when the contact was last seen online, or %NULL when that is
 *   unknown (hidden by the contact's privacy settings, or never reported)
 * @now: the current time, as for beacon_last_seen_format()
 *
 * Returns: (transfer full): the status line of an offline contact: "Last seen 5 minutes
 *   ago", or "Offline" when @last_seen is %NULL
 */
char *
beacon_last_seen_label (GDateTime *last_seen, GDateTime *now)
{
  g_autofree char *when = NULL;

  g_return_val_if_fail (now != NULL, NULL);

  if (last_seen == NULL)
    return g_strdup (_ ("Offline"));

  when = beacon_last_seen_format (last_seen, now);
  /* Translators: the status line of an offline contact; %s is "just now", "5 minutes
   * ago", "yesterday at 14:05", "Monday at 09:12" or a date. */
  return g_strdup_printf (_ ("Last seen %s"), when);
}
