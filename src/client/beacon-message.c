/* beacon-message.c: BeaconMessage: a message read strictly from its JSON form, and the
 * merges that move it forward (confirmed, delivered, read) with a notification only for
 * what changed. */

#include "config.h"

#include "beacon-message.h"
#include "beacon-presence-record.h"

struct _BeaconMessage
{
  GObject parent_instance;

  char              *id; /* NULL while pending */
  char              *client_id;
  char              *conversation_id;
  char              *sender_id;
  char              *content;
  GDateTime         *created_at;
  GDateTime         *read_at;
  BeaconMessageState state;
  gboolean           outgoing;
};

G_DEFINE_FINAL_TYPE (BeaconMessage, beacon_message, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (BeaconMessageState,
                    beacon_message_state,
                    G_DEFINE_ENUM_VALUE (BEACON_MESSAGE_PENDING, "pending"),
                    G_DEFINE_ENUM_VALUE (BEACON_MESSAGE_SENT, "sent"),
                    G_DEFINE_ENUM_VALUE (BEACON_MESSAGE_DELIVERED, "delivered"),
                    G_DEFINE_ENUM_VALUE (BEACON_MESSAGE_READ, "read"),
                    G_DEFINE_ENUM_VALUE (BEACON_MESSAGE_FAILED, "failed"))

G_DEFINE_QUARK (beacon - message - error - quark, beacon_message_error)

enum
{
  PROP_0,
  PROP_ID,
  PROP_CLIENT_ID,
  PROP_CONVERSATION_ID,
  PROP_SENDER_ID,
  PROP_CONTENT,
  PROP_CREATED_AT,
  PROP_READ_AT,
  PROP_STATE,
  PROP_OUTGOING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Parsing */

/* Rewrites a parse error of the records' domain into this one. */
static void
invalid (GError **error, GError *cause)
{
  g_set_error (error, BEACON_MESSAGE_ERROR, BEACON_MESSAGE_ERROR_INVALID, "%s", cause->message);
}

/**
 * beacon_message_parse_id_member:
 * @object: a JSON object
 * @member: the name of a member that holds an id
 * @error: return location for a #BEACON_MESSAGE_ERROR
 *
 * Returns: (transfer full) (nullable): the id (a string, or a number as its decimal
 *   string), %NULL when the member is missing or not an id
 */
char *
beacon_message_parse_id_member (JsonObject *object, const char *member, GError **error)
{
  JsonNode          *node;
  g_autoptr (GError) local = NULL;
  char              *id;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  if (!(node = json_object_get_member (object, member)))
    {
      g_set_error (error, BEACON_MESSAGE_ERROR, BEACON_MESSAGE_ERROR_INVALID, "\"%s\" is missing",
                   member);
      return NULL;
    }
  if (!(id = beacon_presence_parse_id (member, node, &local)))
    invalid (error, local);
  return id;
}

/* A timestamp member: *out_ms is -1 when it is null or absent and not required. */
static gboolean
timestamp_member (
    JsonObject *object, const char *name, gboolean required, gint64 *out_ms, GError **error)
{
  JsonNode          *node = json_object_get_member (object, name);
  g_autoptr (GError) local = NULL;

  *out_ms = -1;
  if (node != NULL && !beacon_presence_parse_timestamp (name, node, out_ms, &local))
    {
      invalid (error, local);
      return FALSE;
    }
  if (required && *out_ms < 0)
    {
      g_set_error (error, BEACON_MESSAGE_ERROR, BEACON_MESSAGE_ERROR_INVALID,
                   "\"%s\" must be a time", name);
      return FALSE;
    }
  return TRUE;
}

/**
 * beacon_message_new_from_json:
 * @message: a Message of PROTOCOL.md section 4
 * @self_user_id: (nullable): the signed-in user, to tell our messages from theirs
 * @error: return location for a #BEACON_MESSAGE_ERROR
 *
 * Reads `{"id","conversationId","senderId","content","createdAt","readAt"}` (ids as
 * strings or numbers, times as ISO-8601 or epoch ms, `readAt` null or absent) and an
 * optional `clientMessageId`. Our messages are SENT, or READ when `readAt` is set; the
 * partner's are DELIVERED or READ.
 *
 * Returns: (transfer full) (nullable): the message, %NULL when a member is missing or
 *   has the wrong type
 */
BeaconMessage *
beacon_message_new_from_json (JsonObject *message, const char *self_user_id, GError **error)
{
  g_autoptr (BeaconMessage) self = NULL;
  JsonNode                 *content;
  JsonNode                 *client_id;
  gint64                    created_ms;
  gint64                    read_ms;

  g_return_val_if_fail (message != NULL, NULL);

  self = g_object_new (BEACON_TYPE_MESSAGE, NULL);
  if (!(self->id = beacon_message_parse_id_member (message, "id", error)) ||
      !(self->conversation_id =
            beacon_message_parse_id_member (message, "conversationId", error)) ||
      !(self->sender_id = beacon_message_parse_id_member (message, "senderId", error)))
    return NULL;

  content = json_object_get_member (message, "content");
  if (content == NULL || json_node_get_value_type (content) != G_TYPE_STRING)
    {
      g_set_error_literal (error, BEACON_MESSAGE_ERROR, BEACON_MESSAGE_ERROR_INVALID,
                           "\"content\" must be a string");
      return NULL;
    }
  self->content = g_strdup (json_node_get_string (content));

  if (!timestamp_member (message, "createdAt", TRUE, &created_ms, error) ||
      !timestamp_member (message, "readAt", FALSE, &read_ms, error))
    return NULL;
  self->created_at = beacon_presence_date_time_from_ms (created_ms);
  if (read_ms >= 0)
    self->read_at = beacon_presence_date_time_from_ms (read_ms);

  client_id = json_object_get_member (message, "clientMessageId");
  if (client_id != NULL && !JSON_NODE_HOLDS_NULL (client_id))
    {
      g_autoptr (GError) local = NULL;

      if (!(self->client_id = beacon_presence_parse_id ("clientMessageId", client_id, &local)))
        {
          invalid (error, local);
          return NULL;
        }
    }

  self->outgoing = g_strcmp0 (self->sender_id, self_user_id) == 0;
  if (self->read_at != NULL)
    self->state = BEACON_MESSAGE_READ;
  else
    self->state = self->outgoing ? BEACON_MESSAGE_SENT : BEACON_MESSAGE_DELIVERED;
  return g_steal_pointer (&self);
}

/**
 * beacon_message_new_pending:
 * @conversation_id: the conversation
 * @self_user_id: the signed-in user, its sender
 * @content: the text
 *
 * Returns: (transfer full): our message, PENDING, created now, with a fresh client id
 *   and no id
 */
BeaconMessage *
beacon_message_new_pending (const char *conversation_id,
                            const char *self_user_id,
                            const char *content)
{
  BeaconMessage *self;

  g_return_val_if_fail (conversation_id != NULL, NULL);
  g_return_val_if_fail (content != NULL, NULL);

  self = g_object_new (BEACON_TYPE_MESSAGE, NULL);
  self->client_id = g_uuid_string_random ();
  self->conversation_id = g_strdup (conversation_id);
  self->sender_id = g_strdup (self_user_id);
  self->content = g_strdup (content);
  self->created_at = g_date_time_new_now_utc ();
  self->state = BEACON_MESSAGE_PENDING;
  self->outgoing = TRUE;
  return self;
}

/* Changes */

static void
set_string (BeaconMessage *self, char **field, const char *value, int prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_date_time (BeaconMessage *self, GDateTime **field, GDateTime *value, int prop)
{
  if (*field == value || (*field && value && g_date_time_equal (*field, value)))
    return;
  g_clear_pointer (field, g_date_time_unref);
  *field = value ? g_date_time_ref (value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* How far a state is: a failed message is as far as a pending one, so that a late
 * confirmation still moves it on. */
static int
state_rank (BeaconMessageState state)
{
  switch (state)
    {
    case BEACON_MESSAGE_PENDING:
    case BEACON_MESSAGE_FAILED: return 0;
    case BEACON_MESSAGE_SENT: return 1;
    case BEACON_MESSAGE_DELIVERED: return 2;
    case BEACON_MESSAGE_READ: return 3;
    default: g_return_val_if_reached (0);
    }
}

/**
 * beacon_message_advance:
 * @self: a #BeaconMessage
 * @state: where it got
 *
 * Moves the message forward to @state, never back (a delivered message stays delivered
 * when a late "sent" arrives). READ sets "read-at" to now when it was unknown.
 */
void
beacon_message_advance (BeaconMessage *self, BeaconMessageState state)
{
  g_return_if_fail (BEACON_IS_MESSAGE (self));

  if (state_rank (state) <= state_rank (self->state))
    return;
  g_object_freeze_notify (G_OBJECT (self));
  if (state == BEACON_MESSAGE_READ && self->read_at == NULL)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

      set_date_time (self, &self->read_at, now, PROP_READ_AT);
    }
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * beacon_message_fail:
 * @self: a #BeaconMessage
 *
 * A pending message becomes FAILED; any other is left as it is.
 */
void
beacon_message_fail (BeaconMessage *self)
{
  g_return_if_fail (BEACON_IS_MESSAGE (self));

  if (self->state != BEACON_MESSAGE_PENDING)
    return;
  self->state = BEACON_MESSAGE_FAILED;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/**
 * beacon_message_merge:
 * @self: a #BeaconMessage
 * @from: the same message as the server now tells it
 *
 * Takes the server's id, client id (when @self has none), content, times and state;
 * "read-at" is never cleared and the state never goes back.
 */
void
beacon_message_merge (BeaconMessage *self, BeaconMessage *from)
{
  g_return_if_fail (BEACON_IS_MESSAGE (self));
  g_return_if_fail (BEACON_IS_MESSAGE (from));

  g_object_freeze_notify (G_OBJECT (self));
  if (from->id)
    set_string (self, &self->id, from->id, PROP_ID);
  beacon_message_adopt_client_id (self, from->client_id);
  set_string (self, &self->content, from->content, PROP_CONTENT);
  set_date_time (self, &self->created_at, from->created_at, PROP_CREATED_AT);
  if (from->read_at)
    set_date_time (self, &self->read_at, from->read_at, PROP_READ_AT);
  beacon_message_advance (self, from->state);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * beacon_message_adopt_client_id:
 * @self: a #BeaconMessage
 * @client_id: (nullable): the client id of our pending copy of it
 *
 * A message that has no client id takes @client_id (the server's echo of our message,
 * once its confirmation tells which pending message it was).
 */
void
beacon_message_adopt_client_id (BeaconMessage *self, const char *client_id)
{
  g_return_if_fail (BEACON_IS_MESSAGE (self));

  if (self->client_id == NULL)
    set_string (self, &self->client_id, client_id, PROP_CLIENT_ID);
}

/* Accessors */

const char *
beacon_message_get_id (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), NULL);
  return self->id;
}

const char *
beacon_message_get_client_id (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), NULL);
  return self->client_id;
}

const char *
beacon_message_get_conversation_id (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), NULL);
  return self->conversation_id;
}

const char *
beacon_message_get_sender_id (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), NULL);
  return self->sender_id;
}

const char *
beacon_message_get_content (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), NULL);
  return self->content;
}

/**
 * beacon_message_get_created_at:
 * @self: a #BeaconMessage
 *
 * Returns: (transfer none): when the server stored it (for a pending message: when it
 *   was written)
 */
GDateTime *
beacon_message_get_created_at (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), NULL);
  return self->created_at;
}

/**
 * beacon_message_get_read_at:
 * @self: a #BeaconMessage
 *
 * Returns: (transfer none) (nullable): when the receiver read it
 */
GDateTime *
beacon_message_get_read_at (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), NULL);
  return self->read_at;
}

BeaconMessageState
beacon_message_get_state (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), BEACON_MESSAGE_PENDING);
  return self->state;
}

gboolean
beacon_message_get_outgoing (BeaconMessage *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE (self), FALSE);
  return self->outgoing;
}

/* GObject */

static void
beacon_message_finalize (GObject *object)
{
  BeaconMessage *self = BEACON_MESSAGE (object);

  g_free (self->id);
  g_free (self->client_id);
  g_free (self->conversation_id);
  g_free (self->sender_id);
  g_free (self->content);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->read_at, g_date_time_unref);

  G_OBJECT_CLASS (beacon_message_parent_class)->finalize (object);
}

static void
beacon_message_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconMessage *self = BEACON_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_CLIENT_ID: g_value_set_string (value, self->client_id); break;
    case PROP_CONVERSATION_ID: g_value_set_string (value, self->conversation_id); break;
    case PROP_SENDER_ID: g_value_set_string (value, self->sender_id); break;
    case PROP_CONTENT: g_value_set_string (value, self->content); break;
    case PROP_CREATED_AT: g_value_set_boxed (value, self->created_at); break;
    case PROP_READ_AT: g_value_set_boxed (value, self->read_at); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_OUTGOING: g_value_set_boolean (value, self->outgoing); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_message_class_init (BeaconMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = beacon_message_finalize;
  object_class->get_property = beacon_message_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_CLIENT_ID] = g_param_spec_string ("client-id", NULL, NULL, NULL, ro);
  properties[PROP_CONVERSATION_ID] = g_param_spec_string ("conversation-id", NULL, NULL, NULL, ro);
  properties[PROP_SENDER_ID] = g_param_spec_string ("sender-id", NULL, NULL, NULL, ro);
  properties[PROP_CONTENT] = g_param_spec_string ("content", NULL, NULL, NULL, ro);
  properties[PROP_CREATED_AT] = g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_READ_AT] = g_param_spec_boxed ("read-at", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, BEACON_TYPE_MESSAGE_STATE,
                                              BEACON_MESSAGE_PENDING, ro);
  properties[PROP_OUTGOING] = g_param_spec_boolean ("outgoing", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_message_init (BeaconMessage *self)
{
}
