/* beacon-message-list.c: BeaconMessageList: an array in display order, and id and client
 * id tables to ordinals (position + the ordinal of the first message) so that lookups
 * stay O(1) while history pages are put in front. */

#include "config.h"

#include "beacon-message-list.h"

struct _BeaconMessageList
{
  GObject parent_instance;

  char       *conversation_id;
  char       *self_user_id;
  GPtrArray  *messages;     /* BeaconMessage, oldest first */
  gint64      base;         /* the ordinal of messages[0]; goes down as pages are prepended */
  GHashTable *by_id;        /* id -> ordinal */
  GHashTable *by_client_id; /* client id -> ordinal */
  gint64      read_through; /* the partner read our messages up to this ordinal */
  gboolean    has_more;
  gboolean    history_loaded;
};

static void beacon_message_list_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BeaconMessageList,
                               beacon_message_list,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      beacon_message_list_list_model_init))

enum
{
  PROP_0,
  PROP_CONVERSATION_ID,
  PROP_SELF_USER_ID,
  PROP_HAS_MORE,
  PROP_HISTORY_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GListModel */

static GType
beacon_message_list_get_item_type (GListModel *model)
{
  return BEACON_TYPE_MESSAGE;
}

static guint
beacon_message_list_get_n_items (GListModel *model)
{
  return BEACON_MESSAGE_LIST (model)->messages->len;
}

static gpointer
beacon_message_list_get_item (GListModel *model, guint position)
{
  BeaconMessageList *self = BEACON_MESSAGE_LIST (model);

  if (position >= self->messages->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->messages, position));
}

static void
beacon_message_list_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = beacon_message_list_get_item_type;
  iface->get_n_items = beacon_message_list_get_n_items;
  iface->get_item = beacon_message_list_get_item;
}

/* Internals */

static gboolean
position_in (BeaconMessageList *self, GHashTable *table, const char *key, guint *out_position)
{
  gpointer ordinal;

  if (key == NULL || !g_hash_table_lookup_extended (table, key, NULL, &ordinal))
    return FALSE;
  *out_position = (guint) ((gintptr) ordinal - self->base);
  return TRUE;
}

static BeaconMessage *
message_in (BeaconMessageList *self, GHashTable *table, const char *key)
{
  guint position;

  if (!position_in (self, table, key, &position))
    return NULL;
  return g_ptr_array_index (self->messages, position);
}

/* Records where the message is under its id and client id. */
static void
index_message (BeaconMessageList *self, BeaconMessage *message, gint64 ordinal)
{
  const char *id = beacon_message_get_id (message);
  const char *client_id = beacon_message_get_client_id (message);

  if (id)
    g_hash_table_insert (self->by_id, g_strdup (id), (gpointer) (gintptr) ordinal);
  if (client_id)
    g_hash_table_insert (self->by_client_id, g_strdup (client_id), (gpointer) (gintptr) ordinal);
}

static void
merge_at (BeaconMessageList *self, guint position, BeaconMessage *from)
{
  BeaconMessage *message = g_ptr_array_index (self->messages, position);

  beacon_message_merge (message, from);
  index_message (self, message, self->base + position);
}

static BeaconMessage *
append (BeaconMessageList *self, BeaconMessage *message)
{
  guint position = self->messages->len;

  index_message (self, message, self->base + position);
  g_ptr_array_add (self->messages, message);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  return message;
}

/* Drops the message at @position; those after it move one place up. */
static void
remove_at (BeaconMessageList *self, guint position)
{
  BeaconMessage *message = g_ptr_array_index (self->messages, position);
  gint64         ordinal = self->base + position;

  if (beacon_message_get_id (message))
    g_hash_table_remove (self->by_id, beacon_message_get_id (message));
  if (beacon_message_get_client_id (message))
    g_hash_table_remove (self->by_client_id, beacon_message_get_client_id (message));
  g_ptr_array_remove_index (self->messages, position);
  for (guint i = position; i < self->messages->len; i++)
    index_message (self, g_ptr_array_index (self->messages, i), self->base + i);
  if (self->read_through > ordinal)
    self->read_through--;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

/* A message of this conversation, or NULL (logged: a server's mistake is no reason to
 * stop). */
static BeaconMessage *
parse (BeaconMessageList *self, JsonObject *object)
{
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconMessage) message = NULL;

  if (!(message = beacon_message_new_from_json (object, self->self_user_id, &error)))
    {
      g_debug ("ignoring a message: %s", error->message);
      return NULL;
    }
  if (g_strcmp0 (beacon_message_get_conversation_id (message), self->conversation_id) != 0)
    {
      g_debug ("ignoring a message of conversation %s in %s",
               beacon_message_get_conversation_id (message), self->conversation_id);
      return NULL;
    }
  return g_steal_pointer (&message);
}

static void
set_flag (BeaconMessageList *self, gboolean *field, gboolean value, int prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* API */

/**
 * beacon_message_list_new:
 * @conversation_id: the conversation
 * @self_user_id: (nullable): the signed-in user, the sender of our messages
 *
 * Returns: (transfer full): an empty list that has more history to load
 */
BeaconMessageList *
beacon_message_list_new (const char *conversation_id, const char *self_user_id)
{
  g_return_val_if_fail (conversation_id != NULL, NULL);

  return g_object_new (BEACON_TYPE_MESSAGE_LIST, "conversation-id", conversation_id, "self-user-id",
                       self_user_id, NULL);
}

const char *
beacon_message_list_get_conversation_id (BeaconMessageList *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);
  return self->conversation_id;
}

const char *
beacon_message_list_get_self_user_id (BeaconMessageList *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);
  return self->self_user_id;
}

/**
 * beacon_message_list_prepend_page:
 * @self: a #BeaconMessageList
 * @messages: a page of `GET /api/conversations/:id/messages`, oldest first
 * @limit: the `limit` the page was asked with
 *
 * Puts the page's messages before those already there, in one items-changed. Messages
 * already known (by id, or by client id for our pending ones) are merged where they are
 * instead; invalid ones are skipped. "has-more" becomes %FALSE when the page held fewer
 * than @limit messages, and "history-loaded" %TRUE.
 */
void
beacon_message_list_prepend_page (BeaconMessageList *self, JsonArray *messages, guint limit)
{
  g_autoptr (GPtrArray)  page = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint                  n_old;
  guint                  length;

  g_return_if_fail (BEACON_IS_MESSAGE_LIST (self));
  g_return_if_fail (messages != NULL);

  length = json_array_get_length (messages);
  for (guint i = 0; i < length; i++)
    {
      JsonNode                 *node = json_array_get_element (messages, i);
      g_autoptr (BeaconMessage) message = NULL;
      guint                     position;

      if (!JSON_NODE_HOLDS_OBJECT (node) || !(message = parse (self, json_node_get_object (node))))
        continue;
      if (position_in (self, self->by_id, beacon_message_get_id (message), &position) ||
          position_in (self, self->by_client_id, beacon_message_get_client_id (message), &position))
        merge_at (self, position, message);
      else if (g_hash_table_add (seen, (gpointer) beacon_message_get_id (message)))
        g_ptr_array_add (page, g_steal_pointer (&message));
    }

  if (page->len > 0)
    {
      n_old = self->messages->len;
      self->base -= page->len;
      g_ptr_array_set_size (self->messages, n_old + page->len);
      memmove (self->messages->pdata + page->len, self->messages->pdata, n_old * sizeof (gpointer));
      for (guint i = 0; i < page->len; i++)
        {
          self->messages->pdata[i] = g_object_ref (page->pdata[i]);
          index_message (self, page->pdata[i], self->base + i);
        }
      g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, page->len);
    }

  g_object_freeze_notify (G_OBJECT (self));
  set_flag (self, &self->history_loaded, TRUE, PROP_HISTORY_LOADED);
  set_flag (self, &self->has_more, length >= limit, PROP_HAS_MORE);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * beacon_message_list_get_oldest_id:
 * @self: a #BeaconMessageList
 *
 * Returns: (nullable): the id of the oldest message the server knows, for `before=`
 */
const char *
beacon_message_list_get_oldest_id (BeaconMessageList *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);

  for (guint i = 0; i < self->messages->len; i++)
    {
      const char *id = beacon_message_get_id (g_ptr_array_index (self->messages, i));

      if (id)
        return id;
    }
  return NULL;
}

/**
 * beacon_message_list_get_has_more:
 * @self: a #BeaconMessageList
 *
 * Returns: %FALSE once a page came back shorter than its limit
 */
gboolean
beacon_message_list_get_has_more (BeaconMessageList *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), FALSE);
  return self->has_more;
}

/**
 * beacon_message_list_get_history_loaded:
 * @self: a #BeaconMessageList
 *
 * Live messages may arrive before any history: until a first page was prepended, the
 * next page to ask for is the newest one (no `before=`).
 *
 * Returns: %TRUE once a page was prepended
 */
gboolean
beacon_message_list_get_history_loaded (BeaconMessageList *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), FALSE);
  return self->history_loaded;
}

/**
 * beacon_message_list_add:
 * @self: a #BeaconMessageList
 * @message: a Message (of `new_message`)
 *
 * Appends the message, or merges it into the one already known by its id, or into our
 * pending one with the same client id when the message carries `clientMessageId`.
 *
 * Returns: (transfer none) (nullable): the message in the list, %NULL when @message is
 *   invalid or belongs to another conversation
 */
BeaconMessage *
beacon_message_list_add (BeaconMessageList *self, JsonObject *message)
{
  g_autoptr (BeaconMessage) parsed = NULL;
  guint                     position;

  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (!(parsed = parse (self, message)))
    return NULL;
  if (position_in (self, self->by_id, beacon_message_get_id (parsed), &position) ||
      position_in (self, self->by_client_id, beacon_message_get_client_id (parsed), &position))
    {
      merge_at (self, position, parsed);
      return g_ptr_array_index (self->messages, position);
    }
  return append (self, g_steal_pointer (&parsed));
}

/**
 * beacon_message_list_add_pending:
 * @self: a #BeaconMessageList
 * @content: the text we send
 *
 * Appends our message as PENDING with a fresh client id, to send as `clientMessageId`.
 *
 * Returns: (transfer none): the message
 */
BeaconMessage *
beacon_message_list_add_pending (BeaconMessageList *self, const char *content)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);
  g_return_val_if_fail (content != NULL, NULL);

  return append (self,
                 beacon_message_new_pending (self->conversation_id, self->self_user_id, content));
}

/**
 * beacon_message_list_confirm:
 * @self: a #BeaconMessageList
 * @client_id: (nullable): the client id of our pending message, when the server echoed it
 * @message: the stored Message (of the ack or of `message:sent`)
 * @delivered: whether the receiver had a device online
 *
 * The pending message takes the server's id and time and becomes SENT, or DELIVERED
 * (never going back: the ack and `message:sent` may both confirm it). When the server
 * echoed the message before confirming it, the pending copy is dropped for the echoed
 * one. An unknown message is appended.
 *
 * Returns: (transfer none) (nullable): the message in the list, %NULL when @message is
 *   invalid or belongs to another conversation
 */
BeaconMessage *
beacon_message_list_confirm (BeaconMessageList *self,
                             const char        *client_id,
                             JsonObject        *message,
                             gboolean           delivered)
{
  g_autoptr (BeaconMessage) parsed = NULL;
  BeaconMessage            *target;
  guint                     pending_position;
  guint                     known_position;
  gboolean                  pending;
  gboolean                  known;

  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (!(parsed = parse (self, message)))
    return NULL;
  if (client_id == NULL)
    client_id = beacon_message_get_client_id (parsed);
  pending = position_in (self, self->by_client_id, client_id, &pending_position);
  known = position_in (self, self->by_id, beacon_message_get_id (parsed), &known_position);

  if (pending && known && pending_position != known_position)
    {
      remove_at (self, pending_position);
      if (known_position > pending_position)
        known_position--;
      pending = FALSE;
    }
  if (pending || known)
    {
      guint position = pending ? pending_position : known_position;

      target = g_ptr_array_index (self->messages, position);
      beacon_message_adopt_client_id (target, client_id);
      merge_at (self, position, parsed);
    }
  else
    target = append (self, g_steal_pointer (&parsed));

  beacon_message_advance (target, delivered ? BEACON_MESSAGE_DELIVERED : BEACON_MESSAGE_SENT);
  return target;
}

/**
 * beacon_message_list_fail:
 * @self: a #BeaconMessageList
 * @client_id: the client id of our pending message
 *
 * The pending message becomes FAILED (a confirmed one is left as it is).
 */
void
beacon_message_list_fail (BeaconMessageList *self, const char *client_id)
{
  BeaconMessage *message;

  g_return_if_fail (BEACON_IS_MESSAGE_LIST (self));
  g_return_if_fail (client_id != NULL);

  if ((message = message_in (self, self->by_client_id, client_id)))
    beacon_message_fail (message);
}

/**
 * beacon_message_list_mark_read_up_to:
 * @self: a #BeaconMessageList
 * @up_to: the id of `message:read`'s `upTo`
 *
 * The partner read up to @up_to: our sent and delivered messages up to its position
 * (inclusive) become READ; theirs, and our pending or failed ones, are left. Each
 * message is visited once over all calls. An unknown @up_to changes nothing.
 */
void
beacon_message_list_mark_read_up_to (BeaconMessageList *self, const char *up_to)
{
  guint position;
  guint start;

  g_return_if_fail (BEACON_IS_MESSAGE_LIST (self));
  g_return_if_fail (up_to != NULL);

  if (!position_in (self, self->by_id, up_to, &position))
    return;
  start = self->read_through < self->base ? 0 : (guint) (self->read_through + 1 - self->base);
  for (guint i = start; i <= position; i++)
    {
      BeaconMessage     *message = g_ptr_array_index (self->messages, i);
      BeaconMessageState state = beacon_message_get_state (message);

      if (beacon_message_get_outgoing (message) &&
          (state == BEACON_MESSAGE_SENT || state == BEACON_MESSAGE_DELIVERED))
        beacon_message_advance (message, BEACON_MESSAGE_READ);
    }
  self->read_through = MAX (self->read_through, self->base + position);
}

/**
 * beacon_message_list_lookup:
 * @self: a #BeaconMessageList
 * @id: a message id
 *
 * Returns: (transfer none) (nullable): the message with that id
 */
BeaconMessage *
beacon_message_list_lookup (BeaconMessageList *self, const char *id)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);
  return message_in (self, self->by_id, id);
}

/**
 * beacon_message_list_lookup_client_id:
 * @self: a #BeaconMessageList
 * @client_id: a client id
 *
 * Returns: (transfer none) (nullable): our message with that client id
 */
BeaconMessage *
beacon_message_list_lookup_client_id (BeaconMessageList *self, const char *client_id)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);
  return message_in (self, self->by_client_id, client_id);
}

/**
 * beacon_message_list_find:
 * @self: a #BeaconMessageList
 * @id: a message id
 * @out_position: (out) (optional): its position
 *
 * Returns: %TRUE when a message has that id
 */
gboolean
beacon_message_list_find (BeaconMessageList *self, const char *id, guint *out_position)
{
  guint position;

  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), FALSE);

  if (!position_in (self, self->by_id, id, &position))
    return FALSE;
  if (out_position)
    *out_position = position;
  return TRUE;
}

/**
 * beacon_message_list_get_last_incoming_id:
 * @self: a #BeaconMessageList
 *
 * Returns: (nullable): the id of the partner's newest message, for `mark_read`
 */
const char *
beacon_message_list_get_last_incoming_id (BeaconMessageList *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_LIST (self), NULL);

  for (guint i = self->messages->len; i > 0; i--)
    {
      BeaconMessage *message = g_ptr_array_index (self->messages, i - 1);

      if (!beacon_message_get_outgoing (message) && beacon_message_get_id (message))
        return beacon_message_get_id (message);
    }
  return NULL;
}

/* GObject */

static void
beacon_message_list_finalize (GObject *object)
{
  BeaconMessageList *self = BEACON_MESSAGE_LIST (object);

  g_free (self->conversation_id);
  g_free (self->self_user_id);
  g_ptr_array_unref (self->messages);
  g_hash_table_unref (self->by_id);
  g_hash_table_unref (self->by_client_id);

  G_OBJECT_CLASS (beacon_message_list_parent_class)->finalize (object);
}

static void
beacon_message_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconMessageList *self = BEACON_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION_ID: g_value_set_string (value, self->conversation_id); break;
    case PROP_SELF_USER_ID: g_value_set_string (value, self->self_user_id); break;
    case PROP_HAS_MORE: g_value_set_boolean (value, self->has_more); break;
    case PROP_HISTORY_LOADED: g_value_set_boolean (value, self->history_loaded); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_message_list_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BeaconMessageList *self = BEACON_MESSAGE_LIST (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION_ID: self->conversation_id = g_value_dup_string (value); break;
    case PROP_SELF_USER_ID: self->self_user_id = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_message_list_class_init (BeaconMessageListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags   construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = beacon_message_list_finalize;
  object_class->get_property = beacon_message_list_get_property;
  object_class->set_property = beacon_message_list_set_property;

  properties[PROP_CONVERSATION_ID] =
      g_param_spec_string ("conversation-id", NULL, NULL, NULL, construct);
  properties[PROP_SELF_USER_ID] = g_param_spec_string ("self-user-id", NULL, NULL, NULL, construct);
  properties[PROP_HAS_MORE] = g_param_spec_boolean ("has-more", NULL, NULL, TRUE, ro);
  properties[PROP_HISTORY_LOADED] = g_param_spec_boolean ("history-loaded", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_message_list_init (BeaconMessageList *self)
{
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_client_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->read_through = G_MININT64;
  self->has_more = TRUE;
}
