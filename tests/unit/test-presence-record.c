/* test-presence-record.c: unit tests of presence records: every variant of PROTOCOL.md
 * sections 3, 4 and 9, the canonical writer, refusals with their codes, version order. */

#include "beacon-presence-record.h"
#include "beacon-json.h"

#include <string.h>

#define CANONICAL                                                                     \
  "{\"user_id\":\"u2\",\"status\":\"online\",\"last_seen\":\"2026-11-23T10:00:00Z\"," \
  "\"last_active\":\"2026-11-23T10:04:31Z\",\"chatting_with_me\":false,"              \
  "\"custom_message\":\"At lunch\",\"role\":\"FREELANCER\",\"version\":42}"

/* Epoch milliseconds of 2026-11-23T10:00:00Z and 2026-11-23T10:04:31Z */
#define T_10_00    G_GINT64_CONSTANT (1795428000000)
#define T_10_04_31 G_GINT64_CONSTANT (1795428271000)

#define ALL_FIELDS                                                                                \
  (BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_LAST_SEEN | BEACON_PRESENCE_HAS_LAST_ACTIVE | \
   BEACON_PRESENCE_HAS_CHATTING | BEACON_PRESENCE_HAS_CUSTOM_MESSAGE | BEACON_PRESENCE_HAS_ROLE | \
   BEACON_PRESENCE_HAS_VERSION)

static JsonNode *
json (const char *text)
{
  g_autoptr (GError) error = NULL;
  JsonNode          *node = beacon_json_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static BeaconPresenceRecord *
parse (const char *text, const char *viewer)
{
  g_autoptr (JsonNode)  node = json (text);
  g_autoptr (GError)    error = NULL;
  BeaconPresenceRecord *record = beacon_presence_record_parse (node, viewer, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

static void
assert_refused (const char *text, int code)
{
  g_autoptr (JsonNode)             node = json (text);
  g_autoptr (GError)               error = NULL;
  g_autoptr (BeaconPresenceRecord) record = beacon_presence_record_parse (node, "me", &error);

  if (record != NULL)
    g_error ("accepted %s", text);
  g_assert_error (error, BEACON_PRESENCE_ERROR, code);
}

/* parse (to_json (record)) says the same as @record, and writing it again gives the same
 * text. */
static void
assert_round_trip (const BeaconPresenceRecord *record)
{
  g_autoptr (JsonNode)             node = beacon_presence_record_to_json (record);
  g_autoptr (GError)               error = NULL;
  g_autoptr (BeaconPresenceRecord) back = beacon_presence_record_parse (node, "me", &error);
  g_autofree char                 *first = beacon_presence_record_to_string (record);
  g_autofree char                 *second = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_true (beacon_presence_record_equal (record, back));
  second = beacon_presence_record_to_string (back);
  g_assert_cmpstr (first, ==, second);
}

static void
test_canonical (void)
{
  g_autoptr (BeaconPresenceRecord) record = parse (CANONICAL, "u9");
  g_autofree char                 *text = NULL;

  g_assert_cmpstr (record->user_id, ==, "u2");
  g_assert_cmpint (record->status, ==, BEACON_PRESENCE_ONLINE);
  g_assert_cmpint (record->last_seen_ms, ==, T_10_00);
  g_assert_cmpint (record->last_active_ms, ==, T_10_04_31);
  g_assert_false (record->chatting_with_me);
  g_assert_cmpstr (record->custom_message, ==, "At lunch");
  g_assert_cmpstr (record->role, ==, "FREELANCER");
  g_assert_cmpint (record->version, ==, 42);
  g_assert_cmpint (record->fields, ==, ALL_FIELDS);

  /* Byte for byte the example of section 3. */
  text = beacon_presence_record_to_string (record);
  g_assert_cmpstr (text, ==, CANONICAL);
  assert_round_trip (record);
}

static void
test_canonical_nulls (void)
{
  g_autoptr (BeaconPresenceRecord) record =
      parse ("{\"user_id\":\"u2\",\"status\":\"away\",\"last_seen\":null,\"last_active\":null,"
             "\"chatting_with_me\":true,\"custom_message\":null,\"role\":null,\"version\":0}",
             NULL);
  g_autofree char *text = beacon_presence_record_to_string (record);

  g_assert_cmpint (record->status, ==, BEACON_PRESENCE_AWAY);
  g_assert_cmpint (record->last_seen_ms, ==, -1);
  g_assert_cmpint (record->last_active_ms, ==, -1);
  g_assert_true (record->chatting_with_me);
  g_assert_null (record->custom_message);
  g_assert_null (record->role);
  g_assert_cmpint (record->version, ==, 0);
  /* Given as null still counts as given. */
  g_assert_cmpint (record->fields, ==, ALL_FIELDS);
  g_assert_cmpstr (text, ==,
                   "{\"user_id\":\"u2\",\"status\":\"away\",\"last_seen\":null,"
                   "\"last_active\":null,\"chatting_with_me\":true,\"custom_message\":null,"
                   "\"role\":null,\"version\":0}");
  assert_round_trip (record);
}

static void
test_presence_updated (void)
{
  g_autoptr (BeaconPresenceRecord) record = parse (
      "{\"user_id\":\"u3\",\"status\":\"offline\",\"last_seen\":\"2026-11-23T10:00:00Z\"}", "me");
  g_autofree char *text = beacon_presence_record_to_string (record);

  g_assert_cmpstr (record->user_id, ==, "u3");
  g_assert_cmpint (record->status, ==, BEACON_PRESENCE_OFFLINE);
  g_assert_cmpint (record->last_seen_ms, ==, T_10_00);
  g_assert_cmpint (record->last_active_ms, ==, -1);
  g_assert_cmpint (record->version, ==, -1);
  g_assert_cmpint (record->fields, ==, BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_LAST_SEEN);
  /* Unknowns are written as null, and an absent version is left out. */
  g_assert_cmpstr (text, ==,
                   "{\"user_id\":\"u3\",\"status\":\"offline\","
                   "\"last_seen\":\"2026-11-23T10:00:00Z\","
                   "\"last_active\":null,\"chatting_with_me\":false,\"custom_message\":null,"
                   "\"role\":null}");
  assert_round_trip (record);
}

static void
test_friend_status_changed (void)
{
  g_autoptr (BeaconPresenceRecord) offline = parse (
      "{\"user_id\":\"u5\",\"status\":\"offline\",\"timestamp\":\"2026-11-23T10:00:00Z\"}", "me");
  g_autoptr (BeaconPresenceRecord) online =
      parse ("{\"user_id\":\"u5\",\"status\":\"online\",\"timestamp\":1795428271000}", "me");
  g_autoptr (BeaconPresenceRecord) both =
      parse ("{\"user_id\":\"u5\",\"status\":\"offline\",\"last_seen\":1795428271000,"
             "\"timestamp\":1795428000000}",
             "me");

  /* offline: the timestamp is when the user was last seen */
  g_assert_cmpint (offline->last_seen_ms, ==, T_10_00);
  g_assert_cmpint (offline->last_active_ms, ==, -1);
  g_assert_cmpint (offline->fields, ==, BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_LAST_SEEN);

  /* online: when the user was last active */
  g_assert_cmpint (online->status, ==, BEACON_PRESENCE_ONLINE);
  g_assert_cmpint (online->last_active_ms, ==, T_10_04_31);
  g_assert_cmpint (online->last_seen_ms, ==, -1);
  g_assert_cmpint (online->fields, ==,
                   BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_LAST_ACTIVE);

  /* An explicit last_seen is not overridden by the timestamp. */
  g_assert_cmpint (both->last_seen_ms, ==, T_10_04_31);

  assert_refused ("{\"user_id\":\"u5\",\"status\":\"online\",\"timestamp\":\"now\"}",
                  BEACON_PRESENCE_ERROR_BAD_TIMESTAMP);
  assert_refused ("{\"user_id\":\"u5\",\"status\":\"online\",\"timestamp\":true}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
}

static void
test_online_users_entry (void)
{
  const char *entry =
      "{\"userId\":\"u4\",\"role\":\"CLIENT\",\"status\":\"away\","
      "\"lastActive\":\"2026-11-23T10:04:31Z\",\"chattingWith\":\"me\",\"socketId\":\"Xy12_ab\"}";
  g_autoptr (BeaconPresenceRecord) record = parse (entry, "me");
  g_autoptr (BeaconPresenceRecord) other_viewer = parse (entry, "someone-else");
  g_autoptr (BeaconPresenceRecord) no_viewer = parse (entry, NULL);
  g_autoptr (BeaconPresenceRecord) no_status =
      parse ("{\"userId\":\"u6\",\"role\":\"FREELANCER\",\"lastActive\":1795428000000,"
             "\"chattingWith\":null}",
             "me");
  g_autofree char *text = beacon_presence_record_to_string (record);

  g_assert_cmpstr (record->user_id, ==, "u4");
  g_assert_cmpint (record->status, ==, BEACON_PRESENCE_AWAY);
  g_assert_cmpint (record->last_active_ms, ==, T_10_04_31);
  g_assert_cmpint (record->last_seen_ms, ==, -1);
  g_assert_cmpstr (record->role, ==, "CLIENT");
  g_assert_true (record->chatting_with_me);
  g_assert_cmpint (record->fields, ==,
                   BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_LAST_ACTIVE |
                       BEACON_PRESENCE_HAS_CHATTING | BEACON_PRESENCE_HAS_ROLE);
  /* Nothing of the socket id or the partner is written out. */
  g_assert_null (strstr (text, "Xy12_ab"));
  g_assert_null (strstr (text, "socket"));
  g_assert_null (strstr (text, "\"me\""));

  g_assert_false (other_viewer->chatting_with_me);
  g_assert_false (no_viewer->chatting_with_me);

  /* An entry without status is an online user. */
  g_assert_cmpint (no_status->status, ==, BEACON_PRESENCE_ONLINE);
  g_assert_false (no_status->chatting_with_me);
  g_assert_cmpint (no_status->fields & BEACON_PRESENCE_HAS_CHATTING, !=, 0);
  g_assert_cmpint (no_status->last_active_ms, ==, T_10_00);

  assert_round_trip (record);
  assert_round_trip (no_status);
}

static void
test_third_party_chatting (void)
{
  static const char *const entries[] = {
    "{\"userId\":\"u4\",\"chattingWith\":\"u7\"}",
    "{\"userId\":\"u4\",\"chattingWith\":\"mE\"}",
    "{\"userId\":\"u4\",\"chattingWith\":\"me \"}",
    "{\"userId\":\"u4\",\"chattingWith\":7}",
    "{\"userId\":\"u4\",\"chattingWith\":null}",
    "{\"user_id\":\"u4\",\"status\":\"online\",\"chattingWith\":\"u7\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr (BeaconPresenceRecord) record = parse (entries[i], "me");
      g_autofree char                 *text = beacon_presence_record_to_string (record);

      g_assert_false (record->chatting_with_me);
      g_assert_null (strstr (text, "u7"));
    }

  /* Numeric ids compare as their decimal strings. */
  {
    g_autoptr (BeaconPresenceRecord) record = parse ("{\"userId\":9,\"chattingWith\":7}", "7");

    g_assert_true (record->chatting_with_me);
    g_assert_cmpstr (record->user_id, ==, "9");
  }

  assert_refused ("{\"userId\":\"u4\",\"chattingWith\":true}", BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"userId\":\"u4\",\"chattingWith\":{}}", BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"userId\":\"u4\",\"chattingWith\":\"\"}", BEACON_PRESENCE_ERROR_BAD_ID);
  assert_refused ("{\"userId\":\"u4\",\"chattingWith\":-3}", BEACON_PRESENCE_ERROR_BAD_ID);
}

static void
test_number_ids (void)
{
  static const struct
  {
    const char *json;
    const char *id;
  } good[] = {
    { "{\"user_id\":42,\"status\":\"online\"}", "42" },
    { "{\"user_id\":12345678901,\"status\":\"online\"}", "12345678901" },
    { "{\"user_id\":0,\"status\":\"online\"}", "0" },
    { "{\"user_id\":42.0,\"status\":\"online\"}", "42" },
    { "{\"user_id\":1e3,\"status\":\"online\"}", "1000" },
    { "{\"user_id\":9007199254740991.0,\"status\":\"online\"}", "9007199254740991" },
    { "{\"user_id\":9223372036854775807,\"status\":\"online\"}", "9223372036854775807" },
    { "{\"userId\":77}", "77" },
  };
  static const char *const bad[] = {
    "{\"user_id\":1.5,\"status\":\"online\"}",
    "{\"user_id\":-1,\"status\":\"online\"}",
    "{\"user_id\":-0.0,\"status\":\"online\"}",
    "{\"user_id\":-0e0,\"status\":\"online\"}",
    "{\"user_id\":1e300,\"status\":\"online\"}",
    "{\"user_id\":9007199254740993.0,\"status\":\"online\"}",
    "{\"user_id\":18446744073709551616,\"status\":\"online\"}",
    "{\"user_id\":0.1,\"status\":\"online\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (BeaconPresenceRecord) record = parse (good[i].json, NULL);

      g_assert_cmpstr (record->user_id, ==, good[i].id);
      assert_round_trip (record);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_refused (bad[i], BEACON_PRESENCE_ERROR_BAD_ID);
}

static void
test_string_ids (void)
{
  g_autofree char *longest = g_strnfill (128, 'a');
  g_autofree char *too_long = g_strnfill (129, 'a');
  g_autofree char *ok_json =
      g_strdup_printf ("{\"user_id\":\"%s\",\"status\":\"online\"}", longest);
  g_autofree char *bad_json =
      g_strdup_printf ("{\"user_id\":\"%s\",\"status\":\"online\"}", too_long);
  g_autoptr (BeaconPresenceRecord) record = parse (ok_json, NULL);
  g_autoptr (BeaconPresenceRecord) unicode =
      parse ("{\"user_id\":\"\\u00e9l\\u00e8ve-\\ud83d\\ude00\",\"status\":\"online\"}", NULL);

  g_assert_cmpuint (strlen (record->user_id), ==, 128);
  g_assert_cmpstr (unicode->user_id, ==, "\xc3\xa9l\xc3\xa8ve-\xf0\x9f\x98\x80");
  assert_round_trip (unicode);

  assert_refused (bad_json, BEACON_PRESENCE_ERROR_BAD_ID);
  assert_refused ("{\"user_id\":\"\",\"status\":\"online\"}", BEACON_PRESENCE_ERROR_BAD_ID);
  assert_refused ("{\"user_id\":\"a\\nb\",\"status\":\"online\"}", BEACON_PRESENCE_ERROR_BAD_ID);
  assert_refused ("{\"user_id\":\"a\\u007fb\",\"status\":\"online\"}",
                  BEACON_PRESENCE_ERROR_BAD_ID);
  assert_refused ("{\"user_id\":true,\"status\":\"online\"}", BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":null,\"status\":\"online\"}", BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":[\"u1\"],\"status\":\"online\"}", BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":{},\"status\":\"online\"}", BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"userId\":false}", BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"status\":\"online\"}", BEACON_PRESENCE_ERROR_MISSING_FIELD);
  assert_refused ("{\"id\":\"u1\",\"status\":\"online\"}", BEACON_PRESENCE_ERROR_MISSING_FIELD);
}

static void
test_statuses (void)
{
  static const struct
  {
    const char          *name;
    BeaconPresenceStatus status;
  } good[] = {
    { "online", BEACON_PRESENCE_ONLINE },     { "active", BEACON_PRESENCE_ONLINE },
    { "away", BEACON_PRESENCE_AWAY },         { "busy", BEACON_PRESENCE_BUSY },
    { "dnd", BEACON_PRESENCE_BUSY },          { "offline", BEACON_PRESENCE_OFFLINE },
    { "invisible", BEACON_PRESENCE_OFFLINE },
  };
  static const char *const unknown[] = { "Online", "idle", "", "online ", "AWAY" };
  static const char *const not_strings[] = { "1", "null", "true", "[\"online\"]", "{}" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *text =
          g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"%s\"}", good[i].name);
      g_autofree char *camel =
          g_strdup_printf ("{\"userId\":\"u1\",\"status\":\"%s\"}", good[i].name);
      g_autoptr (BeaconPresenceRecord) record = parse (text, NULL);
      g_autoptr (BeaconPresenceRecord) entry = parse (camel, NULL);
      g_autofree char                 *written = beacon_presence_record_to_string (record);
      g_autofree char                 *wanted =
          g_strdup_printf ("\"status\":\"%s\"", beacon_presence_status_to_string (good[i].status));
      BeaconPresenceStatus status = -1;

      g_assert_cmpint (record->status, ==, good[i].status);
      g_assert_cmpint (entry->status, ==, good[i].status);
      /* Aliases are written under their canonical name. */
      g_assert_nonnull (strstr (written, wanted));
      g_assert_true (beacon_presence_status_from_string (good[i].name, &status));
      g_assert_cmpint (status, ==, good[i].status);
    }

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_autofree char *text =
          g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"%s\"}", unknown[i]);

      assert_refused (text, BEACON_PRESENCE_ERROR_BAD_STATUS);
      g_assert_false (beacon_presence_status_from_string (unknown[i], NULL));
    }

  for (guint i = 0; i < G_N_ELEMENTS (not_strings); i++)
    {
      g_autofree char *text =
          g_strdup_printf ("{\"user_id\":\"u1\",\"status\":%s}", not_strings[i]);

      assert_refused (text, BEACON_PRESENCE_ERROR_BAD_TYPE);
    }

  assert_refused ("{\"user_id\":\"u1\"}", BEACON_PRESENCE_ERROR_MISSING_FIELD);
  assert_refused ("{\"user_id\":\"u1\",\"last_seen\":null}", BEACON_PRESENCE_ERROR_MISSING_FIELD);

  g_assert_cmpstr (beacon_presence_status_to_string (BEACON_PRESENCE_OFFLINE), ==, "offline");
  g_assert_cmpstr (beacon_presence_status_to_string (BEACON_PRESENCE_ONLINE), ==, "online");
  g_assert_cmpstr (beacon_presence_status_to_string (BEACON_PRESENCE_AWAY), ==, "away");
  g_assert_cmpstr (beacon_presence_status_to_string (BEACON_PRESENCE_BUSY), ==, "busy");
  g_assert_false (beacon_presence_status_from_string (NULL, NULL));
}

static void
test_timestamps (void)
{
  static const char *const same_instant[] = {
    "\"2026-11-23T10:00:00Z\"",
    "\"2026-11-23T10:00:00.000Z\"",
    "\"2026-11-23T10:00:00.0004Z\"",
    "\"2026-11-23T12:00:00+02:00\"",
    "\"2026-11-23T05:30:00-04:30\"",
    "\"2026-11-23T10:00:00+00:00\"",
    "1795428000000",
    "1795428000000.0",
    "1795428000000.9",
    "1.795428e12",
  };
  static const char *const bad[] = {
    "\"2026-11-23T10:00:00\"", /* no zone */
    "\"2026-11-23\"",
    "\"yesterday\"",
    "\"\"",
    "\"2026-13-23T10:00:00Z\"",
    "\"1969-12-31T23:59:59Z\"", /* before the epoch */
    "\"2026-11-23T10:00:00Z and then some more text after it to pass sixty-four bytes\"",
    "-1",
    "-0.5",
    "1e20",
    "253402300800000",
    "253402300800000.0",
    "9223372036854775807",
  };
  static const char *const not_timestamps[] = { "true", "{}", "[1795428000000]" };

  for (guint i = 0; i < G_N_ELEMENTS (same_instant); i++)
    {
      g_autofree char *seen = g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"offline\","
                                               "\"last_seen\":%s}",
                                               same_instant[i]);
      g_autofree char *active =
          g_strdup_printf ("{\"userId\":\"u1\",\"lastActive\":%s}", same_instant[i]);
      g_autoptr (BeaconPresenceRecord) a = parse (seen, NULL);
      g_autoptr (BeaconPresenceRecord) b = parse (active, NULL);

      g_assert_cmpint (a->last_seen_ms, ==, T_10_00);
      g_assert_cmpint (b->last_active_ms, ==, T_10_00);
    }

  /* Milliseconds are kept and written back only when not zero. */
  {
    g_autoptr (BeaconPresenceRecord) r = parse ("{\"user_id\":\"u1\",\"status\":\"offline\","
                                                "\"last_seen\":\"2026-11-23T10:00:00.123456Z\","
                                                "\"last_active\":1795428271007}",
                                                NULL);
    g_autofree char                 *text = beacon_presence_record_to_string (r);

    g_assert_cmpint (r->last_seen_ms, ==, T_10_00 + 123);
    g_assert_cmpint (r->last_active_ms, ==, T_10_04_31 + 7);
    g_assert_nonnull (strstr (text, "\"last_seen\":\"2026-11-23T10:00:00.123Z\""));
    g_assert_nonnull (strstr (text, "\"last_active\":\"2026-11-23T10:04:31.007Z\""));
    assert_round_trip (r);
  }

  /* The edges of the range */
  {
    g_autoptr (BeaconPresenceRecord) first =
        parse ("{\"user_id\":\"u1\",\"status\":\"offline\",\"last_seen\":0}", NULL);
    g_autoptr (BeaconPresenceRecord) last =
        parse ("{\"user_id\":\"u1\",\"status\":\"offline\",\"last_seen\":253402300799999}", NULL);
    g_autoptr (BeaconPresenceRecord) last_iso =
        parse ("{\"user_id\":\"u1\",\"status\":\"offline\","
               "\"last_seen\":\"9999-12-31T23:59:59.999Z\"}",
               NULL);

    g_assert_cmpint (first->last_seen_ms, ==, 0);
    g_assert_cmpint (last->last_seen_ms, ==, BEACON_PRESENCE_MAX_TIMESTAMP_MS);
    g_assert_cmpint (last_iso->last_seen_ms, ==, BEACON_PRESENCE_MAX_TIMESTAMP_MS);
    assert_round_trip (first);
    assert_round_trip (last);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *seen = g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"offline\","
                                               "\"last_seen\":%s}",
                                               bad[i]);
      g_autofree char *active = g_strdup_printf ("{\"userId\":\"u1\",\"lastActive\":%s}", bad[i]);

      assert_refused (seen, BEACON_PRESENCE_ERROR_BAD_TIMESTAMP);
      assert_refused (active, BEACON_PRESENCE_ERROR_BAD_TIMESTAMP);
    }
  for (guint i = 0; i < G_N_ELEMENTS (not_timestamps); i++)
    {
      g_autofree char *seen = g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"offline\","
                                               "\"last_seen\":%s}",
                                               not_timestamps[i]);
      g_autofree char *active = g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"online\","
                                                 "\"last_active\":%s}",
                                                 not_timestamps[i]);

      assert_refused (seen, BEACON_PRESENCE_ERROR_BAD_TYPE);
      assert_refused (active, BEACON_PRESENCE_ERROR_BAD_TYPE);
    }
}

static void
test_format_timestamp (void)
{
  g_autofree char *zero = beacon_presence_format_timestamp (0);
  g_autofree char *one = beacon_presence_format_timestamp (1);
  g_autofree char *example = beacon_presence_format_timestamp (T_10_00);
  g_autofree char *last = beacon_presence_format_timestamp (BEACON_PRESENCE_MAX_TIMESTAMP_MS);
  g_autofree char *under = beacon_presence_format_timestamp (-1);
  g_autofree char *over = beacon_presence_format_timestamp (BEACON_PRESENCE_MAX_TIMESTAMP_MS + 1);

  g_assert_cmpstr (zero, ==, "1970-01-01T00:00:00Z");
  g_assert_cmpstr (one, ==, "1970-01-01T00:00:00.001Z");
  g_assert_cmpstr (example, ==, "2026-11-23T10:00:00Z");
  g_assert_cmpstr (last, ==, "9999-12-31T23:59:59.999Z");
  g_assert_null (under);
  g_assert_null (over);
}

static void
test_custom_message (void)
{
  GString                         *hundred = g_string_new (NULL);
  g_autofree char                 *ok = NULL;
  g_autofree char                 *too_long = NULL;
  g_autoptr (BeaconPresenceRecord) record = NULL;
  g_autofree char                 *text = NULL;

  /* 100 characters, 200 bytes: characters are counted, not bytes */
  for (guint i = 0; i < 100; i++)
    g_string_append (hundred, "\xc3\xa9");
  ok = g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"busy\",\"custom_message\":\"%s\"}",
                        hundred->str);
  g_string_append_c (hundred, 'x');
  too_long = g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"busy\",\"custom_message\":\"%s\"}",
                              hundred->str);
  g_string_free (hundred, TRUE);

  record = parse (ok, NULL);
  g_assert_cmpint (g_utf8_strlen (record->custom_message, -1), ==, 100);
  assert_refused (too_long, BEACON_PRESENCE_ERROR_TOO_LONG);

  /* Quotes, backslashes and control characters survive the round trip. */
  g_clear_pointer (&record, beacon_presence_record_free);
  record = parse ("{\"user_id\":\"u1\",\"status\":\"away\","
                  "\"custom_message\":\"say \\\"hi\\\"\\\\\\n\\u0001\"}",
                  NULL);
  g_assert_cmpstr (record->custom_message, ==, "say \"hi\"\\\n\x01");
  text = beacon_presence_record_to_string (record);
  g_assert_nonnull (strstr (text, "\"custom_message\":\"say \\\"hi\\\"\\\\\\n\\u0001\""));
  assert_round_trip (record);

  assert_refused ("{\"user_id\":\"u1\",\"status\":\"away\",\"custom_message\":42}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"away\",\"custom_message\":[\"x\"]}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"away\",\"custom_message\":false}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
}

static void
test_role_and_version (void)
{
  g_autofree char *long_role = g_strnfill (65, 'R');
  g_autofree char *long_role_json = g_strdup_printf ("{\"user_id\":\"u1\",\"status\":\"online\","
                                                     "\"role\":\"%s\"}",
                                                     long_role);
  g_autoptr (BeaconPresenceRecord) big =
      parse ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":9007199254740991}", NULL);
  g_autoptr (BeaconPresenceRecord) exp =
      parse ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":1e3}", NULL);

  g_assert_cmpint (big->version, ==, G_GINT64_CONSTANT (9007199254740991));
  g_assert_cmpint (exp->version, ==, 1000);
  assert_round_trip (big);

  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":-1}",
                  BEACON_PRESENCE_ERROR_BAD_VALUE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":1.5}",
                  BEACON_PRESENCE_ERROR_BAD_VALUE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":-0.0}",
                  BEACON_PRESENCE_ERROR_BAD_VALUE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":1e100}",
                  BEACON_PRESENCE_ERROR_BAD_VALUE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":\"42\"}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"version\":null}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"role\":7}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused (long_role_json, BEACON_PRESENCE_ERROR_TOO_LONG);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"chatting_with_me\":\"yes\"}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"chatting_with_me\":null}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
  assert_refused ("{\"user_id\":\"u1\",\"status\":\"online\",\"chatting_with_me\":1}",
                  BEACON_PRESENCE_ERROR_BAD_TYPE);
}

static void
test_not_objects (void)
{
  static const char *const values[] = { "[]", "\"u1\"", "42", "null", "true" };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    assert_refused (values[i], BEACON_PRESENCE_ERROR_BAD_TYPE);

  /* Unknown members are ignored, whatever their type. */
  {
    g_autoptr (BeaconPresenceRecord) record = parse (
        "{\"user_id\":\"u1\",\"status\":\"online\",\"name\":{\"x\":[1]},\"avatar\":null}", NULL);

    g_assert_cmpstr (record->user_id, ==, "u1");
  }
}

static void
test_both_spellings (void)
{
  /* snake_case wins when both spellings are given */
  g_autoptr (BeaconPresenceRecord) record =
      parse ("{\"user_id\":\"u1\",\"userId\":\"u2\",\"status\":\"online\","
             "\"last_active\":1795428000000,\"lastActive\":1795428271000,"
             "\"chatting_with_me\":false,\"chattingWith\":\"me\"}",
             "me");

  g_assert_cmpstr (record->user_id, ==, "u1");
  g_assert_cmpint (record->last_active_ms, ==, T_10_00);
  g_assert_false (record->chatting_with_me);
}

static void
test_copy_equal (void)
{
  g_autoptr (BeaconPresenceRecord) record = parse (CANONICAL, NULL);
  g_autoptr (BeaconPresenceRecord) copy = beacon_presence_record_copy (record);
  g_autoptr (BeaconPresenceRecord) fresh = beacon_presence_record_new ("u2");

  g_assert_true (beacon_presence_record_equal (record, copy));
  g_assert_true (copy->user_id != record->user_id);
  g_assert_cmpint (copy->fields, ==, record->fields);

  g_free (copy->custom_message);
  copy->custom_message = g_strdup ("Back soon");
  g_assert_false (beacon_presence_record_equal (record, copy));
  g_assert_cmpstr (record->custom_message, ==, "At lunch");

  g_assert_cmpint (fresh->status, ==, BEACON_PRESENCE_OFFLINE);
  g_assert_cmpint (fresh->last_seen_ms, ==, -1);
  g_assert_cmpint (fresh->last_active_ms, ==, -1);
  g_assert_cmpint (fresh->version, ==, -1);
  g_assert_cmpint (fresh->fields, ==, 0);
  g_assert_false (beacon_presence_record_equal (record, fresh));
  assert_round_trip (fresh);

  /* The fields given are not part of equality. */
  {
    g_autoptr (BeaconPresenceRecord) partial =
        parse ("{\"user_id\":\"u3\",\"status\":\"offline\",\"last_seen\":null}", NULL);
    g_autoptr (BeaconPresenceRecord) full =
        parse ("{\"user_id\":\"u3\",\"status\":\"offline\",\"last_seen\":null,\"last_active\":null,"
               "\"chatting_with_me\":false,\"custom_message\":null,\"role\":null}",
               NULL);

    g_assert_cmpint (partial->fields, !=, full->fields);
    g_assert_true (beacon_presence_record_equal (partial, full));
  }
}

static BeaconPresenceRecord *
versioned (const char *status, gint64 version)
{
  BeaconPresenceRecord *record = beacon_presence_record_new ("u2");

  beacon_presence_status_from_string (status, &record->status);
  record->version = version;
  return record;
}

static void
test_version_order (void)
{
  g_autoptr (BeaconPresenceRecord) v4 = versioned ("online", 4);
  g_autoptr (BeaconPresenceRecord) v5 = versioned ("away", 5);
  g_autoptr (BeaconPresenceRecord) v5b = versioned ("busy", 5);
  g_autoptr (BeaconPresenceRecord) none = versioned ("offline", -1);
  g_autoptr (BeaconPresenceRecord) zero = versioned ("online", 0);
  g_autoptr (BeaconPresenceRecord) held = NULL;
  /* Arrivals, as a store keeping one record per user would see them: a late v3 and v4
   * after v5 are ignored, v6 wins, and a record without version always wins. */
  static const struct
  {
    const char *status;
    gint64      version;
    gboolean    taken;
  } arrivals[] = {
    { "online", 3, TRUE },  { "away", 5, TRUE },  { "online", 3, FALSE },
    { "busy", 4, FALSE },   { "away", 5, FALSE }, { "offline", 6, TRUE },
    { "online", -1, TRUE }, { "away", 2, TRUE },  { "busy", 1, FALSE },
  };

  g_assert_true (beacon_presence_record_is_newer (v5, v4));
  g_assert_false (beacon_presence_record_is_newer (v4, v5));
  g_assert_false (beacon_presence_record_is_newer (v5b, v5));
  g_assert_true (beacon_presence_record_is_newer (v4, zero));
  g_assert_false (beacon_presence_record_is_newer (zero, v4));
  g_assert_true (beacon_presence_record_is_newer (none, v5));
  g_assert_true (beacon_presence_record_is_newer (v4, none));
  g_assert_true (beacon_presence_record_is_newer (v4, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (arrivals); i++)
    {
      g_autoptr (BeaconPresenceRecord) incoming =
          versioned (arrivals[i].status, arrivals[i].version);
      gboolean taken = beacon_presence_record_is_newer (incoming, held);

      g_assert_cmpint (taken, ==, arrivals[i].taken);
      if (taken)
        {
          g_clear_pointer (&held, beacon_presence_record_free);
          held = g_steal_pointer (&incoming);
        }
    }
  g_assert_cmpint (held->status, ==, BEACON_PRESENCE_AWAY);
  g_assert_cmpint (held->version, ==, 2);
}

static void
test_versions_from_the_wire (void)
{
  g_autoptr (BeaconPresenceRecord) newer =
      parse ("{\"user_id\":\"u2\",\"status\":\"away\",\"version\":43}", NULL);
  g_autoptr (BeaconPresenceRecord) older =
      parse ("{\"user_id\":\"u2\",\"status\":\"online\",\"version\":41}", NULL);
  g_autoptr (BeaconPresenceRecord) plain =
      parse ("{\"user_id\":\"u2\",\"status\":\"offline\",\"last_seen\":null}", NULL);
  g_autoptr (BeaconPresenceRecord) current = parse (CANONICAL, NULL);

  g_assert_true (beacon_presence_record_is_newer (newer, current));
  g_assert_false (beacon_presence_record_is_newer (older, current));
  g_assert_true (beacon_presence_record_is_newer (plain, current));
}

static void
test_list (void)
{
  g_autoptr (JsonNode) node =
      json ("[{\"user_id\":\"u1\",\"status\":\"online\",\"last_seen\":null},"
            "{\"user_id\":2,\"status\":\"offline\",\"last_seen\":\"2026-11-23T10:00:00Z\"},"
            "{\"userId\":\"u3\",\"chattingWith\":\"me\"},"
            "{\"user_id\":\"u1\",\"status\":\"dnd\",\"timestamp\":1795428000000}]");
  g_autoptr (JsonNode) empty = json ("[]");
  g_autoptr (JsonNode) one_bad = json (
      "[{\"user_id\":\"u1\",\"status\":\"online\"},{\"user_id\":\"u2\",\"status\":\"gone\"}]");
  g_autoptr (JsonNode)  object = json ("{\"user_id\":\"u1\",\"status\":\"online\"}");
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError)    error = NULL;
  BeaconPresenceRecord *r;

  records = beacon_presence_record_parse_list (node, "me", &error);
  g_assert_no_error (error);
  g_assert_nonnull (records);
  g_assert_cmpuint (records->len, ==, 4);
  r = g_ptr_array_index (records, 1);
  g_assert_cmpstr (r->user_id, ==, "2");
  g_assert_cmpint (r->last_seen_ms, ==, T_10_00);
  r = g_ptr_array_index (records, 2);
  g_assert_true (r->chatting_with_me);
  /* Duplicates are kept as they came. */
  r = g_ptr_array_index (records, 3);
  g_assert_cmpstr (r->user_id, ==, "u1");
  g_assert_cmpint (r->status, ==, BEACON_PRESENCE_BUSY);
  g_assert_cmpint (r->last_active_ms, ==, T_10_00);

  g_clear_pointer (&records, g_ptr_array_unref);
  records = beacon_presence_record_parse_list (empty, "me", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 0);

  /* One bad entry refuses the whole list, and the message says which. */
  g_clear_pointer (&records, g_ptr_array_unref);
  records = beacon_presence_record_parse_list (one_bad, "me", &error);
  g_assert_null (records);
  g_assert_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_STATUS);
  g_assert_true (g_str_has_prefix (error->message, "Entry 1: "));

  g_clear_error (&error);
  records = beacon_presence_record_parse_list (object, "me", &error);
  g_assert_null (records);
  g_assert_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_TYPE);
}

static void
test_list_cap (void)
{
  g_autoptr (JsonArray) array = json_array_new ();
  g_autoptr (JsonNode)  node = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError)    error = NULL;

  for (guint i = 0; i < BEACON_PRESENCE_MAX_ENTRIES; i++)
    {
      JsonObject *entry = json_object_new ();

      json_object_set_int_member (entry, "userId", i);
      json_array_add_object_element (array, entry);
    }
  node = json_node_init_array (json_node_alloc (), array);

  records = beacon_presence_record_parse_list (node, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, BEACON_PRESENCE_MAX_ENTRIES);
  g_clear_pointer (&records, g_ptr_array_unref);

  json_array_add_object_element (array, json_object_new ());
  records = beacon_presence_record_parse_list (node, NULL, &error);
  g_assert_null (records);
  g_assert_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_TOO_MANY);
}

static void
test_snapshot (void)
{
  g_autoptr (JsonNode) node =
      json ("{\"userId\":\"me\",\"onlineUsers\":["
            "{\"userId\":\"u1\",\"role\":\"CLIENT\",\"status\":\"online\","
            "\"lastActive\":\"2026-11-23T10:00:00Z\",\"chattingWith\":null},"
            "{\"userId\":42,\"role\":\"FREELANCER\",\"status\":\"busy\","
            "\"lastActive\":1795428271000,\"chattingWith\":\"me\",\"socketId\":\"s1\"},"
            "{\"userId\":\"u3\",\"chattingWith\":\"u1\",\"socketId\":\"s2\"}]}");
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError)    error = NULL;
  g_autofree char      *me = NULL;
  BeaconPresenceRecord *r;

  g_assert_true (beacon_presence_parse_snapshot (node, "me", &me, &records, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (me, ==, "me");
  g_assert_cmpuint (records->len, ==, 3);

  r = g_ptr_array_index (records, 0);
  g_assert_cmpstr (r->user_id, ==, "u1");
  g_assert_cmpint (r->status, ==, BEACON_PRESENCE_ONLINE);
  g_assert_false (r->chatting_with_me);
  g_assert_cmpint (r->last_active_ms, ==, T_10_00);

  r = g_ptr_array_index (records, 1);
  g_assert_cmpstr (r->user_id, ==, "42");
  g_assert_cmpint (r->status, ==, BEACON_PRESENCE_BUSY);
  g_assert_true (r->chatting_with_me);

  r = g_ptr_array_index (records, 2);
  g_assert_cmpstr (r->user_id, ==, "u3");
  g_assert_cmpint (r->status, ==, BEACON_PRESENCE_ONLINE);
  g_assert_false (r->chatting_with_me);

  /* Without a viewer, the payload's own userId resolves chattingWith. */
  g_clear_pointer (&records, g_ptr_array_unref);
  g_assert_true (beacon_presence_parse_snapshot (node, NULL, NULL, &records, &error));
  g_assert_true (((BeaconPresenceRecord *) g_ptr_array_index (records, 1))->chatting_with_me);
}

static void
test_snapshot_without_me (void)
{
  g_autoptr (JsonNode)  node = json ("{\"onlineUsers\":[{\"userId\":\"u1\"}]}");
  g_autoptr (JsonNode)  empty = json ("{\"onlineUsers\":[]}");
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError)    error = NULL;
  char                 *me = (char *) "not set";

  g_assert_true (beacon_presence_parse_snapshot (node, "me", &me, &records, &error));
  g_assert_no_error (error);
  g_assert_null (me);
  g_assert_cmpuint (records->len, ==, 1);

  g_clear_pointer (&records, g_ptr_array_unref);
  g_assert_true (beacon_presence_parse_snapshot (empty, "me", NULL, &records, &error));
  g_assert_cmpuint (records->len, ==, 0);
}

static void
test_snapshot_devices (void)
{
  /* One entry per socket: u1 has three devices. */
  g_autoptr (JsonNode) node =
      json ("{\"onlineUsers\":["
            "{\"userId\":\"u1\",\"status\":\"away\",\"lastActive\":1795428000000,"
            "\"chattingWith\":null,\"socketId\":\"a\"},"
            "{\"userId\":\"u2\",\"status\":\"online\",\"socketId\":\"b\"},"
            "{\"userId\":\"u1\",\"status\":\"online\",\"lastActive\":1795428271000,"
            "\"chattingWith\":\"me\",\"socketId\":\"c\"},"
            "{\"userId\":\"u1\",\"status\":\"busy\",\"lastActive\":1795427000000,"
            "\"chattingWith\":\"u9\",\"socketId\":\"d\"}]}");
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError)    error = NULL;
  BeaconPresenceRecord *r;

  g_assert_true (beacon_presence_parse_snapshot (node, "me", NULL, &records, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 2);
  r = g_ptr_array_index (records, 0);
  g_assert_cmpstr (r->user_id, ==, "u1");
  g_assert_cmpint (r->status, ==, BEACON_PRESENCE_ONLINE);
  g_assert_true (r->chatting_with_me);
  g_assert_cmpint (r->last_active_ms, ==, T_10_04_31);
  r = g_ptr_array_index (records, 1);
  g_assert_cmpstr (r->user_id, ==, "u2");
}

static void
test_snapshot_refused (void)
{
  static const struct
  {
    const char *json;
    int         code;
  } cases[] = {
    { "[]", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"userId\":\"me\"}", BEACON_PRESENCE_ERROR_MISSING_FIELD },
    { "{\"onlineFreelancerIds\":[\"u1\"]}", BEACON_PRESENCE_ERROR_MISSING_FIELD },
    { "{\"onlineUsers\":{}}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"onlineUsers\":null}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"onlineUsers\":[\"u1\"]}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"onlineUsers\":[{\"userId\":\"u1\"},{\"userId\":\"u2\",\"status\":\"gone\"}]}",
      BEACON_PRESENCE_ERROR_BAD_STATUS },
    { "{\"userId\":true,\"onlineUsers\":[]}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"userId\":\"\",\"onlineUsers\":[]}", BEACON_PRESENCE_ERROR_BAD_ID },
    { "{\"userId\":1.5,\"onlineUsers\":[]}", BEACON_PRESENCE_ERROR_BAD_ID },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode)  node = json (cases[i].json);
      g_autoptr (GPtrArray) records = NULL;
      g_autoptr (GError)    error = NULL;
      g_autofree char      *me = NULL;

      g_assert_false (beacon_presence_parse_snapshot (node, "me", &me, &records, &error));
      g_assert_error (error, BEACON_PRESENCE_ERROR, cases[i].code);
      g_assert_null (me);
      g_assert_null (records);
    }
}

static void
test_hydration (void)
{
  g_autoptr (JsonNode) node =
      json ("{\"success\":true,\"data\":{\"statuses\":{\"u1\":true,\"u2\":false,\"42\":true},"
            "\"presence\":[" CANONICAL ","
            "{\"user_id\":\"u1\",\"status\":\"online\",\"last_seen\":null}]}}");
  g_autoptr (GHashTable) online = NULL;
  g_autoptr (GPtrArray)  records = NULL;
  g_autoptr (GError)     error = NULL;
  gpointer               value = (gpointer) 0x1;

  g_assert_true (beacon_presence_parse_hydration (node, "me", &online, &records, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (online), ==, 3);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (online, "u1")), ==, TRUE);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (online, "42")), ==, TRUE);
  g_assert_true (g_hash_table_lookup_extended (online, "u2", NULL, &value));
  g_assert_cmpint (GPOINTER_TO_INT (value), ==, FALSE);
  g_assert_false (g_hash_table_contains (online, "u3"));
  g_assert_cmpuint (records->len, ==, 2);
  g_assert_cmpint (((BeaconPresenceRecord *) g_ptr_array_index (records, 0))->version, ==, 42);
}

static void
test_hydration_without_presence (void)
{
  static const char *const bodies[] = {
    "{\"data\":{\"statuses\":{\"u1\":true,\"u2\":false}}}",
    "{\"success\":true,\"data\":{\"statuses\":{\"u1\":true,\"u2\":false}}}",
    "{\"success\":true,\"data\":{\"statuses\":{\"u1\":true,\"u2\":false},\"presence\":null}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr (JsonNode)   node = json (bodies[i]);
      g_autoptr (GHashTable) online = NULL;
      g_autoptr (GPtrArray)  records = NULL;
      g_autoptr (GError)     error = NULL;

      g_assert_true (beacon_presence_parse_hydration (node, NULL, &online, &records, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g_hash_table_size (online), ==, 2);
      g_assert_true (g_hash_table_lookup (online, "u1") == GINT_TO_POINTER (TRUE));
      g_assert_true (g_hash_table_contains (online, "u2"));
      g_assert_nonnull (records);
      g_assert_cmpuint (records->len, ==, 0);
    }
}

static void
test_hydration_refused (void)
{
  static const struct
  {
    const char *json;
    int         code;
  } cases[] = {
    { "[]", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{}", BEACON_PRESENCE_ERROR_MISSING_FIELD },
    { "{\"success\":false,\"data\":{\"statuses\":{}}}", BEACON_PRESENCE_ERROR_BAD_VALUE },
    { "{\"success\":\"yes\",\"data\":{\"statuses\":{}}}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"data\":null}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"data\":{}}", BEACON_PRESENCE_ERROR_MISSING_FIELD },
    { "{\"data\":{\"statuses\":[]}}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"data\":{\"statuses\":{\"u1\":\"online\"}}}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"data\":{\"statuses\":{\"u1\":1}}}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"data\":{\"statuses\":{\"u1\":null}}}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"data\":{\"statuses\":{\"\":true}}}", BEACON_PRESENCE_ERROR_BAD_ID },
    { "{\"data\":{\"statuses\":{\"a\\tb\":true}}}", BEACON_PRESENCE_ERROR_BAD_ID },
    { "{\"data\":{\"statuses\":{},\"presence\":{}}}", BEACON_PRESENCE_ERROR_BAD_TYPE },
    { "{\"data\":{\"statuses\":{},\"presence\":[{\"user_id\":\"u1\",\"status\":\"x\"}]}}",
      BEACON_PRESENCE_ERROR_BAD_STATUS },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode)   node = json (cases[i].json);
      g_autoptr (GHashTable) online = NULL;
      g_autoptr (GPtrArray)  records = NULL;
      g_autoptr (GError)     error = NULL;

      g_assert_false (beacon_presence_parse_hydration (node, "me", &online, &records, &error));
      g_assert_error (error, BEACON_PRESENCE_ERROR, cases[i].code);
      g_assert_null (online);
      g_assert_null (records);
    }
}

static void
test_date_time_from_ms (void)
{
  g_autoptr (GDateTime) dt = beacon_presence_date_time_from_ms (1763892000123);
  g_autofree char      *text = NULL;

  g_assert_nonnull (dt);
  text = g_date_time_format_iso8601 (dt);
  g_assert_cmpstr (text, ==, "2025-11-23T10:00:00.123000Z");
  g_assert_cmpint (g_date_time_get_utc_offset (dt), ==, 0);
  g_assert_null (beacon_presence_date_time_from_ms (-1));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/presence-record/canonical", test_canonical);
  g_test_add_func ("/presence-record/canonical-nulls", test_canonical_nulls);
  g_test_add_func ("/presence-record/presence-updated", test_presence_updated);
  g_test_add_func ("/presence-record/friend-status-changed", test_friend_status_changed);
  g_test_add_func ("/presence-record/online-users-entry", test_online_users_entry);
  g_test_add_func ("/presence-record/third-party-chatting", test_third_party_chatting);
  g_test_add_func ("/presence-record/number-ids", test_number_ids);
  g_test_add_func ("/presence-record/string-ids", test_string_ids);
  g_test_add_func ("/presence-record/statuses", test_statuses);
  g_test_add_func ("/presence-record/timestamps", test_timestamps);
  g_test_add_func ("/presence-record/format-timestamp", test_format_timestamp);
  g_test_add_func ("/presence-record/custom-message", test_custom_message);
  g_test_add_func ("/presence-record/role-and-version", test_role_and_version);
  g_test_add_func ("/presence-record/not-objects", test_not_objects);
  g_test_add_func ("/presence-record/both-spellings", test_both_spellings);
  g_test_add_func ("/presence-record/copy-equal", test_copy_equal);
  g_test_add_func ("/presence-record/version-order", test_version_order);
  g_test_add_func ("/presence-record/versions-from-the-wire", test_versions_from_the_wire);
  g_test_add_func ("/presence-record/list", test_list);
  g_test_add_func ("/presence-record/list-cap", test_list_cap);
  g_test_add_func ("/presence-record/snapshot", test_snapshot);
  g_test_add_func ("/presence-record/snapshot-without-me", test_snapshot_without_me);
  g_test_add_func ("/presence-record/snapshot-devices", test_snapshot_devices);
  g_test_add_func ("/presence-record/snapshot-refused", test_snapshot_refused);
  g_test_add_func ("/presence-record/hydration", test_hydration);
  g_test_add_func ("/presence-record/date-time-from-ms", test_date_time_from_ms);
  g_test_add_func ("/presence-record/hydration-without-presence", test_hydration_without_presence);
  g_test_add_func ("/presence-record/hydration-refused", test_hydration_refused);

  return g_test_run ();
}
