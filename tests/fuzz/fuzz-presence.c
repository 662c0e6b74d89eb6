/* fuzz-presence.c: fuzz target for presence records: any JSON read as a record, a list,
 * a snapshot and a hydration body; every record read must survive a canonical round trip. */

#include "beacon-presence-record.h"
#include "beacon-json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define VIEWER "me"

#define CHECK(cond)                                                          \
  G_STMT_START                                                               \
  {                                                                          \
    if (!(cond))                                                             \
      {                                                                      \
        g_printerr ("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort ();                                                            \
      }                                                                      \
  }                                                                          \
  G_STMT_END

#define ALL_FIELDS                                                                                \
  (BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_LAST_SEEN | BEACON_PRESENCE_HAS_LAST_ACTIVE | \
   BEACON_PRESENCE_HAS_CHATTING | BEACON_PRESENCE_HAS_CUSTOM_MESSAGE | BEACON_PRESENCE_HAS_ROLE | \
   BEACON_PRESENCE_HAS_VERSION)

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The canonical text of @record reads back, through the JSON reader, as the same record
 * with every field given, and writes out to the same text again. */
static void
check_round_trip (const BeaconPresenceRecord *record)
{
  g_autofree char                 *text = beacon_presence_record_to_string (record);
  g_autoptr (GError)               error = NULL;
  g_autoptr (JsonNode)             node = beacon_json_parse (text, strlen (text), &error);
  g_autoptr (BeaconPresenceRecord) back = NULL;
  g_autofree char                 *again = NULL;

  CHECK (node != NULL);
  back = beacon_presence_record_parse (node, VIEWER, &error);
  if (back == NULL)
    g_printerr ("%s: %s\n", text, error->message);
  CHECK (back != NULL);
  CHECK (beacon_presence_record_equal (record, back));
  CHECK (back->fields ==
         (record->version >= 0 ? ALL_FIELDS : ALL_FIELDS & ~BEACON_PRESENCE_HAS_VERSION));
  again = beacon_presence_record_to_string (back);
  CHECK (strcmp (text, again) == 0);
}

static void
check_records (GPtrArray *records)
{
  CHECK (records != NULL);
  for (guint i = 0; i < records->len; i++)
    check_round_trip (g_ptr_array_index (records, i));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (JsonNode) node = NULL;

  if (!(node = beacon_json_parse ((const char *) data, size, NULL)))
    return 0;

  /* One record; whether it is accepted does not depend on who views it. */
  {
    g_autoptr (GError)               error = NULL;
    g_autoptr (GError)               anonymous_error = NULL;
    g_autoptr (BeaconPresenceRecord) record = beacon_presence_record_parse (node, VIEWER, &error);
    g_autoptr (BeaconPresenceRecord) anonymous =
        beacon_presence_record_parse (node, NULL, &anonymous_error);

    CHECK ((record == NULL) == (error != NULL));
    CHECK ((record == NULL) == (anonymous == NULL));
    if (record != NULL)
      {
        g_autoptr (BeaconPresenceRecord) copy = beacon_presence_record_copy (record);

        CHECK (record->fields & BEACON_PRESENCE_HAS_STATUS);
        CHECK (!anonymous->chatting_with_me || (anonymous->fields & BEACON_PRESENCE_HAS_CHATTING));
        CHECK (beacon_presence_record_equal (record, copy));
        check_round_trip (record);
        check_round_trip (anonymous);
      }
    else
      CHECK (error->domain == BEACON_PRESENCE_ERROR);
  }

  /* A list */
  {
    g_autoptr (GError)    error = NULL;
    g_autoptr (GPtrArray) records = beacon_presence_record_parse_list (node, VIEWER, &error);

    CHECK ((records == NULL) == (error != NULL));
    if (records != NULL)
      check_records (records);
  }

  /* A snapshot: one record per user */
  {
    g_autoptr (GError)    error = NULL;
    g_autoptr (GPtrArray) records = NULL;
    g_autofree char      *me = NULL;
    gboolean              ok = beacon_presence_parse_snapshot (node, VIEWER, &me, &records, &error);

    CHECK (ok == (error == NULL));
    if (ok)
      {
        g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

        check_records (records);
        for (guint i = 0; i < records->len; i++)
          {
            BeaconPresenceRecord *record = g_ptr_array_index (records, i);

            CHECK (g_hash_table_add (ids, record->user_id));
          }
      }
    else
      CHECK (me == NULL && records == NULL);
  }

  /* A hydration body */
  {
    g_autoptr (GError)     error = NULL;
    g_autoptr (GPtrArray)  records = NULL;
    g_autoptr (GHashTable) online = NULL;
    gboolean ok = beacon_presence_parse_hydration (node, VIEWER, &online, &records, &error);

    CHECK (ok == (error == NULL));
    if (ok)
      {
        CHECK (online != NULL);
        check_records (records);
      }
    else
      CHECK (online == NULL && records == NULL);
  }

  return 0;
}
