/* beacon-conversation.c: BeaconConversation: read strictly from `GET /api/conversations`
 * entries, merged field by field with a notification only for what changed. */

#include "config.h"

#include "beacon-conversation.h"

struct _BeaconConversation
{
  GObject parent_instance;

  char              *id;
  char              *self_user_id;
  char              *partner_id;
  char              *partner_name;
  char              *partner_role;
  char              *last_message;
  GDateTime         *last_activity;
  guint              unread_count;
  BeaconMessageList *messages; /* made on first use */

  /* Which optional members the JSON it was read from had (the answer of
   * `POST /api/conversations` has neither). */
  gboolean has_last_message;
  gboolean has_unread_count;
};

G_DEFINE_FINAL_TYPE (BeaconConversation, beacon_conversation, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_PARTNER_ID,
  PROP_PARTNER_NAME,
  PROP_PARTNER_ROLE,
  PROP_LAST_MESSAGE,
  PROP_LAST_ACTIVITY,
  PROP_UNREAD_COUNT,
  PROP_MESSAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Parsing */

static gboolean
fail (GError **error, const char *message)
{
  g_set_error_literal (error, BEACON_MESSAGE_ERROR, BEACON_MESSAGE_ERROR_INVALID, message);
  return FALSE;
}

/* An optional string member: absent and null give NULL. */
static gboolean
parse_optional_string (JsonObject *object, const char *name, char **out, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, BEACON_MESSAGE_ERROR, BEACON_MESSAGE_ERROR_INVALID,
                   "\"%s\" must be a string", name);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
parse_partner (BeaconConversation *self, JsonObject *object, GError **error)
{
  JsonNode   *node = json_object_get_member (object, "partner");
  JsonObject *partner;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, "\"partner\" must be an object");
  partner = json_node_get_object (node);
  return (self->partner_id = beacon_message_parse_id_member (partner, "id", error)) &&
         parse_optional_string (partner, "name", &self->partner_name, error) &&
         parse_optional_string (partner, "role", &self->partner_role, error);
}

static gboolean
parse_last_message (BeaconConversation *self, JsonObject *object, GError **error)
{
  JsonNode                 *node = json_object_get_member (object, "last_message");
  g_autoptr (BeaconMessage) message = NULL;

  if (node == NULL)
    return TRUE;
  self->has_last_message = TRUE;
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, "\"last_message\" must be a message or null");
  if (!(message =
            beacon_message_new_from_json (json_node_get_object (node), self->self_user_id, error)))
    return FALSE;
  self->last_message = g_strdup (beacon_message_get_content (message));
  self->last_activity = g_date_time_ref (beacon_message_get_created_at (message));
  return TRUE;
}

static gboolean
parse_unread_count (BeaconConversation *self, JsonObject *object, GError **error)
{
  JsonNode *node = json_object_get_member (object, "unread_count");
  gint64    count;

  if (node == NULL)
    return TRUE;
  if (json_node_get_value_type (node) != G_TYPE_INT64 || (count = json_node_get_int (node)) < 0 ||
      count > G_MAXUINT)
    return fail (error, "\"unread_count\" must be a non-negative integer");
  self->unread_count = (guint) count;
  self->has_unread_count = TRUE;
  return TRUE;
}

/**
 * beacon_conversation_new_from_json:
 * @conversation: an entry of `GET /api/conversations`, or the answer of `POST`
 * @self_user_id: (nullable): the signed-in user
 * @error: return location for a #BEACON_MESSAGE_ERROR
 *
 * Reads `{"id","partner":{"id","name","role"},"last_message","unread_count"}`; ids may
 * be numbers, `name` and `role` null, and `last_message` (a Message or null) and
 * `unread_count` absent.
 *
 * Returns: (transfer full) (nullable): the conversation, %NULL when a member is missing
 *   or has the wrong type
 */
BeaconConversation *
beacon_conversation_new_from_json (JsonObject *conversation,
                                   const char *self_user_id,
                                   GError    **error)
{
  g_autoptr (BeaconConversation) self = NULL;

  g_return_val_if_fail (conversation != NULL, NULL);

  self = g_object_new (BEACON_TYPE_CONVERSATION, NULL);
  self->self_user_id = g_strdup (self_user_id);
  if (!(self->id = beacon_message_parse_id_member (conversation, "id", error)) ||
      !parse_partner (self, conversation, error) ||
      !parse_last_message (self, conversation, error) ||
      !parse_unread_count (self, conversation, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * beacon_conversation_new:
 * @id: the conversation's id
 * @partner_id: the other user
 * @self_user_id: (nullable): the signed-in user
 *
 * Returns: (transfer full): a conversation known only by its ids (a message arrived in a
 *   conversation the store had not loaded yet)
 */
BeaconConversation *
beacon_conversation_new (const char *id, const char *partner_id, const char *self_user_id)
{
  BeaconConversation *self;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (partner_id != NULL, NULL);

  self = g_object_new (BEACON_TYPE_CONVERSATION, NULL);
  self->id = g_strdup (id);
  self->partner_id = g_strdup (partner_id);
  self->self_user_id = g_strdup (self_user_id);
  return self;
}

/* Changes */

static void
set_string (BeaconConversation *self, char **field, const char *value, int prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_last (BeaconConversation *self, const char *text, GDateTime *activity)
{
  set_string (self, &self->last_message, text, PROP_LAST_MESSAGE);
  if (self->last_activity == activity ||
      (self->last_activity && activity && g_date_time_equal (self->last_activity, activity)))
    return;
  g_clear_pointer (&self->last_activity, g_date_time_unref);
  self->last_activity = activity ? g_date_time_ref (activity) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ACTIVITY]);
}

/* Whether something that happened at @activity is as new as what we show, or newer. */
static gboolean
is_latest (BeaconConversation *self, GDateTime *activity)
{
  return self->last_activity == NULL || g_date_time_compare (activity, self->last_activity) >= 0;
}

/**
 * beacon_conversation_merge:
 * @self: a #BeaconConversation
 * @from: the same conversation as the server now tells it
 *
 * Takes the partner's name and role, the unread count when @from has one, and the last
 * message when @from has one at least as new as ours (a live message may be newer than
 * the server's answer).
 */
void
beacon_conversation_merge (BeaconConversation *self, BeaconConversation *from)
{
  g_return_if_fail (BEACON_IS_CONVERSATION (self));
  g_return_if_fail (BEACON_IS_CONVERSATION (from));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->partner_name, from->partner_name, PROP_PARTNER_NAME);
  set_string (self, &self->partner_role, from->partner_role, PROP_PARTNER_ROLE);
  if (from->last_activity && is_latest (self, from->last_activity))
    set_last (self, from->last_message, from->last_activity);
  if (from->has_unread_count)
    beacon_conversation_set_unread_count (self, from->unread_count);
  g_object_thaw_notify (G_OBJECT (self));
}

void
beacon_conversation_set_unread_count (BeaconConversation *self, guint unread_count)
{
  g_return_if_fail (BEACON_IS_CONVERSATION (self));

  if (self->unread_count == unread_count)
    return;
  self->unread_count = unread_count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD_COUNT]);
}

/**
 * beacon_conversation_note_message:
 * @self: a #BeaconConversation
 * @message: a message of this conversation
 *
 * Shows @message as the last one unless a newer one is shown.
 *
 * Returns: %TRUE when @message is now the last one
 */
gboolean
beacon_conversation_note_message (BeaconConversation *self, BeaconMessage *message)
{
  GDateTime *created_at;

  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), FALSE);
  g_return_val_if_fail (BEACON_IS_MESSAGE (message), FALSE);

  created_at = beacon_message_get_created_at (message);
  if (!is_latest (self, created_at))
    return FALSE;
  g_object_freeze_notify (G_OBJECT (self));
  set_last (self, beacon_message_get_content (message), created_at);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

/* Accessors */

const char *
beacon_conversation_get_id (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);
  return self->id;
}

const char *
beacon_conversation_get_partner_id (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);
  return self->partner_id;
}

const char *
beacon_conversation_get_partner_name (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);
  return self->partner_name;
}

const char *
beacon_conversation_get_partner_role (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);
  return self->partner_role;
}

/**
 * beacon_conversation_get_last_message:
 * @self: a #BeaconConversation
 *
 * Returns: (nullable): the text of the newest message
 */
const char *
beacon_conversation_get_last_message (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);
  return self->last_message;
}

/**
 * beacon_conversation_get_last_activity:
 * @self: a #BeaconConversation
 *
 * Returns: (transfer none) (nullable): when the newest message was written
 */
GDateTime *
beacon_conversation_get_last_activity (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);
  return self->last_activity;
}

guint
beacon_conversation_get_unread_count (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), 0);
  return self->unread_count;
}

/**
 * beacon_conversation_get_messages:
 * @self: a #BeaconConversation
 *
 * Returns: (transfer none): the conversation's messages, an empty list on first use
 */
BeaconMessageList *
beacon_conversation_get_messages (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);

  if (self->messages == NULL)
    self->messages = beacon_message_list_new (self->id, self->self_user_id);
  return self->messages;
}

/**
 * beacon_conversation_peek_messages:
 * @self: a #BeaconConversation
 *
 * Returns: (transfer none) (nullable): the conversation's messages if the list was made
 */
BeaconMessageList *
beacon_conversation_peek_messages (BeaconConversation *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION (self), NULL);
  return self->messages;
}

/* GObject */

static void
beacon_conversation_finalize (GObject *object)
{
  BeaconConversation *self = BEACON_CONVERSATION (object);

  g_free (self->id);
  g_free (self->self_user_id);
  g_free (self->partner_id);
  g_free (self->partner_name);
  g_free (self->partner_role);
  g_free (self->last_message);
  g_clear_pointer (&self->last_activity, g_date_time_unref);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (beacon_conversation_parent_class)->finalize (object);
}

static void
beacon_conversation_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconConversation *self = BEACON_CONVERSATION (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_PARTNER_ID: g_value_set_string (value, self->partner_id); break;
    case PROP_PARTNER_NAME: g_value_set_string (value, self->partner_name); break;
    case PROP_PARTNER_ROLE: g_value_set_string (value, self->partner_role); break;
    case PROP_LAST_MESSAGE: g_value_set_string (value, self->last_message); break;
    case PROP_LAST_ACTIVITY: g_value_set_boxed (value, self->last_activity); break;
    case PROP_UNREAD_COUNT: g_value_set_uint (value, self->unread_count); break;
    case PROP_MESSAGES: g_value_set_object (value, beacon_conversation_get_messages (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_conversation_class_init (BeaconConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = beacon_conversation_finalize;
  object_class->get_property = beacon_conversation_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_PARTNER_ID] = g_param_spec_string ("partner-id", NULL, NULL, NULL, ro);
  properties[PROP_PARTNER_NAME] = g_param_spec_string ("partner-name", NULL, NULL, NULL, ro);
  properties[PROP_PARTNER_ROLE] = g_param_spec_string ("partner-role", NULL, NULL, NULL, ro);
  properties[PROP_LAST_MESSAGE] = g_param_spec_string ("last-message", NULL, NULL, NULL, ro);
  properties[PROP_LAST_ACTIVITY] =
      g_param_spec_boxed ("last-activity", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_UNREAD_COUNT] =
      g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MESSAGES] =
      g_param_spec_object ("messages", NULL, NULL, BEACON_TYPE_MESSAGE_LIST, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_conversation_init (BeaconConversation *self)
{
}
