/* beacon-presence-record.c: presence records: a strict reader for the canonical record
 * and its compatibility variants, the canonical writer, and the version ordering rule. */

#include "beacon-presence-record.h"
#include "beacon-json.h"

#include <math.h>
#include <string.h>

GQuark
beacon_presence_error_quark (void)
{
  return g_quark_from_static_string ("beacon-presence-error-quark");
}

/* JavaScript's Number.MAX_SAFE_INTEGER: above it a double no longer names one integer. */
#define MAX_SAFE_INTEGER 9007199254740991.0
/* No ISO-8601 timestamp a server writes comes near this many bytes. */
#define MAX_ISO8601_LENGTH 64

/**
 * beacon_presence_status_to_string:
 * @status: a status
 *
 * Returns: the canonical wire name: "offline", "online", "away" or "busy"
 */
const char *
beacon_presence_status_to_string (BeaconPresenceStatus status)
{
  switch (status)
    {
    case BEACON_PRESENCE_OFFLINE: return "offline";
    case BEACON_PRESENCE_ONLINE: return "online";
    case BEACON_PRESENCE_AWAY: return "away";
    case BEACON_PRESENCE_BUSY: return "busy";
    default: g_return_val_if_reached ("offline");
    }
}

/**
 * beacon_presence_status_from_string:
 * @str: a status as some server wrote it
 * @out_status: (out) (optional): where the status goes
 *
 * Accepts the canonical names and the aliases of PROTOCOL.md section 9: "active" is
 * online, "dnd" is busy and "invisible" is offline. Case matters.
 *
 * Returns: %TRUE if @str names a status
 */
gboolean
beacon_presence_status_from_string (const char *str, BeaconPresenceStatus *out_status)
{
  static const struct
  {
    const char          *name;
    BeaconPresenceStatus status;
  } names[] = {
    { "online", BEACON_PRESENCE_ONLINE },     { "active", BEACON_PRESENCE_ONLINE },
    { "away", BEACON_PRESENCE_AWAY },         { "busy", BEACON_PRESENCE_BUSY },
    { "dnd", BEACON_PRESENCE_BUSY },          { "offline", BEACON_PRESENCE_OFFLINE },
    { "invisible", BEACON_PRESENCE_OFFLINE },
  };

  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (str, names[i].name) == 0)
      {
        if (out_status)
          *out_status = names[i].status;
        return TRUE;
      }
  return FALSE;
}

/**
 * beacon_presence_record_new:
 * @user_id: the user's id
 *
 * Returns: (transfer full): an offline record with every other field unknown and no
 *   field marked as given
 */
BeaconPresenceRecord *
beacon_presence_record_new (const char *user_id)
{
  BeaconPresenceRecord *record;

  g_return_val_if_fail (user_id != NULL, NULL);

  record = g_new0 (BeaconPresenceRecord, 1);
  record->user_id = g_strdup (user_id);
  record->status = BEACON_PRESENCE_OFFLINE;
  record->last_seen_ms = -1;
  record->last_active_ms = -1;
  record->version = -1;
  return record;
}

BeaconPresenceRecord *
beacon_presence_record_copy (const BeaconPresenceRecord *record)
{
  BeaconPresenceRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_memdup2 (record, sizeof *record);
  copy->user_id = g_strdup (record->user_id);
  copy->custom_message = g_strdup (record->custom_message);
  copy->role = g_strdup (record->role);
  return copy;
}

void
beacon_presence_record_free (BeaconPresenceRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->user_id);
  g_free (record->custom_message);
  g_free (record->role);
  g_free (record);
}

/**
 * beacon_presence_record_equal:
 * @a: a record
 * @b: another
 *
 * Compares what the records say: user id, status, timestamps, chatting_with_me, custom
 * message, role and version. Which fields the senders gave (@fields) is not compared,
 * so a partial record equals the canonical record written from it.
 *
 * Returns: %TRUE if they say the same
 */
gboolean
beacon_presence_record_equal (const BeaconPresenceRecord *a, const BeaconPresenceRecord *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return g_strcmp0 (a->user_id, b->user_id) == 0 && a->status == b->status &&
         a->last_seen_ms == b->last_seen_ms && a->last_active_ms == b->last_active_ms &&
         !a->chatting_with_me == !b->chatting_with_me &&
         g_strcmp0 (a->custom_message, b->custom_message) == 0 &&
         g_strcmp0 (a->role, b->role) == 0 && a->version == b->version;
}

/**
 * beacon_presence_record_is_newer:
 * @incoming: a record that just arrived
 * @current: (nullable): the record held so far for the same user
 *
 * The merge rule of PROTOCOL.md sections 3 and 9: when both records carry a version the
 * one with the strictly greater version wins (an older record arriving late, or the same
 * one twice, is ignored); when either has none, the last to arrive wins.
 *
 * Returns: %TRUE if @incoming should replace @current
 */
gboolean
beacon_presence_record_is_newer (const BeaconPresenceRecord *incoming,
                                 const BeaconPresenceRecord *current)
{
  g_return_val_if_fail (incoming != NULL, FALSE);

  if (current == NULL)
    return TRUE;
  if (incoming->version >= 0 && current->version >= 0)
    return incoming->version > current->version;
  return TRUE;
}

/* Reading */

static const char *
node_kind (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT: return "an object";
    case JSON_NODE_ARRAY: return "an array";
    case JSON_NODE_NULL: return "null";
    case JSON_NODE_VALUE:
    default:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING: return "a string";
        case G_TYPE_BOOLEAN: return "a boolean";
        default: return "a number";
        }
    }
}

static GType
value_type (JsonNode *node)
{
  if (!JSON_NODE_HOLDS_VALUE (node))
    return G_TYPE_INVALID;
  return json_node_get_value_type (node);
}

static gboolean
bad_type (const char *field, JsonNode *node, const char *expected, GError **error)
{
  g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_TYPE, "\"%s\" is %s, not %s",
               field, node_kind (node), expected);
  return FALSE;
}

static gboolean
check_id_string (const char *field, const char *id, GError **error)
{
  gsize len = strlen (id);

  if (len == 0 || len > BEACON_PRESENCE_MAX_ID_LENGTH)
    {
      g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_ID,
                   "\"%s\" must be 1 to %d bytes long", field, BEACON_PRESENCE_MAX_ID_LENGTH);
      return FALSE;
    }
  if (!g_utf8_validate_len (id, len, NULL))
    {
      g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_ID,
                   "\"%s\" is not valid UTF-8", field);
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if ((guchar) id[i] < 0x20 || id[i] == 0x7f)
      {
        g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_ID,
                     "\"%s\" holds a control character", field);
        return FALSE;
      }
  return TRUE;
}

/* A user id: a string, or a JSON number that is a non-negative integer (kept as its
 * decimal string, as JavaScript's String() writes it). Doubles must be integral, not
 * negative zero, and at most Number.MAX_SAFE_INTEGER, beyond which they name no one
 * integer. */
static char *
parse_id (const char *field, JsonNode *node, GError **error)
{
  switch (value_type (node))
    {
    case G_TYPE_STRING:
      {
        const char *id = json_node_get_string (node);

        if (!check_id_string (field, id, error))
          return NULL;
        return g_strdup (id);
      }

    case G_TYPE_INT64:
      {
        gint64 v = json_node_get_int (node);

        if (v >= 0)
          return g_strdup_printf ("%" G_GINT64_FORMAT, v);
      }
      break;

    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        if (isfinite (d) && !signbit (d) && d == floor (d) && d <= MAX_SAFE_INTEGER)
          return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) d);
      }
      break;

    default: bad_type (field, node, "a string or a number", error); return NULL;
    }

  g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_ID,
               "\"%s\" is a number that is not a non-negative integer id", field);
  return NULL;
}

static gboolean
parse_iso8601 (const char *text, gint64 *out_ms)
{
  g_autoptr (GDateTime) dt = NULL;
  gint64                seconds;

  if (strlen (text) > MAX_ISO8601_LENGTH)
    return FALSE;
  /* No default zone: a timestamp without "Z" or an offset is refused. */
  if (!(dt = g_date_time_new_from_iso8601 (text, NULL)))
    return FALSE;
  seconds = g_date_time_to_unix (dt);
  if (seconds < 0 || seconds > BEACON_PRESENCE_MAX_TIMESTAMP_MS / 1000)
    return FALSE;
  *out_ms = seconds * 1000 + g_date_time_get_microsecond (dt) / 1000;
  return TRUE;
}

/* A timestamp: null (-1), an ISO-8601 string with a zone, or epoch milliseconds as an
 * integer or a double (whose fraction is dropped), within 1970..9999. */
static gboolean
parse_timestamp (const char *field, JsonNode *node, gint64 *out_ms, GError **error)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out_ms = -1;
      return TRUE;
    }

  switch (value_type (node))
    {
    case G_TYPE_STRING:
      if (parse_iso8601 (json_node_get_string (node), out_ms))
        return TRUE;
      g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_TIMESTAMP,
                   "\"%s\" is not an ISO-8601 time with a zone in years 1970 to 9999", field);
      return FALSE;

    case G_TYPE_INT64:
      {
        gint64 v = json_node_get_int (node);

        if (v >= 0 && v <= BEACON_PRESENCE_MAX_TIMESTAMP_MS)
          {
            *out_ms = v;
            return TRUE;
          }
      }
      break;

    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        if (d >= 0 && d < (double) BEACON_PRESENCE_MAX_TIMESTAMP_MS + 1)
          {
            *out_ms = (gint64) floor (d);
            return TRUE;
          }
      }
      break;

    default: return bad_type (field, node, "a string, a number or null", error);
    }

  g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_TIMESTAMP,
               "\"%s\" is out of the range of epoch milliseconds of years 1970 to 9999", field);
  return FALSE;
}

static gboolean
parse_status (JsonNode *node, BeaconPresenceStatus *out_status, GError **error)
{
  if (value_type (node) != G_TYPE_STRING)
    return bad_type ("status", node, "a string", error);
  if (!beacon_presence_status_from_string (json_node_get_string (node), out_status))
    {
      g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_STATUS,
                           "\"status\" is not a known status");
      return FALSE;
    }
  return TRUE;
}

/* A nullable string of at most @max_chars characters (if > 0) or @max_bytes bytes. */
static gboolean
parse_optional_string (
    const char *field, JsonNode *node, gsize max_chars, gsize max_bytes, char **out, GError **error)
{
  const char *str;
  gsize       len;

  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (value_type (node) != G_TYPE_STRING)
    return bad_type (field, node, "a string or null", error);

  str = json_node_get_string (node);
  len = strlen (str);
  if (!g_utf8_validate_len (str, len, NULL))
    {
      g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_VALUE,
                   "\"%s\" is not valid UTF-8", field);
      return FALSE;
    }
  if ((max_bytes > 0 && len > max_bytes) ||
      (max_chars > 0 && (gsize) g_utf8_strlen (str, len) > max_chars))
    {
      g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_TOO_LONG,
                   "\"%s\" is longer than %" G_GSIZE_FORMAT " %s", field,
                   max_chars > 0 ? max_chars : max_bytes, max_chars > 0 ? "characters" : "bytes");
      return FALSE;
    }
  *out = g_strdup (str);
  return TRUE;
}

static gboolean
parse_version (JsonNode *node, gint64 *out_version, GError **error)
{
  switch (value_type (node))
    {
    case G_TYPE_INT64:
      if (json_node_get_int (node) >= 0)
        {
          *out_version = json_node_get_int (node);
          return TRUE;
        }
      break;

    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        if (isfinite (d) && !signbit (d) && d == floor (d) && d <= MAX_SAFE_INTEGER)
          {
            *out_version = (gint64) d;
            return TRUE;
          }
      }
      break;

    default: return bad_type ("version", node, "a number", error);
    }

  g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_VALUE,
                       "\"version\" is not a non-negative integer");
  return FALSE;
}

/**
 * beacon_presence_record_parse:
 * @node: a JSON object
 * @viewer_id: (nullable): the id of the signed-in user reading it, to resolve
 *   `chattingWith`
 * @error: where the reason for refusing it goes, in %BEACON_PRESENCE_ERROR
 *
 * Reads any one presence record of PROTOCOL.md:
 * - the canonical record of section 3 (`user_id`, `status`, `last_seen`, `last_active`,
 *   `chatting_with_me`, `custom_message`, `role`, `version`), whole or in part
 *   (`presence_updated` and `presence_info` entries with only `user_id`, `status` and
 *   `last_seen`);
 * - `friend_status_changed`, `{"user_id","status","timestamp"}`: the timestamp is
 *   `last_seen` when the status is offline and `last_active` otherwise (unless that
 *   field is given too);
 * - the entries of `onlineUsers`, `{"userId","role","status","lastActive","chattingWith",
 *   "socketId"}`, where a missing status means online, and `chatting_with_me` is TRUE
 *   only when `chattingWith` is @viewer_id (a third party or null gives FALSE).
 *
 * When both spellings of a field are given, the snake_case one is used and the other
 * ignored. Ids may be JSON numbers (non-negative integers, kept as decimal strings);
 * statuses may be any name beacon_presence_status_from_string() knows; timestamps may be
 * ISO-8601 strings with a zone or epoch milliseconds; `last_seen`, `last_active`,
 * `timestamp`, `custom_message`, `role` and `chattingWith` may be null. Unknown members
 * are ignored; a known member of the wrong type is an error.
 *
 * Returns: (transfer full): the record, with @fields saying which fields were given, or
 *   %NULL with @error set
 */
BeaconPresenceRecord *
beacon_presence_record_parse (JsonNode *node, const char *viewer_id, GError **error)
{
  g_autoptr (BeaconPresenceRecord) record = NULL;
  g_autofree char                 *id = NULL;
  JsonObject                      *object;
  JsonNode                        *member;
  JsonNode                        *timestamp;
  gboolean                         camel;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      bad_type ("presence record", node, "an object", error);
      return NULL;
    }
  object = json_node_get_object (node);

  if ((member = json_object_get_member (object, "user_id")))
    camel = FALSE;
  else if ((member = json_object_get_member (object, "userId")))
    camel = TRUE;
  else
    {
      g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_MISSING_FIELD,
                           "Presence record has no \"user_id\"");
      return NULL;
    }
  if (!(id = parse_id (camel ? "userId" : "user_id", member, error)))
    return NULL;

  record = g_new0 (BeaconPresenceRecord, 1);
  record->user_id = g_steal_pointer (&id);
  record->last_seen_ms = -1;
  record->last_active_ms = -1;
  record->version = -1;

  if ((member = json_object_get_member (object, "status")))
    {
      if (!parse_status (member, &record->status, error))
        return NULL;
    }
  else if (camel)
    record->status = BEACON_PRESENCE_ONLINE; /* listed among the online users */
  else
    {
      g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_MISSING_FIELD,
                           "Presence record has no \"status\"");
      return NULL;
    }
  record->fields |= BEACON_PRESENCE_HAS_STATUS;

  if ((member = json_object_get_member (object, "last_seen")))
    {
      if (!parse_timestamp ("last_seen", member, &record->last_seen_ms, error))
        return NULL;
      record->fields |= BEACON_PRESENCE_HAS_LAST_SEEN;
    }

  if ((member = json_object_get_member (object, "last_active")) ||
      (member = json_object_get_member (object, "lastActive")))
    {
      if (!parse_timestamp ("last_active", member, &record->last_active_ms, error))
        return NULL;
      record->fields |= BEACON_PRESENCE_HAS_LAST_ACTIVE;
    }

  if ((timestamp = json_object_get_member (object, "timestamp")))
    {
      gint64 ms;

      if (!parse_timestamp ("timestamp", timestamp, &ms, error))
        return NULL;
      if (record->status == BEACON_PRESENCE_OFFLINE)
        {
          if (!(record->fields & BEACON_PRESENCE_HAS_LAST_SEEN))
            {
              record->last_seen_ms = ms;
              record->fields |= BEACON_PRESENCE_HAS_LAST_SEEN;
            }
        }
      else if (!(record->fields & BEACON_PRESENCE_HAS_LAST_ACTIVE))
        {
          record->last_active_ms = ms;
          record->fields |= BEACON_PRESENCE_HAS_LAST_ACTIVE;
        }
    }

  if ((member = json_object_get_member (object, "chatting_with_me")))
    {
      if (value_type (member) != G_TYPE_BOOLEAN)
        {
          bad_type ("chatting_with_me", member, "a boolean", error);
          return NULL;
        }
      record->chatting_with_me = json_node_get_boolean (member);
      record->fields |= BEACON_PRESENCE_HAS_CHATTING;
    }
  else if ((member = json_object_get_member (object, "chattingWith")))
    {
      if (!JSON_NODE_HOLDS_NULL (member))
        {
          g_autofree char *partner = parse_id ("chattingWith", member, error);

          if (partner == NULL)
            return NULL;
          /* Whom else this user chats with is never kept, only whether it is the viewer. */
          record->chatting_with_me = viewer_id != NULL && strcmp (partner, viewer_id) == 0;
        }
      record->fields |= BEACON_PRESENCE_HAS_CHATTING;
    }

  if ((member = json_object_get_member (object, "custom_message")))
    {
      if (!parse_optional_string ("custom_message", member, BEACON_PRESENCE_MAX_CUSTOM_MESSAGE, 0,
                                  &record->custom_message, error))
        return NULL;
      record->fields |= BEACON_PRESENCE_HAS_CUSTOM_MESSAGE;
    }

  if ((member = json_object_get_member (object, "role")))
    {
      if (!parse_optional_string ("role", member, 0, BEACON_PRESENCE_MAX_ROLE_LENGTH, &record->role,
                                  error))
        return NULL;
      record->fields |= BEACON_PRESENCE_HAS_ROLE;
    }

  if ((member = json_object_get_member (object, "version")))
    {
      if (!parse_version (member, &record->version, error))
        return NULL;
      record->fields |= BEACON_PRESENCE_HAS_VERSION;
    }

  return g_steal_pointer (&record);
}

/**
 * beacon_presence_record_parse_list:
 * @array_node: a JSON array of records (such as the payload of `presence_info`)
 * @viewer_id: (nullable): the signed-in user's id
 * @error: where the first bad entry is reported, its index in the message
 *
 * Reads every entry with beacon_presence_record_parse(). The whole list is refused when
 * one entry is bad or when it has more than %BEACON_PRESENCE_MAX_ENTRIES entries.
 * Entries for the same user are all kept, in order.
 *
 * Returns: (transfer full) (element-type BeaconPresenceRecord): the records, or %NULL
 *   with @error set
 */
GPtrArray *
beacon_presence_record_parse_list (JsonNode *array_node, const char *viewer_id, GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  JsonArray            *array;
  guint                 n;

  g_return_val_if_fail (array_node != NULL, NULL);

  if (!JSON_NODE_HOLDS_ARRAY (array_node))
    {
      bad_type ("presence list", array_node, "an array", error);
      return NULL;
    }
  array = json_node_get_array (array_node);
  n = json_array_get_length (array);
  if (n > BEACON_PRESENCE_MAX_ENTRIES)
    {
      g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_TOO_MANY,
                   "Presence list has more than %d entries", BEACON_PRESENCE_MAX_ENTRIES);
      return NULL;
    }

  records = g_ptr_array_new_full (n, (GDestroyNotify) beacon_presence_record_free);
  for (guint i = 0; i < n; i++)
    {
      BeaconPresenceRecord *record;

      if (!(record =
                beacon_presence_record_parse (json_array_get_element (array, i), viewer_id, error)))
        {
          g_prefix_error (error, "Entry %u: ", i);
          return NULL;
        }
      g_ptr_array_add (records, record);
    }
  return g_steal_pointer (&records);
}

static int
status_rank (BeaconPresenceStatus status)
{
  switch (status)
    {
    case BEACON_PRESENCE_ONLINE: return 2;
    case BEACON_PRESENCE_AWAY:
    case BEACON_PRESENCE_BUSY: return 1;
    case BEACON_PRESENCE_OFFLINE:
    default: return 0;
    }
}

/* Folds one more device's entry of the same user into @into: the user chats with the
 * viewer if any device does, is online if any device is, was active when the most
 * recently active device was. */
static void
merge_device_entry (BeaconPresenceRecord *into, const BeaconPresenceRecord *from)
{
  if (status_rank (from->status) > status_rank (into->status))
    into->status = from->status;
  into->chatting_with_me = into->chatting_with_me || from->chatting_with_me;
  into->last_seen_ms = MAX (into->last_seen_ms, from->last_seen_ms);
  into->last_active_ms = MAX (into->last_active_ms, from->last_active_ms);
  into->version = MAX (into->version, from->version);
  if (into->custom_message == NULL)
    into->custom_message = g_strdup (from->custom_message);
  if (into->role == NULL)
    into->role = g_strdup (from->role);
  into->fields |= from->fields;
}

/**
 * beacon_presence_parse_snapshot:
 * @payload: the payload of `presence:connected` or `presence:update` on namespace `/`,
 *   `{"userId"?: ME, "onlineUsers": [entry, ...]}`
 * @viewer_id: (nullable): the signed-in user's id; when %NULL, the payload's `userId`
 *   is used to resolve `chattingWith`
 * @out_me: (out) (optional) (nullable) (transfer full): the payload's `userId`, or %NULL
 *   when it has none
 * @out_records: (out) (optional) (transfer full) (element-type BeaconPresenceRecord):
 *   the online users, one record per user in order of first appearance
 * @error: where the reason for refusing the payload goes
 *
 * Reads a full snapshot of the online set (users missing from it are offline). Servers
 * that list one entry per socket give a user with several devices several entries; they
 * are folded into one record that chats with the viewer if any device does, has the
 * most available status and the latest `last_active` of them.
 *
 * Returns: %TRUE on success
 */
gboolean
beacon_presence_parse_snapshot (JsonNode   *payload,
                                const char *viewer_id,
                                char      **out_me,
                                GPtrArray **out_records,
                                GError    **error)
{
  g_autofree char       *me = NULL;
  g_autoptr (GPtrArray)  entries = NULL;
  g_autoptr (GPtrArray)  records = NULL;
  g_autoptr (GHashTable) seen = NULL;
  JsonObject            *object;
  JsonNode              *member;

  g_return_val_if_fail (payload != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (payload))
    return bad_type ("snapshot", payload, "an object", error);
  object = json_node_get_object (payload);

  if ((member = json_object_get_member (object, "userId")) &&
      !(me = parse_id ("userId", member, error)))
    return FALSE;

  if (!(member = json_object_get_member (object, "onlineUsers")))
    {
      g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_MISSING_FIELD,
                           "Snapshot has no \"onlineUsers\"");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (member))
    return bad_type ("onlineUsers", member, "an array", error);
  if (!(entries = beacon_presence_record_parse_list (member, viewer_id ? viewer_id : me, error)))
    {
      g_prefix_error (error, "onlineUsers: ");
      return FALSE;
    }

  records = g_ptr_array_new_full (entries->len, (GDestroyNotify) beacon_presence_record_free);
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < entries->len; i++)
    {
      BeaconPresenceRecord *entry = g_ptr_array_index (entries, i);
      gpointer              index;

      if (g_hash_table_lookup_extended (seen, entry->user_id, NULL, &index))
        merge_device_entry (g_ptr_array_index (records, GPOINTER_TO_UINT (index)), entry);
      else
        {
          /* Moved, not copied: the folded duplicates stay behind and go with @entries. */
          g_hash_table_insert (seen, entry->user_id, GUINT_TO_POINTER (records->len));
          g_ptr_array_add (records, g_steal_pointer (&entries->pdata[i]));
        }
    }

  if (out_me)
    *out_me = g_steal_pointer (&me);
  if (out_records)
    *out_records = g_steal_pointer (&records);
  return TRUE;
}

/**
 * beacon_presence_parse_hydration:
 * @body: the body of `GET /api/friends/online-status`,
 *   `{"success":true,"data":{"statuses":{ID:bool,...},"presence":[record,...]}}`, where
 *   `success` and `presence` may be missing (or `presence` null)
 * @viewer_id: (nullable): the signed-in user's id
 * @out_online: (out) (optional) (transfer full): a table from user id (a string) to
 *   whether the user is online, as GINT_TO_POINTER (TRUE or FALSE); since FALSE is
 *   %NULL, use g_hash_table_lookup_extended() or g_hash_table_contains() to tell an
 *   offline user from an unknown one
 * @out_records: (out) (optional) (transfer full) (element-type BeaconPresenceRecord):
 *   the records of `presence`, empty when there is none
 * @error: where the reason for refusing the body goes
 *
 * Returns: %TRUE on success
 */
gboolean
beacon_presence_parse_hydration (JsonNode    *body,
                                 const char  *viewer_id,
                                 GHashTable **out_online,
                                 GPtrArray  **out_records,
                                 GError     **error)
{
  g_autoptr (GHashTable) online = NULL;
  g_autoptr (GPtrArray)  records = NULL;
  JsonObject            *object;
  JsonObject            *data;
  JsonObject            *statuses;
  JsonNode              *member;
  JsonObjectIter         iter;
  const char            *id;

  g_return_val_if_fail (body != NULL, FALSE);

  if (!JSON_NODE_HOLDS_OBJECT (body))
    return bad_type ("online-status body", body, "an object", error);
  object = json_node_get_object (body);

  if ((member = json_object_get_member (object, "success")))
    {
      if (value_type (member) != G_TYPE_BOOLEAN)
        return bad_type ("success", member, "a boolean", error);
      if (!json_node_get_boolean (member))
        {
          g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_BAD_VALUE,
                               "Online-status body says \"success\":false");
          return FALSE;
        }
    }

  if (!(member = json_object_get_member (object, "data")))
    {
      g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_MISSING_FIELD,
                           "Online-status body has no \"data\"");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (member))
    return bad_type ("data", member, "an object", error);
  data = json_node_get_object (member);

  if (!(member = json_object_get_member (data, "statuses")))
    {
      g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_MISSING_FIELD,
                           "Online-status body has no \"statuses\"");
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (member))
    return bad_type ("statuses", member, "an object", error);
  statuses = json_node_get_object (member);
  if (json_object_get_size (statuses) > BEACON_PRESENCE_MAX_ENTRIES)
    {
      g_set_error (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_TOO_MANY,
                   "\"statuses\" has more than %d entries", BEACON_PRESENCE_MAX_ENTRIES);
      return FALSE;
    }

  online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  json_object_iter_init (&iter, statuses);
  while (json_object_iter_next (&iter, &id, &member))
    {
      if (!check_id_string ("statuses", id, error))
        return FALSE;
      if (value_type (member) != G_TYPE_BOOLEAN)
        return bad_type ("statuses", member, "a boolean", error);
      g_hash_table_insert (online, g_strdup (id),
                           GINT_TO_POINTER (json_node_get_boolean (member) ? TRUE : FALSE));
    }

  member = json_object_get_member (data, "presence");
  if (member == NULL || JSON_NODE_HOLDS_NULL (member))
    records = g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_presence_record_free);
  else if (!(records = beacon_presence_record_parse_list (member, viewer_id, error)))
    {
      g_prefix_error (error, "presence: ");
      return FALSE;
    }

  if (out_online)
    *out_online = g_steal_pointer (&online);
  if (out_records)
    *out_records = g_steal_pointer (&records);
  return TRUE;
}

/**
 * beacon_presence_parse_id:
 * @field: the member's name, for the error message
 * @node: the member's value
 * @error: return location for a #BEACON_PRESENCE_ERROR
 *
 * Reads any id (of a user, a conversation, a message) as the records read user ids: a
 * string, or a JSON number that is a non-negative integer, kept as its decimal string.
 *
 * Returns: (transfer full) (nullable): the id, %NULL on error
 */
char *
beacon_presence_parse_id (const char *field, JsonNode *node, GError **error)
{
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (node != NULL, NULL);

  return parse_id (field, node, error);
}

/**
 * beacon_presence_parse_timestamp:
 * @field: the member's name, for the error message
 * @node: the member's value
 * @out_ms: (out): epoch milliseconds, -1 for null
 * @error: return location for a #BEACON_PRESENCE_ERROR
 *
 * Reads a timestamp as the records do: null, an ISO-8601 string with a zone, or epoch
 * milliseconds, within years 1970 to 9999.
 *
 * Returns: %TRUE when @node is such a timestamp
 */
gboolean
beacon_presence_parse_timestamp (const char *field, JsonNode *node, gint64 *out_ms, GError **error)
{
  g_return_val_if_fail (field != NULL, FALSE);
  g_return_val_if_fail (node != NULL, FALSE);
  g_return_val_if_fail (out_ms != NULL, FALSE);

  return parse_timestamp (field, node, out_ms, error);
}

/* Writing */

/**
 * beacon_presence_format_timestamp:
 * @ms: milliseconds since the Unix epoch
 *
 * Returns: (transfer full) (nullable): @ms in UTC as `2026-11-23T10:00:00Z`, with
 *   `.mmm` before the Z only when the milliseconds are not zero; %NULL when @ms is
 *   outside 0..%BEACON_PRESENCE_MAX_TIMESTAMP_MS
 */
char *
beacon_presence_format_timestamp (gint64 ms)
{
  g_autoptr (GDateTime) dt = NULL;
  g_autofree char      *seconds = NULL;

  if (ms < 0 || ms > BEACON_PRESENCE_MAX_TIMESTAMP_MS)
    return NULL;

  dt = g_date_time_new_from_unix_utc (ms / 1000);
  seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  if (ms % 1000 != 0)
    return g_strdup_printf ("%s.%03dZ", seconds, (int) (ms % 1000));
  return g_strdup_printf ("%sZ", seconds);
}

/**
 * beacon_presence_date_time_from_ms:
 * @ms: milliseconds since the Unix epoch, as the records hold them
 *
 * Returns: (transfer full) (nullable): that instant in UTC, to the millisecond; %NULL for
 *   a negative @ms (a record's "unknown")
 */
GDateTime *
beacon_presence_date_time_from_ms (gint64 ms)
{
  g_autoptr (GDateTime) seconds = NULL;

  if (ms < 0)
    return NULL;
  seconds = g_date_time_new_from_unix_utc (ms / 1000);
  if (seconds == NULL)
    return NULL;
  return g_date_time_add (seconds, (ms % 1000) * G_TIME_SPAN_MILLISECOND);
}

static void
set_timestamp_member (JsonObject *object, const char *name, gint64 ms)
{
  g_autofree char *text = beacon_presence_format_timestamp (ms);

  if (text == NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_string_member (object, name, text);
}

static void
set_nullable_string_member (JsonObject *object, const char *name, const char *value)
{
  if (value == NULL)
    json_object_set_null_member (object, name);
  else
    json_object_set_string_member (object, name, value);
}

/**
 * beacon_presence_record_to_json:
 * @record: a record
 *
 * Writes the canonical record of PROTOCOL.md section 3, members in this order:
 * `user_id`, `status`, `last_seen`, `last_active`, `chatting_with_me`,
 * `custom_message`, `role`, then `version` when it is known (it is left out otherwise).
 * Unknown timestamps, message and role are null; timestamps are UTC ISO-8601.
 *
 * Returns: (transfer full): a JSON object
 */
JsonNode *
beacon_presence_record_to_json (const BeaconPresenceRecord *record)
{
  g_autoptr (JsonObject) object = NULL;

  g_return_val_if_fail (record != NULL, NULL);

  object = json_object_new ();
  json_object_set_string_member (object, "user_id", record->user_id);
  json_object_set_string_member (object, "status",
                                 beacon_presence_status_to_string (record->status));
  set_timestamp_member (object, "last_seen", record->last_seen_ms);
  set_timestamp_member (object, "last_active", record->last_active_ms);
  json_object_set_boolean_member (object, "chatting_with_me", record->chatting_with_me);
  set_nullable_string_member (object, "custom_message", record->custom_message);
  set_nullable_string_member (object, "role", record->role);
  if (record->version >= 0)
    json_object_set_int_member (object, "version", record->version);

  return json_node_init_object (json_node_alloc (), object);
}

/**
 * beacon_presence_record_to_string:
 * @record: a record
 *
 * Returns: (transfer full): beacon_presence_record_to_json() as compact JSON text
 */
char *
beacon_presence_record_to_string (const BeaconPresenceRecord *record)
{
  g_autoptr (JsonNode) node = NULL;

  g_return_val_if_fail (record != NULL, NULL);

  node = beacon_presence_record_to_json (record);
  return beacon_json_to_string (node);
}
