/* beacon-session.c: BeaconSession: the token (signed in, from the keyring or given), the
 * socket and its state, hydration after each connect, live deltas, heartbeat, chat focus. */

#include "config.h"

#include "beacon-account.h"
#include "beacon-session.h"

#define DEFAULT_HEARTBEAT_INTERVAL_MS 25000
#define STATUS_ACK_TIMEOUT_MS         10000
#define MESSAGE_ACK_TIMEOUT_MS        15000
#define HISTORY_PAGE                  50
/* How long after a connect to wait for the online snapshot before hydrating anyway (a
 * backend of PROTOCOL.md 9 may send none). */
#define SNAPSHOT_WAIT_MS 1000

G_DEFINE_ENUM_TYPE (BeaconSessionState,
                    beacon_session_state,
                    G_DEFINE_ENUM_VALUE (BEACON_SESSION_STATE_SIGNED_OUT, "signed-out"),
                    G_DEFINE_ENUM_VALUE (BEACON_SESSION_STATE_SIGNING_IN, "signing-in"),
                    G_DEFINE_ENUM_VALUE (BEACON_SESSION_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (BEACON_SESSION_STATE_ONLINE, "online"),
                    G_DEFINE_ENUM_VALUE (BEACON_SESSION_STATE_RECONNECTING, "reconnecting"),
                    G_DEFINE_ENUM_VALUE (BEACON_SESSION_STATE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (BEACON_SESSION_STATE_UNAUTHORIZED, "unauthorized"))

/* One round of REST hydration after a connect. It outlives the session when cancelled:
 * the last answer frees it, without touching the session. */
typedef struct
{
  BeaconSession *self; /* unowned; not used once cancellable is cancelled */
  GCancellable  *cancellable;
  guint          pending;
  GHashTable    *online;        /* from GET /api/friends/online-status, nullable */
  GPtrArray     *records;       /* idem */
  JsonArray     *conversations; /* from GET /api/conversations, nullable */
  gboolean       answered;
} Hydration;

struct _BeaconSession
{
  GObject parent_instance;

  char                    *server_url;
  BeaconClock             *clock;
  BeaconApi               *api;
  BeaconSocket            *socket;
  BeaconPresenceStore     *contacts;
  BeaconConversationStore *conversations;
  GHashTable              *joined;  /* ids of the conversations opened: joined after each connect */
  BeaconAccount           *account; /* the token's keyring entry, NULL when given */
  GNetworkMonitor         *monitor;
  gboolean                 network_available; /* as the monitor last said */

  BeaconSessionState state;
  guint              next_retry_in;
  guint              online_count;
  char              *user_id;
  char              *user_name;
  char              *user_email;
  char              *own_status;
  char              *custom_message;
  char              *error_message;
  char              *focused_partner;

  gboolean      running;       /* started and neither stopped nor refused */
  gboolean      ever_online;   /* this run has been online: a loss is a reconnection */
  GCancellable *starting;      /* GET /api/me before the socket, when the user is not known */
  Hydration    *hydration;     /* in flight, or NULL */
  guint         snapshot_wait; /* connected, waiting for the online snapshot to hydrate */
  guint         heartbeat_source;
  guint         heartbeat_interval_ms;
};

G_DEFINE_FINAL_TYPE (BeaconSession, beacon_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_CLOCK,
  PROP_STATE,
  PROP_NEXT_RETRY_IN,
  PROP_USER_ID,
  PROP_USER_NAME,
  PROP_USER_EMAIL,
  PROP_OWN_STATUS,
  PROP_CUSTOM_MESSAGE,
  PROP_ERROR_MESSAGE,
  PROP_ONLINE_COUNT,
  PROP_FOCUSED_PARTNER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CONTACT_ONLINE,
  SIGNAL_MESSAGE_RECEIVED,
  SIGNAL_CONVERSATION_READ,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const own_statuses[] = { "online", "away", "busy", "invisible" };

/* ---- properties ---- */

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static gboolean
replace_str (char **slot, const char *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}

static void
set_str_prop (BeaconSession *self, char **slot, const char *value, guint prop)
{
  if (replace_str (slot, value))
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_error_message (BeaconSession *self, const char *message)
{
  set_str_prop (self, &self->error_message, message, PROP_ERROR_MESSAGE);
}

static void
set_user_id (BeaconSession *self, const char *user_id)
{
  set_str_prop (self, &self->user_id, user_id, PROP_USER_ID);
  beacon_conversation_store_set_self_user_id (self->conversations, user_id);
  if (user_id != NULL)
    beacon_api_set_user_id (self->api, user_id);
}

static void
set_state (BeaconSession *self, BeaconSessionState state)
{
  if (self->state == state)
    return;
  g_debug ("session %s: state %d -> %d", self->server_url, self->state, state);
  self->state = state;
  if (state == BEACON_SESSION_STATE_ONLINE)
    self->ever_online = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* While running, the state follows the socket, the hydration and the network. */
static void
update_state (BeaconSession *self)
{
  BeaconSocketState socket_state = beacon_socket_get_state (self->socket);

  if (!self->running)
    return;
  if (socket_state == BEACON_SOCKET_STATE_CONNECTED &&
      beacon_socket_is_joined (self->socket, "/") && self->hydration == NULL &&
      self->snapshot_wait == 0)
    set_state (self, BEACON_SESSION_STATE_ONLINE);
  else if (!self->network_available && socket_state != BEACON_SOCKET_STATE_CONNECTED)
    set_state (self, BEACON_SESSION_STATE_OFFLINE);
  else if (socket_state == BEACON_SOCKET_STATE_RECONNECTING || self->ever_online)
    set_state (self, BEACON_SESSION_STATE_RECONNECTING);
  else
    set_state (self, BEACON_SESSION_STATE_CONNECTING);
}

static const char *
own_status_from_record (const BeaconPresenceRecord *record)
{
  switch (record->status)
    {
    case BEACON_PRESENCE_ONLINE: return "online";
    case BEACON_PRESENCE_AWAY: return "away";
    case BEACON_PRESENCE_BUSY: return "busy";
    case BEACON_PRESENCE_OFFLINE:
    default: return "invisible"; /* how the user's own devices see a chosen invisible */
    }
}

static void
set_own_status (BeaconSession *self, const char *status, const char *custom_message)
{
  set_str_prop (self, &self->own_status, status, PROP_OWN_STATUS);
  set_str_prop (self, &self->custom_message, custom_message, PROP_CUSTOM_MESSAGE);
}

static void
set_me (BeaconSession *self, const BeaconApiUser *me)
{
  set_user_id (self, me->id);
  set_str_prop (self, &self->user_name, me->name, PROP_USER_NAME);
  if (me->email != NULL)
    set_str_prop (self, &self->user_email, me->email, PROP_USER_EMAIL);
  if (me->status != NULL)
    set_own_status (self, me->status, me->custom_message);
}

static gboolean
is_token_error (const GError *error)
{
  return error != NULL && error->domain == BEACON_API_ERROR &&
         (error->code == BEACON_API_ERROR_TOKEN_MISSING ||
          error->code == BEACON_API_ERROR_TOKEN_INVALID ||
          error->code == BEACON_API_ERROR_TOKEN_EXPIRED ||
          error->code == BEACON_API_ERROR_USER_NOT_FOUND);
}

/* ---- heartbeat ---- */

static gboolean
on_heartbeat (gpointer user_data)
{
  BeaconSession *self = user_data;

  beacon_socket_emit_volatile (self->socket, "/", "heartbeat", NULL);
  return G_SOURCE_CONTINUE;
}

static void
stop_heartbeat (BeaconSession *self)
{
  g_clear_handle_id (&self->heartbeat_source, g_source_remove);
}

static void
start_heartbeat (BeaconSession *self)
{
  stop_heartbeat (self);
  /* Whole seconds share their wake-up with the rest of the system. */
  if (self->heartbeat_interval_ms % 1000 == 0)
    self->heartbeat_source =
        g_timeout_add_seconds (self->heartbeat_interval_ms / 1000, on_heartbeat, self);
  else
    self->heartbeat_source = g_timeout_add (self->heartbeat_interval_ms, on_heartbeat, self);
}

/* ---- unread counts: a contact shows its conversation's ---- */

static void
sync_unread (BeaconSession *self, BeaconConversation *conversation)
{
  BeaconContact *contact = beacon_presence_store_lookup (
      self->contacts, beacon_conversation_get_partner_id (conversation));

  if (contact != NULL)
    beacon_contact_set_unread_count (contact, beacon_conversation_get_unread_count (conversation));
}

/* The store counts nothing unread in the conversation with the focused partner. */
static void
update_focused_conversation (BeaconSession *self)
{
  BeaconConversation *conversation = NULL;

  if (self->focused_partner != NULL)
    conversation =
        beacon_conversation_store_lookup_partner (self->conversations, self->focused_partner);
  beacon_conversation_store_set_focused (
      self->conversations, conversation ? beacon_conversation_get_id (conversation) : NULL);
}

static void
sync_all_unread (BeaconSession *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->conversations));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BeaconConversation) conversation =
          g_list_model_get_item (G_LIST_MODEL (self->conversations), i);

      sync_unread (self, conversation);
    }
}

static void
on_unread_count (BeaconConversation *conversation, GParamSpec *pspec, BeaconSession *self)
{
  sync_unread (self, conversation);
  if (beacon_conversation_get_unread_count (conversation) == 0)
    g_signal_emit (self, signals[SIGNAL_CONVERSATION_READ], 0, conversation);
}

/* Every conversation the store shows is followed once (a move to the top is a removal
 * and an addition of the same object). */
static void
on_conversations_changed (
    GListModel *model, guint position, guint removed, guint added, BeaconSession *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (BeaconConversation) conversation = g_list_model_get_item (model, i);

      if (g_signal_handler_find (conversation, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0,
                                 NULL, on_unread_count, self) == 0)
        g_signal_connect_object (conversation, "notify::unread-count", G_CALLBACK (on_unread_count),
                                 self, 0);
      sync_unread (self, conversation);
    }
}

/* ---- hydration ---- */

static void
hydration_free (Hydration *h)
{
  g_clear_object (&h->cancellable);
  g_clear_pointer (&h->online, g_hash_table_unref);
  g_clear_pointer (&h->records, g_ptr_array_unref);
  g_clear_pointer (&h->conversations, json_array_unref);
  g_free (h);
}

static void
cancel_hydration (BeaconSession *self)
{
  Hydration *h = g_steal_pointer (&self->hydration);

  if (h == NULL)
    return;
  /* The answers still on their way free it. */
  g_cancellable_cancel (h->cancellable);
  beacon_presence_store_abort_hydration (self->contacts);
}

static void unauthorized (BeaconSession *self, const GError *error);

/* Called once per answer; the last one applies the whole hydration. */
static void
hydration_step_done (Hydration *h)
{
  BeaconSession *self = h->self;

  if (--h->pending > 0)
    return;
  if (!g_cancellable_is_cancelled (h->cancellable))
    {
      self->hydration = NULL;
      if (h->answered)
        beacon_presence_store_finish_hydration (self->contacts, h->records, h->online);
      else
        beacon_presence_store_abort_hydration (self->contacts);
      if (h->conversations != NULL)
        beacon_conversation_store_load (self->conversations, h->conversations);
      sync_all_unread (self);
      update_focused_conversation (self);
      update_state (self);
    }
  hydration_free (h);
}

/* A failed hydration request: a refused token ends the session; anything else is said in
 * error-message, and what the socket brings keeps the list live. */
static void
hydration_failed (Hydration *h, const GError *error)
{
  BeaconSession *self = h->self;

  g_debug ("session %s: hydration: %s", self->server_url, error->message);
  if (is_token_error (error))
    unauthorized (self, error);
  else
    set_error_message (self, beacon_api_error_sentence (error));
}

static void
on_me (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Hydration                *h = user_data;
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconApiUser) me = beacon_api_get_me_finish (BEACON_API (source), result, &error);
  BeaconSession            *self = h->self;

  if (!g_cancellable_is_cancelled (h->cancellable))
    {
      if (me == NULL)
        hydration_failed (h, error);
      else
        set_me (self, me);
    }
  hydration_step_done (h);
}

static void
on_friends (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Hydration            *h = user_data;
  g_autoptr (GError)    error = NULL;
  g_autoptr (GPtrArray) friends =
      beacon_api_get_friends_finish (BEACON_API (source), result, &error);

  if (!g_cancellable_is_cancelled (h->cancellable))
    {
      if (friends == NULL)
        hydration_failed (h, error);
      else
        {
          g_autoptr (GPtrArray) infos =
              g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_contact_info_free);

          for (guint i = 0; i < friends->len; i++)
            {
              BeaconApiUser *user = g_ptr_array_index (friends, i);

              g_ptr_array_add (infos, beacon_contact_info_new (user->id, user->name, user->role));
            }
          beacon_presence_store_set_names (h->self->contacts, infos);
        }
    }
  hydration_step_done (h);
}

static void
on_online_status (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Hydration         *h = user_data;
  g_autoptr (GError) error = NULL;

  h->answered = beacon_api_get_online_status_finish (BEACON_API (source), result, &h->online,
                                                     &h->records, &error);
  if (!h->answered && !g_cancellable_is_cancelled (h->cancellable))
    hydration_failed (h, error);
  hydration_step_done (h);
}

static void
on_conversations (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Hydration         *h = user_data;
  g_autoptr (GError) error = NULL;

  h->conversations = beacon_api_list_conversations_finish (BEACON_API (source), result, &error);
  if (h->conversations == NULL && !g_cancellable_is_cancelled (h->cancellable))
    hydration_failed (h, error);
  hydration_step_done (h);
}

/* After each connect of namespace "/": who am I, who are my contacts, who is online. The
 * deltas arriving meanwhile are merged by version (beacon_presence_store_begin_hydration). */
static void
start_hydration (BeaconSession *self)
{
  Hydration *h;

  cancel_hydration (self);
  h = g_new0 (Hydration, 1);
  h->self = self;
  h->cancellable = g_cancellable_new ();
  h->pending = 4;
  self->hydration = h;
  beacon_presence_store_begin_hydration (self->contacts);
  beacon_api_get_me_async (self->api, h->cancellable, on_me, h);
  beacon_api_get_friends_async (self->api, h->cancellable, on_friends, h);
  beacon_api_get_online_status_async (self->api, h->cancellable, on_online_status, h);
  beacon_api_list_conversations_async (self->api, h->cancellable, on_conversations, h);
}

/* ---- running ---- */

static void
on_account_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!beacon_account_clear_finish (BEACON_ACCOUNT (source), result, &error))
    g_warning ("Cannot delete the token from the keyring: %s", error->message);
}

/* Stops the socket and what depends on it; the stores and the user stay. */
static void
halt (BeaconSession *self)
{
  self->running = FALSE;
  g_cancellable_cancel (self->starting);
  g_clear_object (&self->starting);
  g_clear_handle_id (&self->snapshot_wait, g_source_remove);
  cancel_hydration (self);
  stop_heartbeat (self);
  beacon_socket_disconnect (self->socket);
}

/* The server refused the token: no retry, the token leaves the keyring, and the person
 * is asked to sign in again. */
static void
unauthorized (BeaconSession *self, const GError *error)
{
  g_autoptr (BeaconAccount) account = g_steal_pointer (&self->account);

  g_debug ("session %s: token refused: %s", self->server_url, error->message);
  halt (self);
  beacon_api_set_token (self->api, NULL);
  if (account != NULL)
    beacon_account_clear_async (account, NULL, on_account_cleared, NULL);
  set_error_message (self, beacon_api_error_sentence (error));
  set_state (self, BEACON_SESSION_STATE_UNAUTHORIZED);
}

/* A REST answer of the running session: a refused token ends it. */
static void
check_token (BeaconSession *self, const GError *error)
{
  if (self->running && is_token_error (error))
    unauthorized (self, error);
}

static void
connect_socket (BeaconSession *self)
{
  g_autoptr (JsonObject) auth = json_object_new ();
  g_autoptr (JsonNode)   node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (auth, "token", beacon_api_get_token (self->api));
  json_node_set_object (node, auth);
  beacon_socket_join (self->socket, "/", node);
  beacon_socket_connect (self->socket);
}

static void
on_me_first (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconSession            *self = user_data; /* not a reference: halt() cancels this */
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconApiUser) me = beacon_api_get_me_finish (BEACON_API (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->starting);
  if (me != NULL)
    set_me (self, me);
  else if (is_token_error (error))
    {
      unauthorized (self, error);
      return;
    }
  else
    {
      /* The socket retries on its own; the hydration asks again once connected. */
      g_debug ("session %s: GET /api/me: %s", self->server_url, error->message);
      set_error_message (self, beacon_api_error_sentence (error));
    }
  connect_socket (self);
}

/* With a token alone, who the user is comes first: what the socket says before that
 * could not be told apart from what it says of contacts (their own entries, chatting
 * with whom). */
static void
start_running (BeaconSession *self, const char *token)
{
  beacon_api_set_token (self->api, token);
  self->running = TRUE;
  self->ever_online = FALSE;
  set_error_message (self, NULL);
  update_state (self);
  if (self->user_id != NULL)
    {
      connect_socket (self);
      return;
    }
  self->starting = g_cancellable_new ();
  beacon_api_get_me_async (self->api, self->starting, on_me_first, self);
}

/* Forgets who was signed in: another account may come next. */
static void
forget_user (BeaconSession *self)
{
  beacon_presence_store_clear (self->contacts);
  beacon_conversation_store_clear (self->conversations);
  beacon_conversation_store_set_focused (self->conversations, NULL);
  g_hash_table_remove_all (self->joined);
  beacon_api_set_token (self->api, NULL);
  set_user_id (self, NULL);
  set_str_prop (self, &self->user_name, NULL, PROP_USER_NAME);
  set_str_prop (self, &self->user_email, NULL, PROP_USER_EMAIL);
  set_own_status (self, NULL, NULL);
  set_str_prop (self, &self->focused_partner, NULL, PROP_FOCUSED_PARTNER);
}

/* ---- socket ---- */

static void
on_socket_state (BeaconSocket *socket, GParamSpec *pspec, BeaconSession *self)
{
  if (beacon_socket_get_state (socket) != BEACON_SOCKET_STATE_CONNECTED)
    stop_heartbeat (self);
  update_state (self);
}

static void
on_socket_next_retry_in (BeaconSocket *socket, GParamSpec *pspec, BeaconSession *self)
{
  guint seconds = beacon_socket_get_next_retry_in (socket);

  if (self->next_retry_in == seconds)
    return;
  self->next_retry_in = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_RETRY_IN]);
}

static void
send_focus (BeaconSession *self)
{
  g_autoptr (JsonArray)  args = json_array_new ();
  g_autoptr (JsonObject) payload = json_object_new ();

  json_object_set_string_member (payload, "partnerId", self->focused_partner);
  json_array_add_object_element (args, g_steal_pointer (&payload));
  beacon_socket_emit (self->socket, "/", "chat:focus", args);
}

static void
emit_conversation_event (BeaconSession *self, const char *name, const char *conversation_id)
{
  g_autoptr (JsonArray)  args = json_array_new ();
  g_autoptr (JsonObject) payload = json_object_new ();

  json_object_set_string_member (payload, "conversationId", conversation_id);
  json_array_add_object_element (args, g_steal_pointer (&payload));
  beacon_socket_emit (self->socket, "/", name, args);
}

static gboolean
on_snapshot_wait (gpointer user_data)
{
  BeaconSession *self = user_data;

  self->snapshot_wait = 0;
  start_hydration (self);
  return G_SOURCE_REMOVE;
}

/* The hydration starts once the connect's snapshot is applied: the REST answer, newer,
 * then completes it (custom messages, last seen) instead of losing to it. */
static void
on_namespace_connected (BeaconSocket *socket, const char *nsp, BeaconSession *self)
{
  GHashTableIter iter;
  const char    *id;

  if (!self->running || g_strcmp0 (nsp, "/") != 0)
    return;
  set_error_message (self, NULL);
  start_heartbeat (self);
  if (self->focused_partner != NULL)
    send_focus (self);
  g_hash_table_iter_init (&iter, self->joined);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    emit_conversation_event (self, "join_conversation", id);
  cancel_hydration (self);
  g_clear_handle_id (&self->snapshot_wait, g_source_remove);
  self->snapshot_wait = g_timeout_add (SNAPSHOT_WAIT_MS, on_snapshot_wait, self);
  update_state (self);
}

static void
on_connect_error (BeaconSocket *socket, const char *nsp, JsonNode *data, BeaconSession *self)
{
  g_autoptr (GError) error = NULL;
  const char        *code = NULL;

  if (!self->running || g_strcmp0 (nsp, "/") != 0)
    return;
  /* {"message":"unauthorized","data":{"code":C}} (PROTOCOL.md 2). */
  if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
    {
      JsonObject *object = json_node_get_object (data);
      JsonNode   *inner = json_object_get_member (object, "data");

      if (inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
        code =
            json_object_get_string_member_with_default (json_node_get_object (inner), "code", NULL);
    }
  error = g_error_new (BEACON_API_ERROR, beacon_api_error_from_server_code (code, 401),
                       "connect error: %s", code ? code : "no code");
  unauthorized (self, error);
}

/* An own record (another device of ours changed the status) or a contact's. */
static void
apply_record (BeaconSession *self, BeaconPresenceRecord *record)
{
  if (g_strcmp0 (record->user_id, self->user_id) == 0)
    {
      if (record->fields & BEACON_PRESENCE_HAS_STATUS)
        set_str_prop (self, &self->own_status, own_status_from_record (record), PROP_OWN_STATUS);
      if (record->fields & BEACON_PRESENCE_HAS_CUSTOM_MESSAGE)
        set_str_prop (self, &self->custom_message, record->custom_message, PROP_CUSTOM_MESSAGE);
      return;
    }
  beacon_presence_store_apply_record (self->contacts, record);
}

/* A message is received once: not our own, not one the list already had. */
static void
apply_new_message (BeaconSession *self, JsonObject *payload)
{
  g_autofree char *conversation_id =
      beacon_message_parse_id_member (payload, "conversationId", NULL);
  g_autofree char    *message_id = NULL;
  JsonNode           *node = json_object_get_member (payload, "message");
  BeaconConversation *conversation;
  BeaconMessageList  *list;
  BeaconMessage      *message;
  gboolean            known = FALSE;

  if (conversation_id != NULL && node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
      (message_id = beacon_message_parse_id_member (json_node_get_object (node), "id", NULL)) &&
      (conversation = beacon_conversation_store_lookup (self->conversations, conversation_id)) &&
      (list = beacon_conversation_peek_messages (conversation)))
    known = beacon_message_list_lookup (list, message_id) != NULL;

  message = beacon_conversation_store_apply_new_message (self->conversations, payload);
  if (message == NULL || known || beacon_message_get_outgoing (message))
    return;
  conversation = beacon_conversation_store_lookup (self->conversations,
                                                   beacon_message_get_conversation_id (message));
  g_signal_emit (self, signals[SIGNAL_MESSAGE_RECEIVED], 0, conversation, message);
}

static void
on_event (
    BeaconSocket *socket, const char *nsp, const char *name, JsonArray *args, BeaconSession *self)
{
  g_autoptr (GError) error = NULL;
  JsonNode          *payload;

  if (!self->running || g_strcmp0 (nsp, "/") != 0 || json_array_get_length (args) == 0)
    return;
  payload = json_array_get_element (args, 0);

  if (g_str_equal (name, "presence:connected") || g_str_equal (name, "presence:update"))
    {
      g_autofree char      *me = NULL;
      g_autoptr (GPtrArray) records = NULL;

      if (!beacon_presence_parse_snapshot (payload, self->user_id, &me, &records, &error))
        goto bad;
      if (self->user_id == NULL && me != NULL)
        set_user_id (self, me);
      /* Some backends list every online socket, the user's own too. */
      for (guint i = records->len; i > 0; i--)
        if (g_strcmp0 (((BeaconPresenceRecord *) g_ptr_array_index (records, i - 1))->user_id,
                       self->user_id) == 0)
          g_ptr_array_remove_index (records, i - 1);
      beacon_presence_store_apply_snapshot (self->contacts, records, TRUE);
      if (self->snapshot_wait != 0)
        {
          g_clear_handle_id (&self->snapshot_wait, g_source_remove);
          start_hydration (self);
        }
    }
  else if (g_str_equal (name, "presence_updated") || g_str_equal (name, "friend_status_changed"))
    {
      g_autoptr (BeaconPresenceRecord) record =
          beacon_presence_record_parse (payload, self->user_id, &error);

      if (record == NULL)
        goto bad;
      apply_record (self, record);
    }
  else if (g_str_equal (name, "new_message") && JSON_NODE_HOLDS_OBJECT (payload))
    apply_new_message (self, json_node_get_object (payload));
  else if (g_str_equal (name, "message:sent") && JSON_NODE_HOLDS_OBJECT (payload))
    beacon_conversation_store_apply_message_sent (self->conversations,
                                                  json_node_get_object (payload));
  else if (g_str_equal (name, "message:read") && JSON_NODE_HOLDS_OBJECT (payload))
    beacon_conversation_store_apply_message_read (self->conversations,
                                                  json_node_get_object (payload));
  else if (g_str_equal (name, "presence_info"))
    {
      g_autoptr (GPtrArray) records =
          beacon_presence_record_parse_list (payload, self->user_id, &error);

      g_autoptr (GPtrArray) contacts = NULL;

      if (records == NULL)
        goto bad;
      contacts = g_ptr_array_sized_new (records->len);
      for (guint i = 0; i < records->len; i++)
        {
          BeaconPresenceRecord *record = g_ptr_array_index (records, i);

          if (g_strcmp0 (record->user_id, self->user_id) == 0)
            apply_record (self, record);
          else
            g_ptr_array_add (contacts, record);
        }
      beacon_presence_store_apply_records (self->contacts, contacts);
    }
  return;

bad:
  g_warning ("session %s: %s ignored: %s", self->server_url, name, error->message);
}

static void
on_contact_online (BeaconPresenceStore *store, BeaconContact *contact, BeaconSession *self)
{
  g_signal_emit (self, signals[SIGNAL_CONTACT_ONLINE], 0, contact);
}

static void
on_online_count (BeaconPresenceStore *store, GParamSpec *pspec, BeaconSession *self)
{
  guint count = beacon_presence_store_get_online_count (store);

  if (self->online_count == count)
    return;
  self->online_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE_COUNT]);
}

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available, BeaconSession *self)
{
  self->network_available = available;
  update_state (self);
}

/* ---- GObject ---- */

static void
beacon_session_constructed (GObject *object)
{
  BeaconSession *self = BEACON_SESSION (object);

  G_OBJECT_CLASS (beacon_session_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = g_object_ref (beacon_clock_get_default ());
  self->api = beacon_api_new (self->server_url);
  self->socket = beacon_socket_new (self->server_url);
  beacon_socket_set_clock (self->socket, self->clock);
  self->contacts = beacon_presence_store_new (self->clock);
  self->conversations = beacon_conversation_store_new (NULL);
  self->joined = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect (self->conversations, "items-changed", G_CALLBACK (on_conversations_changed),
                    self);
  g_signal_connect (self->socket, "notify::state", G_CALLBACK (on_socket_state), self);
  g_signal_connect (self->socket, "notify::next-retry-in", G_CALLBACK (on_socket_next_retry_in),
                    self);
  g_signal_connect (self->socket, "namespace-connected", G_CALLBACK (on_namespace_connected), self);
  g_signal_connect (self->socket, "connect-error", G_CALLBACK (on_connect_error), self);
  g_signal_connect (self->socket, "event", G_CALLBACK (on_event), self);
  g_signal_connect (self->contacts, "contact-online", G_CALLBACK (on_contact_online), self);
  g_signal_connect (self->contacts, "notify::online-count", G_CALLBACK (on_online_count), self);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
}

static void
beacon_session_dispose (GObject *object)
{
  BeaconSession *self = BEACON_SESSION (object);

  if (self->socket != NULL)
    {
      halt (self);
      g_signal_handlers_disconnect_by_data (self->socket, self);
      g_signal_handlers_disconnect_by_data (self->contacts, self);
      g_signal_handlers_disconnect_by_data (self->conversations, self);
      g_signal_handlers_disconnect_by_data (self->monitor, self);
    }
  g_clear_object (&self->socket);
  g_clear_object (&self->api);
  g_clear_object (&self->contacts);
  g_clear_object (&self->conversations);
  g_clear_object (&self->account);
  g_clear_object (&self->monitor);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (beacon_session_parent_class)->dispose (object);
}

static void
beacon_session_finalize (GObject *object)
{
  BeaconSession *self = BEACON_SESSION (object);

  g_free (self->server_url);
  g_free (self->user_id);
  g_free (self->user_name);
  g_free (self->user_email);
  g_free (self->own_status);
  g_free (self->custom_message);
  g_free (self->error_message);
  g_free (self->focused_partner);
  g_clear_pointer (&self->joined, g_hash_table_unref);

  G_OBJECT_CLASS (beacon_session_parent_class)->finalize (object);
}

static void
beacon_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconSession *self = BEACON_SESSION (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_CLOCK: g_value_set_object (value, self->clock); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_NEXT_RETRY_IN: g_value_set_uint (value, self->next_retry_in); break;
    case PROP_USER_ID: g_value_set_string (value, self->user_id); break;
    case PROP_USER_NAME: g_value_set_string (value, self->user_name); break;
    case PROP_USER_EMAIL: g_value_set_string (value, self->user_email); break;
    case PROP_OWN_STATUS: g_value_set_string (value, self->own_status); break;
    case PROP_CUSTOM_MESSAGE: g_value_set_string (value, self->custom_message); break;
    case PROP_ERROR_MESSAGE: g_value_set_string (value, self->error_message); break;
    case PROP_ONLINE_COUNT: g_value_set_uint (value, self->online_count); break;
    case PROP_FOCUSED_PARTNER: g_value_set_string (value, self->focused_partner); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_session_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BeaconSession *self = BEACON_SESSION (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL: self->server_url = g_value_dup_string (value); break;
    case PROP_CLOCK: self->clock = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_session_class_init (BeaconSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags   construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = beacon_session_constructed;
  object_class->dispose = beacon_session_dispose;
  object_class->finalize = beacon_session_finalize;
  object_class->get_property = beacon_session_get_property;
  object_class->set_property = beacon_session_set_property;

  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, construct);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, BEACON_TYPE_CLOCK, construct);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, BEACON_TYPE_SESSION_STATE,
                                              BEACON_SESSION_STATE_SIGNED_OUT, ro);
  properties[PROP_NEXT_RETRY_IN] =
      g_param_spec_uint ("next-retry-in", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, ro);
  properties[PROP_USER_NAME] = g_param_spec_string ("user-name", NULL, NULL, NULL, ro);
  properties[PROP_USER_EMAIL] = g_param_spec_string ("user-email", NULL, NULL, NULL, ro);
  properties[PROP_OWN_STATUS] = g_param_spec_string ("own-status", NULL, NULL, NULL, ro);
  properties[PROP_CUSTOM_MESSAGE] = g_param_spec_string ("custom-message", NULL, NULL, NULL, ro);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  properties[PROP_ONLINE_COUNT] =
      g_param_spec_uint ("online-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_FOCUSED_PARTNER] = g_param_spec_string ("focused-partner", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BeaconSession::contact-online:
   * @self: the session
   * @contact: the contact
   *
   * A contact went from offline to online through a live delta: never during a
   * hydration nor for the snapshot of a connect or reconnect. For notifications.
   */
  signals[SIGNAL_CONTACT_ONLINE] =
      g_signal_new ("contact-online", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, BEACON_TYPE_CONTACT);

  /**
   * BeaconSession::message-received:
   * @self: the session
   * @conversation: the conversation
   * @message: the message
   *
   * A `new_message` from someone else, not seen before.
   */
  signals[SIGNAL_MESSAGE_RECEIVED] =
      g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, BEACON_TYPE_CONVERSATION, BEACON_TYPE_MESSAGE);

  /**
   * BeaconSession::conversation-read:
   * @self: the session
   * @conversation: the conversation
   *
   * Nothing is unread in @conversation any more (read here or on another device).
   */
  signals[SIGNAL_CONVERSATION_READ] =
      g_signal_new ("conversation-read", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, BEACON_TYPE_CONVERSATION);
}

static void
beacon_session_init (BeaconSession *self)
{
  const char *interval = g_getenv ("BEACON_HEARTBEAT_INTERVAL_MS");
  guint64     ms = 0;

  /* Tests make it short; the protocol says 25 s. */
  if (interval == NULL || !g_ascii_string_to_unsigned (interval, 10, 1, G_MAXUINT, &ms, NULL))
    ms = DEFAULT_HEARTBEAT_INTERVAL_MS;
  self->heartbeat_interval_ms = ms;
}

/* ---- API ---- */

/**
 * beacon_session_new:
 * @server_url: the server's base URL ("https://beacon.example.org")
 * @clock: (nullable): the clock the contacts follow; %NULL for the default one
 *
 * Returns: (transfer full): a session, signed out
 */
BeaconSession *
beacon_session_new (const char *server_url, BeaconClock *clock)
{
  g_return_val_if_fail (server_url != NULL, NULL);
  g_return_val_if_fail (clock == NULL || BEACON_IS_CLOCK (clock), NULL);

  return g_object_new (BEACON_TYPE_SESSION, "server-url", server_url, "clock", clock, NULL);
}

const char *
beacon_session_get_server_url (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->server_url;
}

BeaconSessionState
beacon_session_get_state (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), BEACON_SESSION_STATE_SIGNED_OUT);
  return self->state;
}

guint
beacon_session_get_next_retry_in (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), 0);
  return self->next_retry_in;
}

const char *
beacon_session_get_user_id (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->user_id;
}

const char *
beacon_session_get_user_name (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->user_name;
}

const char *
beacon_session_get_user_email (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->user_email;
}

const char *
beacon_session_get_own_status (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->own_status;
}

const char *
beacon_session_get_custom_message (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->custom_message;
}

const char *
beacon_session_get_error_message (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->error_message;
}

guint
beacon_session_get_online_count (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), 0);
  return self->online_count;
}

/**
 * beacon_session_get_contacts:
 * @self: a session
 *
 * Returns: (transfer none): the contacts, owned by the session for its whole life
 */
BeaconPresenceStore *
beacon_session_get_contacts (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->contacts;
}

/**
 * beacon_session_get_conversations:
 * @self: a session
 *
 * Returns: (transfer none): the conversations, owned by the session for its whole life
 */
BeaconConversationStore *
beacon_session_get_conversations (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->conversations;
}

/**
 * beacon_session_get_api:
 * @self: a session
 *
 * Returns: (transfer none): the REST client, with the session's token
 */
BeaconApi *
beacon_session_get_api (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->api;
}

/**
 * beacon_session_get_socket:
 * @self: a session
 *
 * Returns: (transfer none): the socket
 */
BeaconSocket *
beacon_session_get_socket (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->socket;
}

/* Sign-in */

typedef struct
{
  char *email;
} SignIn;

static void
sign_in_free (SignIn *data)
{
  g_free (data->email);
  g_free (data);
}

static void
on_sign_in_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)  task = user_data;
  g_autoptr (GError) error = NULL;
  BeaconSession     *self = g_task_get_source_object (task);
  BeaconAccount     *account = BEACON_ACCOUNT (source);

  /* Without a keyring the session still works; it just will not be resumed. */
  if (!beacon_account_store_token_finish (account, result, &error))
    g_warning ("Cannot store the token in the keyring: %s", error->message);
  if (g_task_return_error_if_cancelled (task))
    {
      set_state (self, BEACON_SESSION_STATE_SIGNED_OUT);
      return;
    }
  g_set_object (&self->account, account);
  start_running (self, beacon_account_get_token (account));
  g_task_return_boolean (task, TRUE);
}

static void
on_signed_in (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)         task = user_data;
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconApiUser) user = NULL;
  g_autoptr (BeaconAccount) account = NULL;
  g_autofree char          *token = NULL;
  BeaconSession            *self = g_task_get_source_object (task);
  SignIn                   *data = g_task_get_task_data (task);
  GCancellable             *cancellable;

  token = beacon_api_login_finish (BEACON_API (source), result, &user, &error);
  if (token == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error_message (self, beacon_api_error_sentence (error));
      set_state (self, BEACON_SESSION_STATE_SIGNED_OUT);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  set_user_id (self, user->id);
  set_str_prop (self, &self->user_name, user->name, PROP_USER_NAME);
  set_str_prop (self, &self->user_email, user->email ? user->email : data->email, PROP_USER_EMAIL);
  account = beacon_account_new (self->server_url, self->user_email, token);
  cancellable = g_task_get_cancellable (task);
  beacon_account_store_token_async (account, cancellable, on_sign_in_stored,
                                    g_steal_pointer (&task));
}

/**
 * beacon_session_sign_in_async:
 * @self: a session
 * @email: the email
 * @password: the password
 * @cancellable: (nullable): a cancellable
 * @callback: called once signed in (the token obtained and stored), not once online
 * @user_data: for @callback
 *
 * `POST /api/auth/login`, the token into the keyring, then the session starts (state
 * CONNECTING, then ONLINE). Whoever was signed in before is forgotten.
 */
void
beacon_session_sign_in_async (BeaconSession      *self,
                              const char         *email,
                              const char         *password,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  SignIn           *data;

  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (email != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_session_sign_in_async);
  data = g_new0 (SignIn, 1);
  data->email = g_strdup (email);
  g_task_set_task_data (task, data, (GDestroyNotify) sign_in_free);

  halt (self);
  g_clear_object (&self->account);
  forget_user (self);
  set_error_message (self, NULL);
  set_state (self, BEACON_SESSION_STATE_SIGNING_IN);
  beacon_api_login_async (self->api, email, password, cancellable, on_signed_in,
                          g_steal_pointer (&task));
}

/**
 * beacon_session_sign_in_finish:
 * @self: a session
 * @result: the result
 * @error: a #BEACON_API_ERROR (invalid_credentials, network, not a Beacon server...)
 *
 * Returns: %TRUE when signed in
 */
gboolean
beacon_session_sign_in_finish (BeaconSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == beacon_session_sign_in_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Resume */

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)         task = user_data;
  g_autoptr (GError)        error = NULL;
  g_autoptr (BeaconAccount) account = beacon_account_lookup_finish (result, &error);
  BeaconSession            *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task) || error != NULL || account == NULL)
    {
      set_state (self, BEACON_SESSION_STATE_SIGNED_OUT);
      if (error != NULL && !g_task_had_error (task))
        g_task_return_error (task, g_steal_pointer (&error));
      else if (!g_task_had_error (task))
        g_task_return_boolean (task, FALSE);
      return;
    }
  self->account = g_steal_pointer (&account);
  set_str_prop (self, &self->user_email, beacon_account_get_email (self->account), PROP_USER_EMAIL);
  start_running (self, beacon_account_get_token (self->account));
  g_task_return_boolean (task, TRUE);
}

/**
 * beacon_session_resume_async:
 * @self: a session
 * @cancellable: (nullable): a cancellable
 * @callback: called with the answer
 * @user_data: for @callback
 *
 * Looks up a token stored for the server in the keyring and starts with it.
 */
void
beacon_session_resume_async (BeaconSession      *self,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BEACON_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_session_resume_async);
  halt (self);
  g_clear_object (&self->account);
  forget_user (self);
  set_state (self, BEACON_SESSION_STATE_SIGNING_IN);
  beacon_account_lookup_async (self->server_url, cancellable, on_looked_up,
                               g_steal_pointer (&task));
}

/**
 * beacon_session_resume_finish:
 * @self: a session
 * @result: the result
 * @error: a failure of the Secret Service
 *
 * Returns: %TRUE when a stored token was found and the session started with it; %FALSE
 *   with no error when none is stored (the state stays SIGNED_OUT)
 */
gboolean
beacon_session_resume_finish (BeaconSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == beacon_session_resume_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * beacon_session_start_with_token:
 * @self: a session
 * @token: a token the caller has (tests, `beacon-cli --token`)
 *
 * Starts the session with @token; nothing goes to the keyring.
 */
void
beacon_session_start_with_token (BeaconSession *self, const char *token)
{
  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (token != NULL && *token != '\0');

  halt (self);
  g_clear_object (&self->account);
  forget_user (self);
  start_running (self, token);
}

/* Sign-out */

static void
on_sign_out_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)  task = user_data;
  g_autoptr (GError) error = NULL;

  if (!beacon_account_clear_finish (BEACON_ACCOUNT (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * beacon_session_sign_out_async:
 * @self: a session
 * @cancellable: (nullable): a cancellable
 * @callback: called once the token is deleted
 * @user_data: for @callback
 *
 * Disconnects, deletes the token from the keyring and clears the stores: state
 * SIGNED_OUT.
 */
void
beacon_session_sign_out_async (BeaconSession      *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask)         task = NULL;
  g_autoptr (BeaconAccount) account = NULL;

  g_return_if_fail (BEACON_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_session_sign_out_async);
  account = g_steal_pointer (&self->account);
  halt (self);
  forget_user (self);
  set_error_message (self, NULL);
  set_state (self, BEACON_SESSION_STATE_SIGNED_OUT);
  if (account == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  beacon_account_clear_async (account, cancellable, on_sign_out_cleared, g_steal_pointer (&task));
}

gboolean
beacon_session_sign_out_finish (BeaconSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == beacon_session_sign_out_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * beacon_session_stop:
 * @self: a session
 *
 * Stops the socket without touching the keyring (the application quits): state
 * SIGNED_OUT.
 */
void
beacon_session_stop (BeaconSession *self)
{
  g_return_if_fail (BEACON_IS_SESSION (self));

  halt (self);
  set_state (self, BEACON_SESSION_STATE_SIGNED_OUT);
}

/**
 * beacon_session_retry_now:
 * @self: a session
 *
 * Reconnects at once instead of waiting for next-retry-in (a "Retry now" button).
 */
void
beacon_session_retry_now (BeaconSession *self)
{
  g_return_if_fail (BEACON_IS_SESSION (self));

  if (!self->running || beacon_socket_get_state (self->socket) != BEACON_SOCKET_STATE_RECONNECTING)
    return;
  beacon_socket_disconnect (self->socket);
  beacon_socket_connect (self->socket);
}

/* Chat focus */

/**
 * beacon_session_chat_focus:
 * @self: a session
 * @partner_id: whom the focused chat is with
 *
 * Sends `chat:focus` (the partner then sees us chatting with them), and again after each
 * reconnect until beacon_session_chat_blur(). The same partner twice sends it once.
 */
void
beacon_session_chat_focus (BeaconSession *self, const char *partner_id)
{
  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (partner_id != NULL);

  if (!replace_str (&self->focused_partner, partner_id))
    return;
  update_focused_conversation (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOCUSED_PARTNER]);
  if (self->running && beacon_socket_is_joined (self->socket, "/"))
    send_focus (self);
}

/**
 * beacon_session_chat_blur:
 * @self: a session
 *
 * Sends `chat:blur`; nothing when no chat is focused.
 */
void
beacon_session_chat_blur (BeaconSession *self)
{
  g_return_if_fail (BEACON_IS_SESSION (self));

  if (self->focused_partner == NULL)
    return;
  set_str_prop (self, &self->focused_partner, NULL, PROP_FOCUSED_PARTNER);
  update_focused_conversation (self);
  if (self->running && beacon_socket_is_joined (self->socket, "/"))
    beacon_socket_emit (self->socket, "/", "chat:blur", NULL);
}

/**
 * beacon_session_get_focused_partner:
 * @self: a session
 *
 * Returns: (nullable): the partner of the focused chat
 */
const char *
beacon_session_get_focused_partner (BeaconSession *self)
{
  g_return_val_if_fail (BEACON_IS_SESSION (self), NULL);
  return self->focused_partner;
}

/* Acks */

/* The error of an ack that reports failure, `{"ok":false,"error":{"code","message"}}`, or
 * of one that is not an object; NULL for `{"ok":true,...}`. */
static GError *
ack_error (JsonArray *args, const char *event)
{
  JsonNode   *answer = json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;
  JsonObject *object;
  JsonNode   *failure;

  if (answer == NULL || !JSON_NODE_HOLDS_OBJECT (answer))
    return g_error_new (BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE,
                        "%s: the ack is not an object", event);
  object = json_node_get_object (answer);
  if (json_object_get_boolean_member_with_default (object, "ok", FALSE))
    return NULL;
  failure = json_object_get_member (object, "error");
  if (failure == NULL || !JSON_NODE_HOLDS_OBJECT (failure))
    return g_error_new (BEACON_API_ERROR, BEACON_API_ERROR_FAILED, "%s failed", event);
  object = json_node_get_object (failure);
  return g_error_new (BEACON_API_ERROR,
                      beacon_api_error_from_server_code (
                          json_object_get_string_member_with_default (object, "code", NULL), 0),
                      "%s: %s", event,
                      json_object_get_string_member_with_default (object, "message", "failed"));
}

/* Own status */

typedef struct
{
  char *status;
  char *message;
} StatusChange;

static void
status_change_free (StatusChange *change)
{
  g_free (change->status);
  g_free (change->message);
  g_free (change);
}

static void
status_done (GTask *task)
{
  BeaconSession *self = g_task_get_source_object (task);
  StatusChange  *change = g_task_get_task_data (task);

  set_own_status (self, change->status, change->message);
  g_task_return_boolean (task, TRUE);
}

static void
on_status_acked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)     task = user_data;
  g_autoptr (GError)    error = NULL;
  g_autoptr (JsonArray) args =
      beacon_socket_emit_with_ack_finish (BEACON_SOCKET (source), result, &error);

  if (args != NULL)
    error = ack_error (args, "update_status");
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    status_done (task);
}

static void
on_status_patched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)                task = user_data;
  g_autoptr (GError)               error = NULL;
  g_autoptr (BeaconPresenceRecord) record =
      beacon_api_set_status_finish (BEACON_API (source), result, &error);

  if (record == NULL)
    {
      check_token (g_task_get_source_object (task), error);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    status_done (task);
}

/**
 * beacon_session_set_status_async:
 * @self: a session
 * @status: "online", "away", "busy" or "invisible"
 * @message: (nullable): a custom message, at most 100 characters
 * @cancellable: (nullable): a cancellable
 * @callback: called once the server took it
 * @user_data: for @callback
 *
 * `update_status` over the socket when connected, `PATCH /api/users/presence/status`
 * otherwise; own-status and custom-message follow once the server has taken it.
 */
void
beacon_session_set_status_async (BeaconSession      *self,
                                 const char         *status,
                                 const char         *message,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  StatusChange     *change;

  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (status != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_session_set_status_async);
  if (!g_strv_contains (own_statuses, status) ||
      (message != NULL && (!g_utf8_validate (message, -1, NULL) ||
                           g_utf8_strlen (message, -1) > BEACON_PRESENCE_MAX_CUSTOM_MESSAGE)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "a status is online, away, busy or invisible, with a message of "
                               "at most %d characters",
                               BEACON_PRESENCE_MAX_CUSTOM_MESSAGE);
      return;
    }
  change = g_new0 (StatusChange, 1);
  change->status = g_strdup (status);
  change->message = g_strdup (message);
  g_task_set_task_data (task, change, (GDestroyNotify) status_change_free);

  if (self->running && beacon_socket_is_joined (self->socket, "/"))
    {
      g_autoptr (JsonArray)  args = json_array_new ();
      g_autoptr (JsonObject) payload = json_object_new ();

      json_object_set_string_member (payload, "status", status);
      if (message != NULL)
        json_object_set_string_member (payload, "message", message);
      else
        json_object_set_null_member (payload, "message");
      json_array_add_object_element (args, g_steal_pointer (&payload));
      beacon_socket_emit_with_ack_async (self->socket, "/", "update_status", args,
                                         STATUS_ACK_TIMEOUT_MS, cancellable, on_status_acked,
                                         g_steal_pointer (&task));
    }
  else
    beacon_api_set_status_async (self->api, status, message, cancellable, on_status_patched,
                                 g_steal_pointer (&task));
}

gboolean
beacon_session_set_status_finish (BeaconSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == beacon_session_set_status_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Conversations */

typedef struct
{
  BeaconConversation *conversation;
  char               *client_id;
} Sending;

static void
sending_free (Sending *sending)
{
  g_clear_object (&sending->conversation);
  g_free (sending->client_id);
  g_free (sending);
}

static void
on_message_acked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)     task = user_data;
  g_autoptr (GError)    error = NULL;
  g_autoptr (JsonArray) args =
      beacon_socket_emit_with_ack_finish (BEACON_SOCKET (source), result, &error);
  BeaconSession *self = g_task_get_source_object (task);
  Sending       *sending = g_task_get_task_data (task);
  JsonObject    *ack;
  JsonNode      *message;

  if (args != NULL)
    error = ack_error (args, "send_message");
  if (error == NULL)
    {
      ack = json_array_get_object_element (args, 0);
      message = json_object_get_member (ack, "message");
      if (message == NULL || !JSON_NODE_HOLDS_OBJECT (message))
        error = g_error_new (BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE,
                             "send_message: the ack has no message");
    }
  if (error != NULL)
    {
      beacon_message_list_fail (beacon_conversation_get_messages (sending->conversation),
                                sending->client_id);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Confirmed as message:sent would (that event may come first, or never). */
  {
    g_autoptr (JsonObject) sent = json_object_new ();

    json_object_set_string_member (sent, "conversationId",
                                   beacon_conversation_get_id (sending->conversation));
    json_object_set_member (sent, "message", json_node_copy (message));
    json_object_set_string_member (sent, "clientMessageId", sending->client_id);
    beacon_conversation_store_apply_message_sent (self->conversations, sent);
  }
  g_task_return_boolean (task, TRUE);
}

/**
 * beacon_session_send_message_async:
 * @self: a session
 * @conversation: a conversation of the session
 * @text: what to send (1 to 4000 characters once trimmed)
 * @cancellable: (nullable): a cancellable
 * @callback: called once the server stored it, or it failed
 * @user_data: for @callback
 *
 * Appends our message as PENDING at once, then sends `send_message` with its client id
 * (queued while reconnecting): the ack confirms it (SENT, DELIVERED with `message:sent`),
 * a failure or no answer in time makes it FAILED.
 */
void
beacon_session_send_message_async (BeaconSession      *self,
                                   BeaconConversation *conversation,
                                   const char         *text,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr (GTask)      task = NULL;
  g_autoptr (JsonArray)  args = json_array_new ();
  g_autoptr (JsonObject) payload = json_object_new ();
  BeaconMessage         *pending;
  Sending               *sending;

  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (BEACON_IS_CONVERSATION (conversation));
  g_return_if_fail (text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_session_send_message_async);
  pending = beacon_message_list_add_pending (beacon_conversation_get_messages (conversation), text);
  sending = g_new0 (Sending, 1);
  sending->conversation = g_object_ref (conversation);
  sending->client_id = g_strdup (beacon_message_get_client_id (pending));
  g_task_set_task_data (task, sending, (GDestroyNotify) sending_free);

  json_object_set_string_member (payload, "conversationId",
                                 beacon_conversation_get_id (conversation));
  json_object_set_string_member (payload, "content", text);
  json_object_set_string_member (payload, "clientMessageId", sending->client_id);
  json_array_add_object_element (args, g_steal_pointer (&payload));
  beacon_socket_emit_with_ack_async (self->socket, "/", "send_message", args,
                                     MESSAGE_ACK_TIMEOUT_MS, cancellable, on_message_acked,
                                     g_steal_pointer (&task));
}

/**
 * beacon_session_send_message_finish:
 * @self: a session
 * @result: the result
 * @error: why it was not sent (the message itself is then FAILED)
 *
 * Returns: %TRUE when the server stored the message
 */
gboolean
beacon_session_send_message_finish (BeaconSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (
      g_task_get_source_tag (G_TASK (result)) == beacon_session_send_message_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_conversation_opened (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)      task = user_data;
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) object =
      beacon_api_open_conversation_finish (BEACON_API (source), result, &error);
  BeaconSession      *self = g_task_get_source_object (task);
  BeaconConversation *conversation;
  const char         *id;

  if (object == NULL)
    {
      check_token (self, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  conversation = beacon_conversation_store_add (self->conversations, object);
  if (conversation == NULL)
    {
      g_task_return_new_error (task, BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE,
                               "unexpected answer: not a conversation");
      return;
    }
  id = beacon_conversation_get_id (conversation);
  if (g_hash_table_add (self->joined, g_strdup (id)) && self->running &&
      beacon_socket_is_joined (self->socket, "/"))
    emit_conversation_event (self, "join_conversation", id);
  update_focused_conversation (self);
  g_task_return_pointer (task, g_object_ref (conversation), g_object_unref);
}

/**
 * beacon_session_open_conversation_async:
 * @self: a session
 * @partner_id: the user to chat with
 * @cancellable: (nullable): a cancellable
 * @callback: called with the conversation
 * @user_data: for @callback
 *
 * `POST /api/conversations` (the conversation is created if new), into the store, and
 * `join_conversation` (again after each reconnect).
 */
void
beacon_session_open_conversation_async (BeaconSession      *self,
                                        const char         *partner_id,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (partner_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_session_open_conversation_async);
  beacon_api_open_conversation_async (self->api, partner_id, cancellable, on_conversation_opened,
                                      g_steal_pointer (&task));
}

/**
 * beacon_session_open_conversation_finish:
 * @self: a session
 * @result: the result
 * @error: a #BEACON_API_ERROR
 *
 * Returns: (transfer full) (nullable): the conversation, as the store holds it
 */
BeaconConversation *
beacon_session_open_conversation_finish (BeaconSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (
      g_task_get_source_tag (G_TASK (result)) == beacon_session_open_conversation_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_page (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)     task = user_data;
  g_autoptr (GError)    error = NULL;
  g_autoptr (JsonArray) page =
      beacon_api_list_messages_finish (BEACON_API (source), result, &error);
  BeaconConversation *conversation = g_task_get_task_data (task);

  if (page == NULL)
    {
      check_token (g_task_get_source_object (task), error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  beacon_message_list_prepend_page (beacon_conversation_get_messages (conversation), page,
                                    HISTORY_PAGE);
  g_task_return_boolean (task, TRUE);
}

static void
load_page (BeaconSession      *self,
           BeaconConversation *conversation,
           gpointer            source_tag,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  g_autoptr (GTask)  task = g_task_new (self, cancellable, callback, user_data);
  BeaconMessageList *list = beacon_conversation_get_messages (conversation);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, g_object_ref (conversation), g_object_unref);
  beacon_api_list_messages_async (self->api, beacon_conversation_get_id (conversation),
                                  beacon_message_list_get_oldest_id (list), HISTORY_PAGE,
                                  cancellable, on_page, g_steal_pointer (&task));
}

/**
 * beacon_session_load_older_async:
 * @self: a session
 * @conversation: a conversation of the session
 * @cancellable: (nullable): a cancellable
 * @callback: called once the page is in the conversation's messages
 * @user_data: for @callback
 *
 * Loads the page of history before the oldest message shown (the newest page when none
 * is), 50 messages; the list's "has-more" says whether there are older ones.
 */
void
beacon_session_load_older_async (BeaconSession      *self,
                                 BeaconConversation *conversation,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (BEACON_IS_CONVERSATION (conversation));

  load_page (self, conversation, beacon_session_load_older_async, cancellable, callback, user_data);
}

gboolean
beacon_session_load_older_finish (BeaconSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == beacon_session_load_older_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
send_mark_read (BeaconSession *self, BeaconConversation *conversation)
{
  const char *up_to =
      beacon_message_list_get_last_incoming_id (beacon_conversation_get_messages (conversation));
  g_autoptr (JsonArray)  args = json_array_new ();
  g_autoptr (JsonObject) payload = json_object_new ();

  beacon_conversation_store_set_read (self->conversations,
                                      beacon_conversation_get_id (conversation));
  if (up_to == NULL)
    return;
  json_object_set_string_member (payload, "conversationId",
                                 beacon_conversation_get_id (conversation));
  json_object_set_string_member (payload, "upTo", up_to);
  json_array_add_object_element (args, g_steal_pointer (&payload));
  beacon_socket_emit (self->socket, "/", "mark_read", args);
}

static void
on_page_to_mark (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconSession      *self = BEACON_SESSION (source);
  g_autoptr (GError)  error = NULL;
  BeaconConversation *conversation = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_debug ("session %s: no page to mark read: %s", self->server_url, error->message);
      return;
    }
  send_mark_read (self, conversation);
}

/**
 * beacon_session_mark_read:
 * @self: a session
 * @conversation: a conversation of the session
 *
 * Sends `mark_read` up to the partner's newest message (loading the newest page first
 * when no message is known yet), and the conversation has nothing unread.
 */
void
beacon_session_mark_read (BeaconSession *self, BeaconConversation *conversation)
{
  BeaconMessageList *list;

  g_return_if_fail (BEACON_IS_SESSION (self));
  g_return_if_fail (BEACON_IS_CONVERSATION (conversation));

  list = beacon_conversation_get_messages (conversation);
  if (beacon_message_list_get_last_incoming_id (list) == NULL &&
      !beacon_message_list_get_history_loaded (list))
    load_page (self, conversation, beacon_session_mark_read, NULL, on_page_to_mark, NULL);
  else
    send_mark_read (self, conversation);
}
