/* beacon-conversation-store.c: BeaconConversationStore: an array in display order (the
 * server's, then a conversation with a new message moves to the top), id and partner
 * tables, and the total of the unread counts kept as they change. */

#include "config.h"

#include "beacon-conversation-store.h"

struct _BeaconConversationStore
{
  GObject parent_instance;

  char       *self_user_id;
  char       *focused_id;    /* the conversation shown in a focused window, or NULL */
  GPtrArray  *conversations; /* BeaconConversation, newest activity first */
  GHashTable *by_id;         /* id (the conversation's own string) -> BeaconConversation */
  GHashTable *by_partner;    /* partner id (the conversation's own string) -> same */
  guint       total_unread;
};

static void beacon_conversation_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BeaconConversationStore,
                               beacon_conversation_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      beacon_conversation_store_list_model_init))

enum
{
  PROP_0,
  PROP_SELF_USER_ID,
  PROP_FOCUSED,
  PROP_TOTAL_UNREAD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GListModel */

static GType
beacon_conversation_store_get_item_type (GListModel *model)
{
  return BEACON_TYPE_CONVERSATION;
}

static guint
beacon_conversation_store_get_n_items (GListModel *model)
{
  return BEACON_CONVERSATION_STORE (model)->conversations->len;
}

static gpointer
beacon_conversation_store_get_item (GListModel *model, guint position)
{
  BeaconConversationStore *self = BEACON_CONVERSATION_STORE (model);

  if (position >= self->conversations->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->conversations, position));
}

static void
beacon_conversation_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = beacon_conversation_store_get_item_type;
  iface->get_n_items = beacon_conversation_store_get_n_items;
  iface->get_item = beacon_conversation_store_get_item;
}

/* Internals */

static void
set_total_unread (BeaconConversationStore *self, guint total)
{
  if (self->total_unread == total)
    return;
  self->total_unread = total;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_UNREAD]);
}

static void
set_unread (BeaconConversationStore *self, BeaconConversation *conversation, guint unread)
{
  guint old = beacon_conversation_get_unread_count (conversation);

  beacon_conversation_set_unread_count (conversation, unread);
  set_total_unread (self, self->total_unread - old + unread);
}

static void
merge (BeaconConversationStore *self, BeaconConversation *conversation, BeaconConversation *from)
{
  guint old = beacon_conversation_get_unread_count (conversation);

  beacon_conversation_merge (conversation, from);
  set_total_unread (self,
                    self->total_unread - old + beacon_conversation_get_unread_count (conversation));
}

static void
index_conversation (BeaconConversationStore *self, BeaconConversation *conversation)
{
  g_hash_table_insert (self->by_id, (gpointer) beacon_conversation_get_id (conversation),
                       conversation);
  g_hash_table_insert (self->by_partner,
                       (gpointer) beacon_conversation_get_partner_id (conversation), conversation);
}

/* Puts a new conversation at the top. */
static BeaconConversation *
insert_first (BeaconConversationStore *self, BeaconConversation *conversation)
{
  index_conversation (self, conversation);
  g_ptr_array_insert (self->conversations, 0, conversation);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
  set_total_unread (self, self->total_unread + beacon_conversation_get_unread_count (conversation));
  return conversation;
}

static void
move_first (BeaconConversationStore *self, BeaconConversation *conversation)
{
  guint position;

  if (!g_ptr_array_find (self->conversations, conversation, &position) || position == 0)
    return;
  g_ptr_array_steal_index (self->conversations, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_ptr_array_insert (self->conversations, 0, conversation);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, 1);
}

/* The payload's `conversationId`, or NULL (logged). */
static char *
conversation_id_of (JsonObject *payload)
{
  g_autoptr (GError) error = NULL;
  char              *id = beacon_message_parse_id_member (payload, "conversationId", &error);

  if (id == NULL)
    g_debug ("ignoring a message event: %s", error->message);
  return id;
}

static BeaconConversation *
conversation_of (BeaconConversationStore *self, JsonObject *payload)
{
  g_autofree char    *id = conversation_id_of (payload);
  BeaconConversation *conversation;

  if (id == NULL)
    return NULL;
  if (!(conversation = g_hash_table_lookup (self->by_id, id)))
    g_debug ("ignoring a message event of unknown conversation %s", id);
  return conversation;
}

static JsonObject *
message_of (JsonObject *payload)
{
  JsonNode *node = json_object_get_member (payload, "message");

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_debug ("ignoring a message event without a message object");
      return NULL;
    }
  return json_node_get_object (node);
}

/* The message is shown as the last one, and its conversation goes to the top. */
static void
note_message (BeaconConversationStore *self,
              BeaconConversation      *conversation,
              BeaconMessage           *message)
{
  if (beacon_conversation_note_message (conversation, message))
    move_first (self, conversation);
}

/* API */

/**
 * beacon_conversation_store_new:
 * @self_user_id: (nullable): the signed-in user
 *
 * Returns: (transfer full): an empty store
 */
BeaconConversationStore *
beacon_conversation_store_new (const char *self_user_id)
{
  return g_object_new (BEACON_TYPE_CONVERSATION_STORE, "self-user-id", self_user_id, NULL);
}

const char *
beacon_conversation_store_get_self_user_id (BeaconConversationStore *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), NULL);
  return self->self_user_id;
}

/**
 * beacon_conversation_store_set_self_user_id:
 * @self: a #BeaconConversationStore
 * @id: (nullable): the signed-in user
 *
 * Another user than the one before empties the store: nothing of theirs is ours.
 */
void
beacon_conversation_store_set_self_user_id (BeaconConversationStore *self, const char *id)
{
  g_return_if_fail (BEACON_IS_CONVERSATION_STORE (self));

  if (g_strcmp0 (self->self_user_id, id) == 0)
    return;
  if (self->self_user_id != NULL)
    beacon_conversation_store_clear (self);
  g_free (self->self_user_id);
  self->self_user_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELF_USER_ID]);
}

/**
 * beacon_conversation_store_load:
 * @self: a #BeaconConversationStore
 * @conversations: the answer of `GET /api/conversations`
 *
 * The store becomes the server's list, in its order. Conversations already known stay
 * the same objects, merged; those the server no longer lists go; invalid entries are
 * skipped. The change is one items-changed covering only the range that differs.
 */
void
beacon_conversation_store_load (BeaconConversationStore *self, JsonArray *conversations)
{
  g_autoptr (GPtrArray)  loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray)  old = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint                  length;
  guint                  prefix = 0;
  guint                  suffix = 0;
  guint                  total = 0;

  g_return_if_fail (BEACON_IS_CONVERSATION_STORE (self));
  g_return_if_fail (conversations != NULL);

  length = json_array_get_length (conversations);
  for (guint i = 0; i < length; i++)
    {
      JsonNode                      *node = json_array_get_element (conversations, i);
      g_autoptr (BeaconConversation) parsed = NULL;
      g_autoptr (GError)             error = NULL;
      BeaconConversation            *known;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_debug ("ignoring a conversation that is not an object");
          continue;
        }
      if (!(parsed = beacon_conversation_new_from_json (json_node_get_object (node),
                                                        self->self_user_id, &error)))
        {
          g_debug ("ignoring a conversation: %s", error->message);
          continue;
        }
      if (!g_hash_table_add (seen, (gpointer) beacon_conversation_get_id (parsed)))
        continue;
      if ((known = g_hash_table_lookup (self->by_id, beacon_conversation_get_id (parsed))))
        {
          beacon_conversation_merge (known, parsed);
          g_ptr_array_add (loaded, g_object_ref (known));
        }
      else
        g_ptr_array_add (loaded, g_steal_pointer (&parsed));
    }

  old = g_steal_pointer (&self->conversations);
  self->conversations = g_steal_pointer (&loaded);
  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->by_partner);
  for (guint i = 0; i < self->conversations->len; i++)
    {
      BeaconConversation *conversation = g_ptr_array_index (self->conversations, i);

      index_conversation (self, conversation);
      total += beacon_conversation_get_unread_count (conversation);
    }

  while (prefix < old->len && prefix < self->conversations->len &&
         old->pdata[prefix] == self->conversations->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < self->conversations->len - prefix &&
         old->pdata[old->len - 1 - suffix] ==
             self->conversations->pdata[self->conversations->len - 1 - suffix])
    suffix++;
  if (prefix + suffix < MAX (old->len, self->conversations->len))
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old->len - prefix - suffix,
                                self->conversations->len - prefix - suffix);
  set_total_unread (self, total);
}

/**
 * beacon_conversation_store_add:
 * @self: a #BeaconConversationStore
 * @conversation: the answer of `POST /api/conversations`
 *
 * A new conversation goes to the top; a known one is merged where it is.
 *
 * Returns: (transfer none) (nullable): the conversation in the store, %NULL when
 *   @conversation is invalid
 */
BeaconConversation *
beacon_conversation_store_add (BeaconConversationStore *self, JsonObject *conversation)
{
  g_autoptr (BeaconConversation) parsed = NULL;
  g_autoptr (GError)             error = NULL;
  BeaconConversation            *known;

  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), NULL);
  g_return_val_if_fail (conversation != NULL, NULL);

  if (!(parsed = beacon_conversation_new_from_json (conversation, self->self_user_id, &error)))
    {
      g_debug ("ignoring a conversation: %s", error->message);
      return NULL;
    }
  if ((known = g_hash_table_lookup (self->by_id, beacon_conversation_get_id (parsed))))
    {
      merge (self, known, parsed);
      return known;
    }
  return insert_first (self, g_steal_pointer (&parsed));
}

/**
 * beacon_conversation_store_lookup:
 * @self: a #BeaconConversationStore
 * @id: a conversation id
 *
 * Returns: (transfer none) (nullable): the conversation
 */
BeaconConversation *
beacon_conversation_store_lookup (BeaconConversationStore *self, const char *id)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, id);
}

/**
 * beacon_conversation_store_lookup_partner:
 * @self: a #BeaconConversationStore
 * @partner_id: a user id
 *
 * Returns: (transfer none) (nullable): the conversation with that user
 */
BeaconConversation *
beacon_conversation_store_lookup_partner (BeaconConversationStore *self, const char *partner_id)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), NULL);
  g_return_val_if_fail (partner_id != NULL, NULL);

  return g_hash_table_lookup (self->by_partner, partner_id);
}

/**
 * beacon_conversation_store_apply_new_message:
 * @self: a #BeaconConversationStore
 * @payload: `new_message`'s `{"conversationId","message"}`
 *
 * Adds the message to its conversation's list and shows it as the last message (the
 * conversation moves to the top). A new incoming message that is not already read
 * counts as unread, unless its conversation is the focused one. A message from the
 * partner in a conversation not loaded yet makes one known by its ids.
 *
 * Returns: (transfer none) (nullable): the message in its list, %NULL when the payload
 *   is invalid or names a conversation this store cannot place
 */
BeaconMessage *
beacon_conversation_store_apply_new_message (BeaconConversationStore *self, JsonObject *payload)
{
  g_autoptr (BeaconMessage) parsed = NULL;
  g_autoptr (GError)        error = NULL;
  g_autofree char          *id = NULL;
  BeaconConversation       *conversation;
  BeaconMessageList        *list;
  BeaconMessage            *message;
  JsonObject               *object;
  gboolean                  is_new;

  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), NULL);
  g_return_val_if_fail (payload != NULL, NULL);

  if (!(id = conversation_id_of (payload)) || !(object = message_of (payload)))
    return NULL;
  if (!(parsed = beacon_message_new_from_json (object, self->self_user_id, &error)))
    {
      g_debug ("ignoring new_message: %s", error->message);
      return NULL;
    }
  if (g_strcmp0 (id, beacon_message_get_conversation_id (parsed)) != 0)
    {
      g_debug ("ignoring new_message: its message belongs to another conversation");
      return NULL;
    }
  if (!(conversation = g_hash_table_lookup (self->by_id, id)))
    {
      if (beacon_message_get_outgoing (parsed) ||
          g_hash_table_contains (self->by_partner, beacon_message_get_sender_id (parsed)))
        {
          g_debug ("ignoring new_message of conversation %s, not loaded", id);
          return NULL;
        }
      conversation =
          insert_first (self, beacon_conversation_new (id, beacon_message_get_sender_id (parsed),
                                                       self->self_user_id));
    }

  list = beacon_conversation_get_messages (conversation);
  is_new = beacon_message_list_lookup (list, beacon_message_get_id (parsed)) == NULL;
  if (!(message = beacon_message_list_add (list, object)))
    return NULL;
  note_message (self, conversation, message);
  if (is_new && !beacon_message_get_outgoing (message) &&
      beacon_message_get_read_at (message) == NULL &&
      g_strcmp0 (self->focused_id, beacon_conversation_get_id (conversation)) != 0)
    set_unread (self, conversation, beacon_conversation_get_unread_count (conversation) + 1);
  return message;
}

/**
 * beacon_conversation_store_apply_message_sent:
 * @self: a #BeaconConversationStore
 * @payload: `message:sent`'s `{"conversationId","message","delivered"}`, with the
 *   `clientMessageId` of our pending message when the server echoes it
 *
 * Confirms our pending message (see beacon_message_list_confirm()).
 *
 * Returns: (transfer none) (nullable): the message in its list, %NULL when the payload
 *   is invalid or names an unknown conversation
 */
BeaconMessage *
beacon_conversation_store_apply_message_sent (BeaconConversationStore *self, JsonObject *payload)
{
  BeaconConversation *conversation;
  BeaconMessage      *message;
  JsonObject         *object;
  JsonNode           *node;
  const char         *client_id = NULL;
  gboolean            delivered = FALSE;

  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), NULL);
  g_return_val_if_fail (payload != NULL, NULL);

  if (!(conversation = conversation_of (self, payload)) || !(object = message_of (payload)))
    return NULL;
  if ((node = json_object_get_member (payload, "clientMessageId")) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    client_id = json_node_get_string (node);
  if ((node = json_object_get_member (payload, "delivered")) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    delivered = json_node_get_boolean (node);

  message = beacon_message_list_confirm (beacon_conversation_get_messages (conversation), client_id,
                                         object, delivered);
  if (message)
    note_message (self, conversation, message);
  return message;
}

/**
 * beacon_conversation_store_apply_message_read:
 * @self: a #BeaconConversationStore
 * @payload: `message:read`'s `{"conversationId","readerId","upTo"}`
 *
 * The partner read: our messages up to `upTo` become READ. We read (on another
 * device): the conversation has nothing unread.
 */
void
beacon_conversation_store_apply_message_read (BeaconConversationStore *self, JsonObject *payload)
{
  BeaconConversation *conversation;
  BeaconMessageList  *list;
  g_autofree char    *reader = NULL;
  g_autofree char    *up_to = NULL;
  g_autoptr (GError)  error = NULL;

  g_return_if_fail (BEACON_IS_CONVERSATION_STORE (self));
  g_return_if_fail (payload != NULL);

  if (!(conversation = conversation_of (self, payload)))
    return;
  if (!(reader = beacon_message_parse_id_member (payload, "readerId", &error)) ||
      !(up_to = beacon_message_parse_id_member (payload, "upTo", &error)))
    {
      g_debug ("ignoring message:read: %s", error->message);
      return;
    }

  if (g_strcmp0 (reader, self->self_user_id) == 0)
    set_unread (self, conversation, 0);
  else if ((list = beacon_conversation_peek_messages (conversation)))
    beacon_message_list_mark_read_up_to (list, up_to);
}

/**
 * beacon_conversation_store_set_read:
 * @self: a #BeaconConversationStore
 * @conversation_id: a conversation
 *
 * We read the conversation (and told the server with `mark_read`): nothing is unread.
 */
void
beacon_conversation_store_set_read (BeaconConversationStore *self, const char *conversation_id)
{
  BeaconConversation *conversation;

  g_return_if_fail (BEACON_IS_CONVERSATION_STORE (self));
  g_return_if_fail (conversation_id != NULL);

  if ((conversation = g_hash_table_lookup (self->by_id, conversation_id)))
    set_unread (self, conversation, 0);
}

/**
 * beacon_conversation_store_set_focused:
 * @self: a #BeaconConversationStore
 * @conversation_id: (nullable): the conversation shown in a focused window, or %NULL
 *
 * New messages of the focused conversation are seen as they come: they do not count as
 * unread.
 */
void
beacon_conversation_store_set_focused (BeaconConversationStore *self, const char *conversation_id)
{
  g_return_if_fail (BEACON_IS_CONVERSATION_STORE (self));

  if (g_strcmp0 (self->focused_id, conversation_id) == 0)
    return;
  g_free (self->focused_id);
  self->focused_id = g_strdup (conversation_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOCUSED]);
}

/**
 * beacon_conversation_store_get_focused:
 * @self: a #BeaconConversationStore
 *
 * Returns: (nullable): the id of the focused conversation
 */
const char *
beacon_conversation_store_get_focused (BeaconConversationStore *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), NULL);
  return self->focused_id;
}

guint
beacon_conversation_store_get_total_unread (BeaconConversationStore *self)
{
  g_return_val_if_fail (BEACON_IS_CONVERSATION_STORE (self), 0);
  return self->total_unread;
}

/**
 * beacon_conversation_store_clear:
 * @self: a #BeaconConversationStore
 *
 * Forgets every conversation (signing out).
 */
void
beacon_conversation_store_clear (BeaconConversationStore *self)
{
  g_autoptr (GPtrArray) old = NULL;

  g_return_if_fail (BEACON_IS_CONVERSATION_STORE (self));

  if (self->conversations->len == 0)
    return;
  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->by_partner);
  old = g_steal_pointer (&self->conversations);
  self->conversations = g_ptr_array_new_with_free_func (g_object_unref);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old->len, 0);
  set_total_unread (self, 0);
}

/* GObject */

static void
beacon_conversation_store_finalize (GObject *object)
{
  BeaconConversationStore *self = BEACON_CONVERSATION_STORE (object);

  g_hash_table_unref (self->by_id);
  g_hash_table_unref (self->by_partner);
  g_ptr_array_unref (self->conversations);
  g_free (self->self_user_id);
  g_free (self->focused_id);

  G_OBJECT_CLASS (beacon_conversation_store_parent_class)->finalize (object);
}

static void
beacon_conversation_store_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  BeaconConversationStore *self = BEACON_CONVERSATION_STORE (object);

  switch (prop_id)
    {
    case PROP_SELF_USER_ID: g_value_set_string (value, self->self_user_id); break;
    case PROP_FOCUSED: g_value_set_string (value, self->focused_id); break;
    case PROP_TOTAL_UNREAD: g_value_set_uint (value, self->total_unread); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_conversation_store_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  BeaconConversationStore *self = BEACON_CONVERSATION_STORE (object);

  switch (prop_id)
    {
    case PROP_SELF_USER_ID:
      beacon_conversation_store_set_self_user_id (self, g_value_get_string (value));
      break;
    case PROP_FOCUSED:
      beacon_conversation_store_set_focused (self, g_value_get_string (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_conversation_store_class_init (BeaconConversationStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = beacon_conversation_store_finalize;
  object_class->get_property = beacon_conversation_store_get_property;
  object_class->set_property = beacon_conversation_store_set_property;

  properties[PROP_SELF_USER_ID] = g_param_spec_string ("self-user-id", NULL, NULL, NULL, rw);
  properties[PROP_FOCUSED] = g_param_spec_string ("focused", NULL, NULL, NULL, rw);
  properties[PROP_TOTAL_UNREAD] =
      g_param_spec_uint ("total-unread", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_conversation_store_init (BeaconConversationStore *self)
{
  self->conversations = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_partner = g_hash_table_new (g_str_hash, g_str_equal);
}
