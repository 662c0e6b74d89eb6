/* beacon-presence-record.h: one user's presence as seen by one viewer, read from every
 * variant of PROTOCOL.md sections 3, 4 and 9 and written in the canonical form. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BEACON_PRESENCE_ERROR (beacon_presence_error_quark ())

typedef enum
{
  BEACON_PRESENCE_ERROR_BAD_TYPE,      /* a field (or the whole value) has the wrong JSON type */
  BEACON_PRESENCE_ERROR_BAD_ID,        /* a user id that is empty, too long or not an id */
  BEACON_PRESENCE_ERROR_BAD_STATUS,    /* a status string none of the variants uses */
  BEACON_PRESENCE_ERROR_BAD_TIMESTAMP, /* not ISO-8601 with a zone, nor epoch ms in range */
  BEACON_PRESENCE_ERROR_BAD_VALUE,     /* a version that is not a non-negative integer, ... */
  BEACON_PRESENCE_ERROR_TOO_LONG,      /* custom message or role too long */
  BEACON_PRESENCE_ERROR_MISSING_FIELD, /* user id, status, onlineUsers or data missing */
  BEACON_PRESENCE_ERROR_TOO_MANY,      /* more entries than BEACON_PRESENCE_MAX_ENTRIES */
} BeaconPresenceError;

typedef enum
{
  BEACON_PRESENCE_OFFLINE,
  BEACON_PRESENCE_ONLINE,
  BEACON_PRESENCE_AWAY,
  BEACON_PRESENCE_BUSY,
} BeaconPresenceStatus;

/* Which fields the sender gave (a field given as null counts as given). */
typedef enum
{
  BEACON_PRESENCE_HAS_STATUS = 1 << 0,
  BEACON_PRESENCE_HAS_LAST_SEEN = 1 << 1,
  BEACON_PRESENCE_HAS_LAST_ACTIVE = 1 << 2,
  BEACON_PRESENCE_HAS_CHATTING = 1 << 3,
  BEACON_PRESENCE_HAS_CUSTOM_MESSAGE = 1 << 4,
  BEACON_PRESENCE_HAS_ROLE = 1 << 5,
  BEACON_PRESENCE_HAS_VERSION = 1 << 6,
} BeaconPresenceFields;

/* Limits of what is accepted. */
#define BEACON_PRESENCE_MAX_ID_LENGTH      128    /* bytes */
#define BEACON_PRESENCE_MAX_CUSTOM_MESSAGE 100    /* characters */
#define BEACON_PRESENCE_MAX_ROLE_LENGTH    64     /* bytes */
#define BEACON_PRESENCE_MAX_ENTRIES        100000 /* records in one list or snapshot */
/* Epoch milliseconds of 9999-12-31T23:59:59.999Z, the last instant ISO-8601 writes in
 * four-digit years; timestamps run from 1970-01-01T00:00:00Z to it. */
#define BEACON_PRESENCE_MAX_TIMESTAMP_MS G_GINT64_CONSTANT (253402300799999)

typedef struct
{
  char                *user_id; /* never NULL */
  BeaconPresenceStatus status;
  gint64               last_seen_ms;   /* epoch ms, -1 = null/unknown */
  gint64               last_active_ms; /* epoch ms, -1 = null/unknown */
  gboolean             chatting_with_me;
  char                *custom_message; /* nullable */
  char                *role;           /* nullable */
  gint64               version;        /* -1 = absent */
  BeaconPresenceFields fields;
} BeaconPresenceRecord;

GQuark beacon_presence_error_quark (void);

const char *beacon_presence_status_to_string (BeaconPresenceStatus status);
gboolean    beacon_presence_status_from_string (const char *str, BeaconPresenceStatus *out_status);

BeaconPresenceRecord *beacon_presence_record_new (const char *user_id);
BeaconPresenceRecord *beacon_presence_record_copy (const BeaconPresenceRecord *record);
void                  beacon_presence_record_free (BeaconPresenceRecord *record);
gboolean              beacon_presence_record_equal (const BeaconPresenceRecord *a,
                                                    const BeaconPresenceRecord *b);
gboolean              beacon_presence_record_is_newer (const BeaconPresenceRecord *incoming,
                                                       const BeaconPresenceRecord *current);

BeaconPresenceRecord *
beacon_presence_record_parse (JsonNode *node, const char *viewer_id, GError **error);
GPtrArray *
beacon_presence_record_parse_list (JsonNode *array_node, const char *viewer_id, GError **error);
gboolean beacon_presence_parse_snapshot (JsonNode   *payload,
                                         const char *viewer_id,
                                         char      **out_me,
                                         GPtrArray **out_records,
                                         GError    **error);
gboolean beacon_presence_parse_hydration (JsonNode    *body,
                                          const char  *viewer_id,
                                          GHashTable **out_online,
                                          GPtrArray  **out_records,
                                          GError     **error);

char *beacon_presence_parse_id (const char *field, JsonNode *node, GError **error);
/* Milliseconds since the epoch as a UTC GDateTime; NULL when negative (unknown). */
GDateTime *beacon_presence_date_time_from_ms (gint64 ms);
gboolean
beacon_presence_parse_timestamp (const char *field, JsonNode *node, gint64 *out_ms, GError **error);

JsonNode *beacon_presence_record_to_json (const BeaconPresenceRecord *record);
char     *beacon_presence_record_to_string (const BeaconPresenceRecord *record);
char     *beacon_presence_format_timestamp (gint64 ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BeaconPresenceRecord, beacon_presence_record_free)

G_END_DECLS
