/* bs-hub.c: beacon-server's presence hub: the in-memory model of users, contacts and
 * devices, resolution per viewer, fan-out of encoded-once changes, guests, and messages. */

#include "bs-hub.h"

#include <string.h>

#include "beacon-json.h"
#include "beacon-jwt.h"
#include "beacon-presence-record.h"
#include "bs-json.h"
#include "bs-metrics.h"

#define TOKEN_LIFETIME_S   (30 * 24 * 3600)
#define MAX_CUSTOM_MESSAGE 100
#define MAX_CONTENT        4000
#define MAX_GET_PRESENCE   500
#define MAX_ID_LENGTH      64
/* Versions persisted with a delay of up to a second: on start every version jumps by this,
 * so they keep growing even when a crash lost the last second of bumps. */
#define VERSION_RESTART_MARGIN 1000

typedef enum
{
  CHOSEN_ONLINE,
  CHOSEN_AWAY,
  CHOSEN_BUSY,
  CHOSEN_INVISIBLE,
} Chosen;

typedef enum
{
  LAST_SEEN_EVERYONE,
  LAST_SEEN_CONTACTS,
  LAST_SEEN_NOBODY,
} LastSeenPolicy;

static const char *const chosen_names[] = { "online", "away", "busy", "invisible" };
static const char *const last_seen_names[] = { "everyone", "contacts", "nobody" };

typedef struct _User   User;
typedef struct _Device Device;

struct _User
{
  char          *id;
  char          *name;
  char          *email;
  char          *role;
  char          *headline;
  GHashTable    *contacts; /* set of User * */
  GPtrArray     *devices;  /* of Device * */
  Chosen         chosen;
  char          *custom_message;
  gint64         last_seen;   /* ms, -1 when never */
  gint64         last_active; /* ms, -1 when unknown */
  gboolean       show_online;
  LastSeenPolicy show_last_seen;
  gint64         version;
  gboolean       dirty; /* presence row to be saved */
};

struct _Device
{
  BsHub       *hub;
  User        *user;
  BsSioSocket *socket;
  User        *chatting_with;
  GHashTable  *rooms; /* conversation ids joined */
  uv_timer_t  *heartbeat_timer;
};

struct _BsHub
{
  uv_loop_t  *loop;
  BsStore    *store;
  BsSio      *sio;
  BsHubConfig config;
  guint8     *jwt_key;
  GHashTable *users;              /* id -> User */
  GHashTable *guests;             /* set of BsSioSocket on /presence */
  GHashTable *online_freelancers; /* set of User */
  uv_timer_t *guest_timer;
  guint64     guest_sent_at;
  char       *guest_last_list;
  GHashTable *dirty; /* set of User with a row to save */
};

GQuark
bs_hub_error_quark (void)
{
  return g_quark_from_static_string ("bs-hub-error-quark");
}

const char *
bs_hub_error_code (const GError *error)
{
  static const char *const codes[] = { "bad_request", "not_found", "forbidden", "internal" };

  if (error == NULL || error->domain != BS_HUB_ERROR || error->code < 0 ||
      error->code >= (int) G_N_ELEMENTS (codes))
    return "internal";
  return codes[error->code];
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
user_free (User *user)
{
  g_free (user->id);
  g_free (user->name);
  g_free (user->email);
  g_free (user->role);
  g_free (user->headline);
  g_hash_table_unref (user->contacts);
  g_ptr_array_unref (user->devices);
  g_free (user->custom_message);
  g_free (user);
}

static gboolean
user_connected (User *user)
{
  return user->devices->len > 0;
}

/* Whether contacts see the user online (online, away or busy). */
static gboolean
user_visible (User *user)
{
  return user_connected (user) && user->chosen != CHOSEN_INVISIBLE && user->show_online;
}

static gboolean
user_hidden (User *user)
{
  return user->chosen == CHOSEN_INVISIBLE || !user->show_online;
}

static gboolean
user_chatting_with (User *user, User *viewer)
{
  for (guint i = 0; i < user->devices->len; i++)
    if (((Device *) user->devices->pdata[i])->chatting_with == viewer)
      return TRUE;
  return FALSE;
}

static gboolean
is_contact (User *a, User *b)
{
  return g_hash_table_contains (a->contacts, b);
}

static gboolean
may_see_last_seen (User *user, User *viewer)
{
  if (viewer == user)
    return TRUE;
  if (user_hidden (user))
    return FALSE;
  switch (user->show_last_seen)
    {
    case LAST_SEEN_EVERYONE: return TRUE;
    case LAST_SEEN_CONTACTS: return viewer != NULL && is_contact (user, viewer);
    case LAST_SEEN_NOBODY:
    default: return FALSE;
    }
}

/* The presence record of user as viewer sees it (viewer == user: the user's own record,
 * sent to their other devices). */
static JsonNode *
record_json (User *user, User *viewer)
{
  g_autoptr (BeaconPresenceRecord) record = beacon_presence_record_new (user->id);
  gboolean                         self = viewer == user;
  gboolean                         visible = user_visible (user);

  if (!visible)
    record->status = BEACON_PRESENCE_OFFLINE;
  else if (user->chosen == CHOSEN_AWAY)
    record->status = BEACON_PRESENCE_AWAY;
  else if (user->chosen == CHOSEN_BUSY)
    record->status = BEACON_PRESENCE_BUSY;
  else
    record->status = BEACON_PRESENCE_ONLINE;

  if (may_see_last_seen (user, viewer))
    {
      record->last_seen_ms = user->last_seen;
      record->last_active_ms = user->last_active;
    }
  record->chatting_with_me = visible && !self && user_chatting_with (user, viewer);
  record->custom_message = g_strdup (self || !user_hidden (user) ? user->custom_message : NULL);
  record->role = g_strdup (user->role);
  record->version = user->version;
  return beacon_presence_record_to_json (record);
}

static void
mark_dirty (BsHub *hub, User *user)
{
  g_hash_table_add (hub->dirty, user);
}

static void
bump (BsHub *hub, User *user)
{
  user->version++;
  mark_dirty (hub, user);
}

static void
send_to_user (User *user, GBytes *packet, Device *except)
{
  for (guint i = 0; i < user->devices->len; i++)
    {
      Device *device = user->devices->pdata[i];

      if (device != except)
        bs_sio_socket_send (device->socket, packet);
    }
}

static void
emit_to_user (User *user, const char *event, JsonNode *arg, Device *except)
{
  g_autoptr (GBytes) packet = NULL;
  guint              n = 0;

  for (guint i = 0; i < user->devices->len; i++)
    if (user->devices->pdata[i] != except)
      n++;
  if (n == 0)
    return;
  packet = bs_sio_encode_event ("/", event, arg);
  send_to_user (user, packet, except);
  bs_metrics_event_out (event, n);
}

/* Sends the user's presence to every connected contact: one encoding for all who get the
 * plain record, one per chat partner (chatting_with_me differs for them only). */
static void
publish_to_contacts (BsHub *hub, User *user)
{
  gint64             start = g_get_monotonic_time ();
  g_autoptr (GBytes) plain = NULL;
  GHashTableIter     iter;
  gpointer           key;
  guint              n = 0;

  g_hash_table_iter_init (&iter, user->contacts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      User *contact = key;

      if (!user_connected (contact))
        continue;
      if (user_visible (user) && user_chatting_with (user, contact))
        {
          g_autoptr (JsonNode) record = record_json (user, contact);
          g_autoptr (GBytes)   packet = bs_sio_encode_event ("/", "presence_updated", record);

          send_to_user (contact, packet, NULL);
        }
      else
        {
          if (plain == NULL)
            {
              /* Plain records differ per viewer only by the last_seen policy "contacts",
               * which every viewer here satisfies: one encoding fits all. */
              g_autoptr (JsonNode) record = record_json (user, contact);
              plain = bs_sio_encode_event ("/", "presence_updated", record);
            }
          send_to_user (contact, plain, NULL);
        }
      n += contact->devices->len;
    }
  if (n > 0)
    {
      bs_metrics_event_out ("presence_updated", n);
      bs_metrics_fanout_latency ((g_get_monotonic_time () - start) / 1e6);
    }
}

/* Tells one viewer whose chatting_with_me flag changed. */
static void
publish_to_viewer (BsHub *hub, User *user, User *viewer)
{
  g_autoptr (JsonNode) record = NULL;

  if (viewer == NULL || !is_contact (user, viewer) || !user_connected (viewer))
    return;
  record = record_json (user, viewer);
  emit_to_user (viewer, "presence_updated", record, NULL);
}

static void
send_to_own_devices (User *user, Device *except)
{
  g_autoptr (JsonNode) record = record_json (user, user);

  emit_to_user (user, "presence_updated", record, except);
}

/* ---------------------------------------------------------------------------------------
 * Guests (/presence): the online freelancers, coalesced. */

static gboolean
is_freelancer (User *user)
{
  return g_strcmp0 (user->role, "FREELANCER") == 0;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static JsonNode *
guest_list_json (BsHub *hub)
{
  g_autofree gpointer    *users = NULL;
  g_autoptr (GPtrArray)   ids = g_ptr_array_new ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char        *now = beacon_presence_format_timestamp (now_ms ());
  guint                   n;

  users = g_hash_table_get_keys_as_array (hub->online_freelancers, &n);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (ids, ((User *) users[i])->id);
  g_ptr_array_sort (ids, compare_strings);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "onlineFreelancerIds");
  json_builder_begin_array (builder);
  for (guint i = 0; i < ids->len; i++)
    json_builder_add_string_value (builder, ids->pdata[i]);
  json_builder_end_array (builder);
  bs_json_member_string (builder, "timestamp", now);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
on_guest_timer (uv_timer_t *timer)
{
  BsHub               *hub = timer->data;
  g_autoptr (JsonNode) payload = guest_list_json (hub);
  g_autofree char     *ids = beacon_json_to_string (
          json_object_get_member (json_node_get_object (payload), "onlineFreelancerIds"));
  g_autoptr (GBytes) packet = NULL;
  GHashTableIter     iter;
  gpointer           key;

  if (g_strcmp0 (ids, hub->guest_last_list) == 0)
    return; /* changes that cancelled out within the second */
  g_free (hub->guest_last_list);
  hub->guest_last_list = g_steal_pointer (&ids);
  hub->guest_sent_at = uv_now (hub->loop);

  packet = bs_sio_encode_event ("/presence", "presence:update", payload);
  g_hash_table_iter_init (&iter, hub->guests);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    bs_sio_socket_send (key, packet);
  bs_metrics_event_out ("presence:update", g_hash_table_size (hub->guests));
}

static void
schedule_guest_update (BsHub *hub)
{
  guint64 now = uv_now (hub->loop);
  guint64 due = hub->guest_sent_at + hub->config.guest_coalesce_ms;

  if (uv_is_active ((uv_handle_t *) hub->guest_timer))
    return;
  uv_timer_start (hub->guest_timer, on_guest_timer, due > now ? due - now : 0, 0);
}

/* Call after anything that may change whether contacts see the user online. */
static void
visibility_changed (BsHub *hub, User *user)
{
  gboolean listed;

  if (!is_freelancer (user))
    return;
  listed = g_hash_table_contains (hub->online_freelancers, user);
  if (user_visible (user) && !listed)
    g_hash_table_add (hub->online_freelancers, user);
  else if (!user_visible (user) && listed)
    g_hash_table_remove (hub->online_freelancers, user);
  else
    return;
  schedule_guest_update (hub);
}

/* ---------------------------------------------------------------------------------------
 * Payload helpers */

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A user id from a JSON string or integer (kept as decimal text); NULL when malformed. */
static char *
id_from_node (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (node);
      gsize       len = strlen (s);

      if (len == 0 || len > MAX_ID_LENGTH)
        return NULL;
      return g_strdup (s);
    }
  return NULL;
}

static User *
user_from_node (BsHub *hub, JsonNode *node)
{
  g_autofree char *id = id_from_node (node);

  return id ? g_hash_table_lookup (hub->users, id) : NULL;
}

static JsonNode *
ok_json (void)
{
  JsonObject *object = json_object_new ();
  JsonNode   *node;

  json_object_set_boolean_member (object, "ok", TRUE);
  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  return node;
}

/* Chosen status from "away" or {"status","message"|"custom_message"}, with the aliases of
 * PROTOCOL.md 4 (dnd = busy, offline = invisible, active = online). */
static gboolean
parse_status (JsonNode *payload, Chosen *chosen, char **message, GError **error)
{
  const char *status = NULL;
  JsonNode   *msg_node = NULL;

  *message = NULL;
  if (payload && JSON_NODE_HOLDS_VALUE (payload) &&
      json_node_get_value_type (payload) == G_TYPE_STRING)
    status = json_node_get_string (payload);
  else if (payload && JSON_NODE_HOLDS_OBJECT (payload))
    {
      JsonObject *object = json_node_get_object (payload);

      status = string_member (object, "status");
      msg_node = json_object_get_member (object, "message");
      if (msg_node == NULL)
        msg_node = json_object_get_member (object, "custom_message");
    }
  if (status == NULL)
    {
      g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                           "status must be a string");
      return FALSE;
    }
  if (strcmp (status, "dnd") == 0)
    status = "busy";
  else if (strcmp (status, "offline") == 0)
    status = "invisible";
  else if (strcmp (status, "active") == 0)
    status = "online";
  for (guint i = 0; i < G_N_ELEMENTS (chosen_names); i++)
    if (strcmp (status, chosen_names[i]) == 0)
      {
        *chosen = i;
        goto found;
      }
  g_set_error (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
               "status must be online, away, busy or invisible");
  return FALSE;

found:
  if (msg_node != NULL && !JSON_NODE_HOLDS_NULL (msg_node))
    {
      g_autofree char *trimmed = NULL;

      if (!JSON_NODE_HOLDS_VALUE (msg_node) || json_node_get_value_type (msg_node) != G_TYPE_STRING)
        {
          g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                               "message must be a string");
          return FALSE;
        }
      trimmed = g_strstrip (g_strdup (json_node_get_string (msg_node)));
      for (const char *c = trimmed; *c; c++)
        if ((guchar) *c < 0x20 || *c == 0x7f)
          {
            g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                                 "message must not contain control characters");
            return FALSE;
          }
      if (g_utf8_strlen (trimmed, -1) > MAX_CUSTOM_MESSAGE)
        {
          g_set_error (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                       "message is longer than %d characters", MAX_CUSTOM_MESSAGE);
          return FALSE;
        }
      if (*trimmed)
        *message = g_steal_pointer (&trimmed);
    }
  return TRUE;
}

/* Applies a chosen status; from_device (may be NULL for REST) does not get the echo. */
static void
apply_status (BsHub *hub, User *user, Chosen chosen, char *message, Device *from_device)
{
  gboolean visible_before;

  user->last_active = now_ms ();
  bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
  if (chosen == user->chosen && g_strcmp0 (message, user->custom_message) == 0)
    {
      g_free (message);
      return;
    }
  visible_before = user_visible (user);
  user->chosen = chosen;
  g_free (user->custom_message);
  user->custom_message = message;
  if (visible_before && !user_visible (user))
    {
      user->last_seen = now_ms ();
      bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
    }
  bump (hub, user);
  if (visible_before || user_visible (user))
    publish_to_contacts (hub, user);
  send_to_own_devices (user, from_device);
  visibility_changed (hub, user);
}

/* ---------------------------------------------------------------------------------------
 * Devices */

static void
free_timer (uv_handle_t *handle)
{
  g_free (handle);
}

static void
on_heartbeat_timeout (uv_timer_t *timer)
{
  Device *device = timer->data;

  g_debug ("user %s: no heartbeat for %u ms, disconnecting the device", device->user->id,
           device->hub->config.heartbeat_timeout_ms);
  bs_metrics_rejected ("heartbeat_timeout");
  bs_sio_socket_disconnect (device->socket, TRUE);
}

static void
set_chatting_with (BsHub *hub, Device *device, User *partner)
{
  User    *user = device->user;
  User    *previous = device->chatting_with;
  User    *affected[2] = { previous, partner };
  gboolean before[2];
  gboolean changed = FALSE;

  if (previous == partner)
    return;
  for (guint i = 0; i < 2; i++)
    before[i] = affected[i] && user_chatting_with (user, affected[i]);
  device->chatting_with = partner;
  for (guint i = 0; i < 2; i++)
    if (affected[i] && user_chatting_with (user, affected[i]) != before[i])
      changed = TRUE;
  if (!changed || !user_visible (user))
    return;
  bump (hub, user);
  for (guint i = 0; i < 2; i++)
    if (affected[i] && user_chatting_with (user, affected[i]) != before[i])
      publish_to_viewer (hub, user, affected[i]);
}

static JsonNode *
snapshot_json (User *user)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  GHashTableIter          iter;
  gpointer                key;

  json_builder_begin_object (builder);
  bs_json_member_string (builder, "userId", user->id);
  json_builder_set_member_name (builder, "onlineUsers");
  json_builder_begin_array (builder);
  g_hash_table_iter_init (&iter, user->contacts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      User            *contact = key;
      g_autofree char *active = NULL;

      if (!user_visible (contact))
        continue;
      json_builder_begin_object (builder);
      bs_json_member_string (builder, "userId", contact->id);
      bs_json_member_string (builder, "role", contact->role);
      bs_json_member_string (builder, "status", chosen_names[contact->chosen]);
      json_builder_set_member_name (builder, "lastActive");
      if (may_see_last_seen (contact, user) && contact->last_active >= 0)
        json_builder_add_string_value (
            builder, (active = beacon_presence_format_timestamp (contact->last_active)));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "chattingWith");
      if (user_chatting_with (contact, user))
        json_builder_add_string_value (builder, user->id);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
authorize_user (BsEioSocket *eio,
                JsonNode    *auth,
                gpointer    *socket_data,
                JsonNode   **error_data,
                gpointer     user_data)
{
  BsHub           *hub = user_data;
  const char      *token = NULL;
  const char      *code = NULL;
  g_autofree char *user_id = NULL;

  if (auth && JSON_NODE_HOLDS_OBJECT (auth))
    token = string_member (json_node_get_object (auth), "token");
  user_id = bs_hub_authenticate (hub, token, &code);
  if (user_id == NULL)
    {
      JsonObject *error = json_object_new ();
      JsonObject *data = json_object_new ();

      json_object_set_string_member (error, "message", "unauthorized");
      json_object_set_string_member (data, "code", code);
      json_object_set_object_member (error, "data", data);
      *error_data = json_node_init_object (json_node_alloc (), error);
      json_object_unref (error);
      bs_metrics_rejected (code);
      return FALSE;
    }
  *socket_data = g_hash_table_lookup (hub->users, user_id);
  return TRUE;
}

static void
user_connected_cb (BsSioSocket *socket, gpointer user_data)
{
  BsHub               *hub = user_data;
  User                *user = bs_sio_socket_get_data (socket);
  Device              *device = g_new0 (Device, 1);
  gboolean             was_visible = user_visible (user);
  g_autoptr (JsonNode) snapshot = NULL;

  device->hub = hub;
  device->user = user;
  device->socket = socket;
  device->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  device->heartbeat_timer = g_new0 (uv_timer_t, 1);
  uv_timer_init (hub->loop, device->heartbeat_timer);
  device->heartbeat_timer->data = device;
  uv_timer_start (device->heartbeat_timer, on_heartbeat_timeout, hub->config.heartbeat_timeout_ms,
                  0);
  bs_sio_socket_set_data (socket, device);
  g_ptr_array_add (user->devices, device);

  g_debug ("user %s: device %s connected (%u devices)", user->id, bs_sio_socket_get_id (socket),
           user->devices->len);
  user->last_active = now_ms ();
  bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
  if (!was_visible && user_visible (user))
    {
      bump (hub, user);
      publish_to_contacts (hub, user);
      visibility_changed (hub, user);
    }
  snapshot = snapshot_json (user);
  bs_sio_socket_emit (socket, "presence:connected", snapshot);
}

static void
user_disconnected_cb (BsSioSocket *socket, const char *reason, gpointer user_data)
{
  BsHub   *hub = user_data;
  Device  *device = bs_sio_socket_get_data (socket);
  User    *user;
  User    *partner;
  gboolean visible_before;

  if (device == NULL)
    return;
  user = device->user;
  partner = device->chatting_with;
  visible_before = user_visible (user);
  g_ptr_array_remove_fast (user->devices, device);
  g_debug ("user %s: device %s left (%s, %u devices left)", user->id, bs_sio_socket_get_id (socket),
           reason, user->devices->len);

  if (visible_before && !user_visible (user))
    {
      user->last_seen = now_ms ();
      bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
      bump (hub, user);
      publish_to_contacts (hub, user);
      visibility_changed (hub, user);
    }
  else if (partner != NULL && user_visible (user) && !user_chatting_with (user, partner))
    {
      bump (hub, user);
      publish_to_viewer (hub, user, partner);
    }

  uv_timer_stop (device->heartbeat_timer);
  uv_close ((uv_handle_t *) device->heartbeat_timer, free_timer);
  g_hash_table_unref (device->rooms);
  g_free (device);
}

/* ---------------------------------------------------------------------------------------
 * Messages */

static JsonNode *
message_json (const BsMessage *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char        *created = beacon_presence_format_timestamp (message->created_at_ms);

  json_builder_begin_object (builder);
  bs_json_member_string (builder, "id", message->id);
  bs_json_member_string (builder, "conversationId", message->conversation_id);
  bs_json_member_string (builder, "senderId", message->sender_id);
  bs_json_member_string (builder, "content", message->content);
  bs_json_member_string (builder, "createdAt", created);
  json_builder_set_member_name (builder, "readAt");
  if (message->read_at_ms >= 0)
    {
      g_autofree char *read = beacon_presence_format_timestamp (message->read_at_ms);
      json_builder_add_string_value (builder, read);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The conversation, checked to include user; the partner in *partner. */
static BsConversation *
conversation_for (
    BsHub *hub, User *user, const char *conversation_id, User **partner, GError **error)
{
  g_autoptr (GError)         local = NULL;
  g_autoptr (BsConversation) conversation = NULL;
  const char                *other;

  if (conversation_id == NULL || *conversation_id == '\0' ||
      strlen (conversation_id) > MAX_ID_LENGTH)
    {
      g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                           "conversationId must be an id");
      return NULL;
    }
  conversation = bs_store_conversation_by_id (hub->store, conversation_id, &local);
  if (conversation == NULL)
    {
      if (g_error_matches (local, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND))
        g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_NOT_FOUND, "no such conversation");
      else
        {
          g_warning ("conversation lookup failed: %s", local->message);
          g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_INTERNAL, "storage failed");
        }
      return NULL;
    }
  if (strcmp (conversation->user_a, user->id) == 0)
    other = conversation->user_b;
  else if (strcmp (conversation->user_b, user->id) == 0)
    other = conversation->user_a;
  else
    {
      g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_NOT_FOUND, "no such conversation");
      return NULL;
    }
  if (partner)
    *partner = g_hash_table_lookup (hub->users, other);
  return g_steal_pointer (&conversation);
}

static char *
conversation_id_from (JsonNode *payload)
{
  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    return NULL;
  return id_from_node (json_object_get_member (json_node_get_object (payload), "conversationId"));
}

static void
handle_send_message (BsHub *hub, Device *device, JsonNode *payload, gint64 ack_id)
{
  User                      *user = device->user;
  User                      *partner = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *conversation_id = conversation_id_from (payload);
  g_autoptr (BsConversation) conversation = NULL;
  g_autoptr (BsMessage)      message = NULL;
  g_autoptr (JsonNode)       message_node = NULL;
  g_autofree char           *content = NULL;
  const char                *client_message_id = NULL;
  gboolean                   auto_read;
  gint64                     now = now_ms ();

  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    {
      bs_sio_socket_fail (device->socket, "send_message", ack_id, "bad_request",
                          "payload must be an object");
      return;
    }
  if (!(conversation = conversation_for (hub, user, conversation_id, &partner, &error)))
    {
      bs_sio_socket_fail (device->socket, "send_message", ack_id, bs_hub_error_code (error),
                          error->message);
      return;
    }
  {
    const char *raw = string_member (json_node_get_object (payload), "content");
    glong       n;

    if (raw == NULL)
      {
        bs_sio_socket_fail (device->socket, "send_message", ack_id, "bad_request",
                            "content must be a string");
        return;
      }
    content = g_strstrip (g_strdup (raw));
    n = g_utf8_strlen (content, -1);
    if (n < 1 || n > MAX_CONTENT)
      {
        bs_sio_socket_fail (device->socket, "send_message", ack_id, "bad_request",
                            "content must be 1 to 4000 characters");
        return;
      }
  }
  client_message_id = string_member (json_node_get_object (payload), "clientMessageId");

  auto_read = partner != NULL && user_chatting_with (partner, user);
  message = bs_store_message_add (hub->store, conversation->id, user->id, content, now, auto_read,
                                  &error);
  if (message == NULL)
    {
      g_warning ("storing a message failed: %s", error->message);
      bs_sio_socket_fail (device->socket, "send_message", ack_id, "internal",
                          "the message could not be stored");
      return;
    }
  user->last_active = now;
  bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
  message_node = message_json (message);

  {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode)    event = NULL;

    json_builder_begin_object (builder);
    bs_json_member_string (builder, "conversationId", conversation->id);
    json_builder_set_member_name (builder, "message");
    json_builder_add_value (builder, json_node_ref (message_node));
    json_builder_end_object (builder);
    event = json_builder_get_root (builder);
    if (partner)
      emit_to_user (partner, "new_message", event, NULL);
    emit_to_user (user, "new_message", event, device);
  }
  {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode)    sent = NULL;

    json_builder_begin_object (builder);
    bs_json_member_string (builder, "conversationId", conversation->id);
    json_builder_set_member_name (builder, "message");
    json_builder_add_value (builder, json_node_ref (message_node));
    bs_json_member_bool (builder, "delivered", partner != NULL && user_connected (partner));
    if (client_message_id)
      {
        bs_json_member_string (builder, "clientMessageId", client_message_id);
      }
    json_builder_end_object (builder);
    sent = json_builder_get_root (builder);
    bs_sio_socket_emit (device->socket, "message:sent", sent);
  }
  if (auto_read)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode)    read = NULL;

      json_builder_begin_object (builder);
      bs_json_member_string (builder, "conversationId", conversation->id);
      bs_json_member_string (builder, "readerId", partner->id);
      bs_json_member_string (builder, "upTo", message->id);
      json_builder_end_object (builder);
      read = json_builder_get_root (builder);
      emit_to_user (user, "message:read", read, NULL);
    }
  if (ack_id >= 0)
    {
      g_autoptr (JsonNode) ack = ok_json ();

      json_object_set_member (json_node_get_object (ack), "message", json_node_ref (message_node));
      bs_sio_socket_ack (device->socket, ack_id, ack);
    }
}

static void
handle_mark_read (BsHub *hub, Device *device, JsonNode *payload, gint64 ack_id)
{
  User                      *user = device->user;
  User                      *partner = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *conversation_id = conversation_id_from (payload);
  g_autofree char           *up_to = NULL;
  g_autoptr (BsConversation) conversation = NULL;
  guint                      n_marked = 0;

  if (!(conversation = conversation_for (hub, user, conversation_id, &partner, &error)))
    {
      bs_sio_socket_fail (device->socket, "mark_read", ack_id, bs_hub_error_code (error),
                          error->message);
      return;
    }
  up_to = id_from_node (json_object_get_member (json_node_get_object (payload), "upTo"));
  if (up_to == NULL)
    {
      bs_sio_socket_fail (device->socket, "mark_read", ack_id, "bad_request",
                          "upTo must be a message id");
      return;
    }
  if (!bs_store_mark_read (hub->store, conversation->id, user->id, up_to, now_ms (), &n_marked,
                           &error))
    {
      if (g_error_matches (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND))
        bs_sio_socket_fail (device->socket, "mark_read", ack_id, "not_found", "no such message");
      else
        {
          g_warning ("marking messages read failed: %s", error->message);
          bs_sio_socket_fail (device->socket, "mark_read", ack_id, "internal", "storage failed");
        }
      return;
    }
  if (n_marked > 0 && partner)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode)    read = NULL;

      json_builder_begin_object (builder);
      bs_json_member_string (builder, "conversationId", conversation->id);
      bs_json_member_string (builder, "readerId", user->id);
      bs_json_member_string (builder, "upTo", up_to);
      json_builder_end_object (builder);
      read = json_builder_get_root (builder);
      emit_to_user (partner, "message:read", read, NULL);
      emit_to_user (user, "message:read", read, device);
    }
  if (ack_id >= 0)
    {
      g_autoptr (JsonNode) ack = ok_json ();

      json_object_set_int_member (json_node_get_object (ack), "marked", n_marked);
      bs_sio_socket_ack (device->socket, ack_id, ack);
    }
}

/* ---------------------------------------------------------------------------------------
 * Events of "/" */

static void
handle_get_presence (BsHub *hub, Device *device, JsonNode *payload, gint64 ack_id)
{
  g_autoptr (JsonArray) answer = json_array_new ();
  g_autoptr (JsonNode)  node = NULL;
  JsonArray            *ids;

  if (payload == NULL || !JSON_NODE_HOLDS_ARRAY (payload))
    {
      bs_sio_socket_fail (device->socket, "get_presence", ack_id, "bad_request",
                          "payload must be an array of ids");
      return;
    }
  ids = json_node_get_array (payload);
  if (json_array_get_length (ids) > MAX_GET_PRESENCE)
    {
      bs_sio_socket_fail (device->socket, "get_presence", ack_id, "bad_request", "at most 500 ids");
      return;
    }
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      g_autofree char *id = id_from_node (json_array_get_element (ids, i));
      User            *other;

      if (id == NULL)
        {
          bs_sio_socket_fail (device->socket, "get_presence", ack_id, "bad_request",
                              "ids must be strings");
          return;
        }
      other = g_hash_table_lookup (hub->users, id);
      if (other && (other == device->user || is_contact (other, device->user)))
        json_array_add_element (answer, record_json (other, device->user));
      else
        {
          g_autoptr (BeaconPresenceRecord) record = beacon_presence_record_new (id);

          record->status = BEACON_PRESENCE_OFFLINE;
          json_array_add_element (answer, beacon_presence_record_to_json (record));
        }
    }
  node = json_node_init_array (json_node_alloc (), answer);
  bs_sio_socket_emit (device->socket, "presence_info", node);
  bs_sio_socket_ack (device->socket, ack_id, node);
}

static void
user_event_cb (
    BsSioSocket *socket, const char *name, JsonArray *args, gint64 ack_id, gpointer user_data)
{
  BsHub    *hub = user_data;
  Device   *device = bs_sio_socket_get_data (socket);
  User     *user = device->user;
  JsonNode *payload = json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;
  g_autoptr (GError) error = NULL;

  if (strcmp (name, "heartbeat") == 0)
    {
      uv_timer_start (device->heartbeat_timer, on_heartbeat_timeout,
                      hub->config.heartbeat_timeout_ms, 0);
      user->last_active = now_ms ();
      bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = ok_json ();
          g_autofree char     *now = beacon_presence_format_timestamp (user->last_active);

          json_object_set_string_member (json_node_get_object (ack), "serverTime", now);
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "chat:focus") == 0)
    {
      User *partner = NULL;

      if (payload && JSON_NODE_HOLDS_OBJECT (payload))
        partner = user_from_node (
            hub, json_object_get_member (json_node_get_object (payload), "partnerId"));
      if (partner == NULL || partner == user)
        {
          bs_sio_socket_fail (socket, name, ack_id, "bad_request",
                              "partnerId must name another user");
          return;
        }
      set_chatting_with (hub, device, partner);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = ok_json ();
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "chat:blur") == 0)
    {
      set_chatting_with (hub, device, NULL);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = ok_json ();
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "update_status") == 0 || strcmp (name, "setStatus") == 0)
    {
      Chosen chosen;
      char  *message;

      if (!parse_status (payload, &chosen, &message, &error))
        {
          bs_sio_socket_fail (socket, name, ack_id, "bad_request", error->message);
          return;
        }
      apply_status (hub, user, chosen, message, device);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = ok_json ();

          json_object_set_member (json_node_get_object (ack), "presence", record_json (user, user));
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "get_presence") == 0)
    handle_get_presence (hub, device, payload, ack_id);
  else if (strcmp (name, "join_conversation") == 0 || strcmp (name, "leave_conversation") == 0)
    {
      g_autofree char           *id = conversation_id_from (payload);
      g_autoptr (BsConversation) conversation = conversation_for (hub, user, id, NULL, &error);

      if (conversation == NULL)
        {
          bs_sio_socket_fail (socket, name, ack_id, bs_hub_error_code (error), error->message);
          return;
        }
      if (name[0] == 'j')
        g_hash_table_add (device->rooms, g_strdup (conversation->id));
      else
        g_hash_table_remove (device->rooms, conversation->id);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = ok_json ();
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "send_message") == 0)
    handle_send_message (hub, device, payload, ack_id);
  else if (strcmp (name, "mark_read") == 0)
    handle_mark_read (hub, device, payload, ack_id);
  else
    bs_metrics_rejected ("unknown_event");
}

/* ---------------------------------------------------------------------------------------
 * Guests */

static void
guest_connected_cb (BsSioSocket *socket, gpointer user_data)
{
  BsHub               *hub = user_data;
  g_autoptr (JsonNode) payload = guest_list_json (hub);

  g_hash_table_add (hub->guests, socket);
  bs_sio_socket_emit (socket, "presence:connected", payload);
}

static void
guest_event_cb (
    BsSioSocket *socket, const char *name, JsonArray *args, gint64 ack_id, gpointer user_data)
{
  /* Guests only listen: their events are ignored (they still count against the limit). */
  bs_metrics_rejected ("guest_event");
}

static void
guest_disconnected_cb (BsSioSocket *socket, const char *reason, gpointer user_data)
{
  BsHub *hub = user_data;

  g_hash_table_remove (hub->guests, socket);
}

/* ---------------------------------------------------------------------------------------
 * Life cycle */

static User *
add_user (BsHub *hub, BsUser *row)
{
  User *user = g_new0 (User, 1);

  user->id = g_strdup (row->id);
  user->name = g_strdup (row->name);
  user->email = g_strdup (row->email);
  user->role = g_strdup (row->role);
  user->headline = g_strdup (row->headline);
  user->contacts = g_hash_table_new (NULL, NULL);
  user->devices = g_ptr_array_new ();
  user->chosen = CHOSEN_ONLINE;
  user->last_seen = -1;
  user->last_active = -1;
  user->show_online = TRUE;
  user->show_last_seen = LAST_SEEN_EVERYONE;
  g_hash_table_insert (hub->users, user->id, user);
  return user;
}

static void
link_contacts (BsHub *hub, const char *a, const char *b)
{
  User *ua = g_hash_table_lookup (hub->users, a);
  User *ub = g_hash_table_lookup (hub->users, b);

  if (ua == NULL || ub == NULL || ua == ub)
    return;
  g_hash_table_add (ua->contacts, ub);
  g_hash_table_add (ub->contacts, ua);
}

static gboolean
load_pairs (BsHub *hub, GPtrArray *pairs)
{
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    link_contacts (hub, pairs->pdata[i], pairs->pdata[i + 1]);
  return TRUE;
}

BsHub *
bs_hub_new (uv_loop_t *loop, BsStore *store, BsSio *sio, const BsHubConfig *config, GError **error)
{
  static const BsSioNamespaceHandlers user_handlers = {
    .authorize = authorize_user,
    .connected = user_connected_cb,
    .event = user_event_cb,
    .disconnected = user_disconnected_cb,
  };
  static const BsSioNamespaceHandlers guest_handlers = {
    .connected = guest_connected_cb,
    .event = guest_event_cb,
    .disconnected = guest_disconnected_cb,
  };
  BsHub                *hub = g_new0 (BsHub, 1);
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) friendships = NULL;
  g_autoptr (GPtrArray) conversations = NULL;

  hub->loop = loop;
  hub->store = store;
  hub->sio = sio;
  hub->config = *config;
  hub->jwt_key = g_memdup2 (config->jwt_key, config->jwt_key_len);
  hub->config.jwt_key = hub->jwt_key;
  hub->users = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) user_free);
  hub->guests = g_hash_table_new (NULL, NULL);
  hub->online_freelancers = g_hash_table_new (NULL, NULL);
  hub->dirty = g_hash_table_new (NULL, NULL);
  hub->guest_timer = g_new0 (uv_timer_t, 1);
  uv_timer_init (loop, hub->guest_timer);
  hub->guest_timer->data = hub;

  if (!(users = bs_store_users (store, error)) || !(rows = bs_store_presence_rows (store, error)) ||
      !(friendships = bs_store_friendships (store, error)) ||
      !(conversations = bs_store_conversation_pairs (store, error)))
    {
      bs_hub_free (hub);
      return NULL;
    }
  for (guint i = 0; i < users->len; i++)
    add_user (hub, users->pdata[i]);
  for (guint i = 0; i < rows->len; i++)
    {
      BsPresenceRow *row = rows->pdata[i];
      User          *user = g_hash_table_lookup (hub->users, row->user_id);

      if (user == NULL)
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (chosen_names); c++)
        if (g_strcmp0 (row->chosen_status, chosen_names[c]) == 0)
          user->chosen = c;
      for (guint c = 0; c < G_N_ELEMENTS (last_seen_names); c++)
        if (g_strcmp0 (row->show_last_seen, last_seen_names[c]) == 0)
          user->show_last_seen = c;
      user->custom_message = g_strdup (row->custom_message);
      user->last_seen = row->last_seen_ms;
      user->last_active = row->last_active_ms;
      user->show_online = row->show_online_status;
      user->version = row->version + VERSION_RESTART_MARGIN;
    }
  load_pairs (hub, friendships);
  load_pairs (hub, conversations);
  g_message ("loaded %u users, %u friendships, %u conversations", users->len, friendships->len / 2,
             conversations->len / 2);

  bs_sio_add_namespace (sio, "/", &user_handlers, hub);
  bs_sio_add_namespace (sio, "/presence", &guest_handlers, hub);
  return hub;
}

static void
fill_row (User *user, BsPresenceRow *row)
{
  row->user_id = user->id;
  row->chosen_status = (char *) chosen_names[user->chosen];
  row->custom_message = user->custom_message;
  row->last_seen_ms = user->last_seen;
  row->last_active_ms = user->last_active;
  row->show_online_status = user->show_online;
  row->show_last_seen = (char *) last_seen_names[user->show_last_seen];
  row->version = user->version;
}

gboolean
bs_hub_flush (BsHub *hub, GError **error)
{
  g_autoptr (GPtrArray) saved = NULL;
  g_autoptr (GError)    save_error = NULL;
  GHashTableIter        iter;
  gpointer              key;

  if (g_hash_table_size (hub->dirty) == 0)
    return bs_store_flush (hub->store, error);

  /* Every dirty user in one transaction: one commit per flush, not one per user (a commit
   * per row stalled the loop for tens of milliseconds a second under a status churn). */
  if (!bs_store_begin (hub->store, error))
    return FALSE;
  saved = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, hub->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BsPresenceRow row;

      fill_row (key, &row);
      if (!bs_store_presence_save (hub->store, &row, &save_error))
        {
          if (!g_error_matches (save_error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID))
            break; /* kept dirty, with those not reached yet: the next flush tries again */
          /* A row the store refuses would be refused for ever: report it and let the
           * others through. */
          g_warning ("presence of user %s not saved: %s", row.user_id, save_error->message);
          g_clear_error (&save_error);
        }
      g_ptr_array_add (saved, key);
    }
  if (!bs_store_commit (hub->store, error))
    return FALSE; /* rolled back: every user stays dirty */
  for (guint i = 0; i < saved->len; i++)
    g_hash_table_remove (hub->dirty, saved->pdata[i]);
  if (save_error)
    {
      /* last_seen goes out all the same: it must not wait on a presence row. */
      bs_store_flush (hub->store, NULL);
      g_propagate_error (error, g_steal_pointer (&save_error));
      return FALSE;
    }
  return bs_store_flush (hub->store, error);
}

void
bs_hub_free (BsHub *hub)
{
  if (hub == NULL)
    return;
  uv_timer_stop (hub->guest_timer);
  uv_close ((uv_handle_t *) hub->guest_timer, free_timer);
  g_hash_table_unref (hub->dirty);
  g_hash_table_unref (hub->online_freelancers);
  g_hash_table_unref (hub->guests);
  g_hash_table_unref (hub->users);
  g_free (hub->guest_last_list);
  g_free (hub->jwt_key);
  g_free (hub);
}

/* ---------------------------------------------------------------------------------------
 * Tokens */

char *
bs_hub_authenticate (BsHub *hub, const char *token, const char **wire_code)
{
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autofree char       *id = NULL;

  if (token == NULL || *token == '\0')
    {
      *wire_code = "token_missing";
      return NULL;
    }
  claims = beacon_jwt_verify (token, strlen (token), hub->config.jwt_key, hub->config.jwt_key_len,
                              g_get_real_time () / G_USEC_PER_SEC, &error);
  if (claims == NULL)
    {
      *wire_code = beacon_jwt_error_to_wire_code (error);
      return NULL;
    }
  id = id_from_node (json_object_get_member (claims, "sub"));
  if (id == NULL || !g_hash_table_contains (hub->users, id))
    {
      *wire_code = "user_not_found";
      return NULL;
    }
  return g_steal_pointer (&id);
}

char *
bs_hub_issue_token (BsHub *hub, const char *user_id)
{
  User                  *user = g_hash_table_lookup (hub->users, user_id);
  g_autoptr (JsonObject) claims = json_object_new ();
  gint64                 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (user != NULL, NULL);
  json_object_set_string_member (claims, "sub", user->id);
  json_object_set_string_member (claims, "id", user->id);
  json_object_set_string_member (claims, "role", user->role);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + TOKEN_LIFETIME_S);
  return beacon_jwt_sign (claims, hub->config.jwt_key, hub->config.jwt_key_len);
}

/* ---------------------------------------------------------------------------------------
 * REST answers */

gboolean
bs_hub_user_exists (BsHub *hub, const char *user_id)
{
  return g_hash_table_contains (hub->users, user_id);
}

const char *
bs_hub_user_name (BsHub *hub, const char *user_id)
{
  User *user = g_hash_table_lookup (hub->users, user_id);

  return user ? user->name : NULL;
}

static void
add_settings (JsonBuilder *builder, User *user)
{
  bs_json_member_bool (builder, "show_online_status", user->show_online);
  bs_json_member_string (builder, "show_last_seen", last_seen_names[user->show_last_seen]);
}

JsonNode *
bs_hub_me_json (BsHub *hub, const char *user_id)
{
  User                   *user = g_hash_table_lookup (hub->users, user_id);
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  bs_json_member_string (builder, "id", user->id);
  bs_json_member_string (builder, "name", user->name);
  bs_json_member_string (builder, "email", user->email);
  bs_json_member_string (builder, "role", user->role);
  bs_json_member_string (builder, "status", chosen_names[user->chosen]);
  bs_json_member_string (builder, "custom_message", user->custom_message);
  json_builder_set_member_name (builder, "settings");
  json_builder_begin_object (builder);
  add_settings (builder, user);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static int
compare_users_by_name (gconstpointer a, gconstpointer b)
{
  const User *ua = *(User **) a;
  const User *ub = *(User **) b;
  int         c = g_utf8_collate (ua->name, ub->name);

  return c != 0 ? c : strcmp (ua->id, ub->id);
}

static GPtrArray *
sorted_contacts (User *user)
{
  GPtrArray     *contacts = g_ptr_array_sized_new (g_hash_table_size (user->contacts));
  GHashTableIter iter;
  gpointer       key;

  g_hash_table_iter_init (&iter, user->contacts);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (contacts, key);
  g_ptr_array_sort (contacts, compare_users_by_name);
  return contacts;
}

JsonNode *
bs_hub_friends_json (BsHub *hub, const char *user_id)
{
  User                   *user = g_hash_table_lookup (hub->users, user_id);
  g_autoptr (GPtrArray)   contacts = sorted_contacts (user);
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "friends");
  json_builder_begin_array (builder);
  for (guint i = 0; i < contacts->len; i++)
    {
      User *contact = contacts->pdata[i];

      json_builder_begin_object (builder);
      bs_json_member_string (builder, "id", contact->id);
      bs_json_member_string (builder, "name", contact->name);
      bs_json_member_string (builder, "role", contact->role);
      json_builder_set_member_name (builder, "avatar_url");
      json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
bs_hub_online_status_json (BsHub *hub, const char *viewer_id)
{
  User                   *viewer = g_hash_table_lookup (hub->users, viewer_id);
  g_autoptr (GPtrArray)   contacts = sorted_contacts (viewer);
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  bs_json_member_bool (builder, "success", TRUE);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "statuses");
  json_builder_begin_object (builder);
  for (guint i = 0; i < contacts->len; i++)
    {
      User *contact = contacts->pdata[i];

      json_builder_set_member_name (builder, contact->id);
      json_builder_add_boolean_value (builder, user_visible (contact));
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "presence");
  json_builder_begin_array (builder);
  for (guint i = 0; i < contacts->len; i++)
    json_builder_add_value (builder, record_json (contacts->pdata[i], viewer));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
bs_hub_presence_json (BsHub *hub, const char *user_id, const char *viewer_id, GError **error)
{
  User *user = g_hash_table_lookup (hub->users, user_id);
  User *viewer = g_hash_table_lookup (hub->users, viewer_id);

  if (user == NULL || viewer == NULL || (user != viewer && !is_contact (user, viewer)))
    {
      g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_NOT_FOUND,
                           "no such user among your contacts");
      return NULL;
    }
  return record_json (user, viewer);
}

JsonNode *
bs_hub_set_status (BsHub *hub, const char *user_id, JsonNode *payload, GError **error)
{
  User  *user = g_hash_table_lookup (hub->users, user_id);
  Chosen chosen;
  char  *message;

  if (!parse_status (payload, &chosen, &message, error))
    return NULL;
  apply_status (hub, user, chosen, message, NULL);
  return record_json (user, user);
}

JsonNode *
bs_hub_settings_json (BsHub *hub, const char *user_id)
{
  User                   *user = g_hash_table_lookup (hub->users, user_id);
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_settings (builder, user);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
bs_hub_set_settings (BsHub *hub, const char *user_id, JsonNode *payload, GError **error)
{
  User          *user = g_hash_table_lookup (hub->users, user_id);
  JsonObject    *object;
  JsonNode      *online;
  JsonNode      *last_seen;
  gboolean       new_online;
  LastSeenPolicy new_policy;
  gboolean       visible_before;

  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    {
      g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                           "the body must be an object");
      return NULL;
    }
  object = json_node_get_object (payload);
  online = json_object_get_member (object, "show_online_status");
  last_seen = json_object_get_member (object, "show_last_seen");
  new_online = user->show_online;
  new_policy = user->show_last_seen;
  if (online)
    {
      if (!JSON_NODE_HOLDS_VALUE (online) || json_node_get_value_type (online) != G_TYPE_BOOLEAN)
        {
          g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                               "show_online_status must be true or false");
          return NULL;
        }
      new_online = json_node_get_boolean (online);
    }
  if (last_seen)
    {
      const char *value =
          JSON_NODE_HOLDS_VALUE (last_seen) && json_node_get_value_type (last_seen) == G_TYPE_STRING
              ? json_node_get_string (last_seen)
              : "";
      guint i;

      for (i = 0; i < G_N_ELEMENTS (last_seen_names); i++)
        if (strcmp (value, last_seen_names[i]) == 0)
          break;
      if (i == G_N_ELEMENTS (last_seen_names))
        {
          g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                               "show_last_seen must be everyone, contacts or nobody");
          return NULL;
        }
      new_policy = i;
    }

  if (new_online != user->show_online || new_policy != user->show_last_seen)
    {
      visible_before = user_visible (user);
      user->show_online = new_online;
      user->show_last_seen = new_policy;
      if (visible_before && !user_visible (user))
        {
          user->last_seen = now_ms ();
          bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
        }
      bump (hub, user);
      publish_to_contacts (hub, user);
      send_to_own_devices (user, NULL);
      visibility_changed (hub, user);
    }
  return bs_hub_settings_json (hub, user_id);
}

static gboolean
provider_matches (User       *user,
                  const char *online_status,
                  gint64      now,
                  gint64      active_within_ms,
                  gint64      last_seen_within_ms,
                  const char *query)
{
  gboolean visible = user_visible (user);
  gboolean may_see = may_see_last_seen (user, NULL);

  if (online_status && strcmp (online_status, "online") == 0 && !visible)
    return FALSE;
  if (online_status && strcmp (online_status, "offline") == 0 && visible)
    return FALSE;
  if (active_within_ms >= 0 && !visible &&
      !(may_see && user->last_active >= 0 && now - user->last_active <= active_within_ms) &&
      !(may_see && user->last_seen >= 0 && now - user->last_seen <= active_within_ms))
    return FALSE;
  if (last_seen_within_ms >= 0 && !visible &&
      !(may_see && user->last_seen >= 0 && now - user->last_seen <= last_seen_within_ms))
    return FALSE;
  if (query && *query)
    {
      g_autofree char *needle = g_utf8_casefold (query, -1);
      g_autofree char *name = g_utf8_casefold (user->name, -1);
      g_autofree char *headline = g_utf8_casefold (user->headline ? user->headline : "", -1);

      if (!strstr (name, needle) && !strstr (headline, needle))
        return FALSE;
    }
  return TRUE;
}

JsonNode *
bs_hub_providers_json (BsHub      *hub,
                       const char *online_status,
                       gint64      active_within_ms,
                       gint64      last_seen_within_ms,
                       const char *query,
                       guint       limit,
                       guint       offset)
{
  g_autoptr (GPtrArray)   matches = g_ptr_array_new ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  GHashTableIter          iter;
  gpointer                value;
  gint64                  now = now_ms ();

  g_hash_table_iter_init (&iter, hub->users);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (is_freelancer (value) &&
        provider_matches (value, online_status, now, active_within_ms, last_seen_within_ms, query))
      g_ptr_array_add (matches, value);
  g_ptr_array_sort (matches, compare_users_by_name);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "providers");
  json_builder_begin_array (builder);
  for (guint i = offset; i < matches->len && i - offset < limit; i++)
    {
      User *user = matches->pdata[i];

      json_builder_begin_object (builder);
      bs_json_member_string (builder, "id", user->id);
      bs_json_member_string (builder, "name", user->name);
      bs_json_member_string (builder, "headline", user->headline);
      bs_json_member_bool (builder, "is_online", user_visible (user));
      json_builder_set_member_name (builder, "last_seen");
      if (may_see_last_seen (user, NULL) && user->last_seen >= 0)
        {
          g_autofree char *seen = beacon_presence_format_timestamp (user->last_seen);
          json_builder_add_string_value (builder, seen);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  bs_json_member_int (builder, "total", matches->len);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
add_partner (JsonBuilder *builder, BsHub *hub, const char *partner_id)
{
  User *partner = g_hash_table_lookup (hub->users, partner_id);

  json_builder_set_member_name (builder, "partner");
  json_builder_begin_object (builder);
  bs_json_member_string (builder, "id", partner_id);
  bs_json_member_string (builder, "name", partner ? partner->name : "");
  bs_json_member_string (builder, "role", partner ? partner->role : "CLIENT");
  json_builder_end_object (builder);
}

static void
add_conversation (JsonBuilder    *builder,
                  BsHub          *hub,
                  const char     *user_id,
                  BsConversation *conversation)
{
  const char *partner_id =
      strcmp (conversation->user_a, user_id) == 0 ? conversation->user_b : conversation->user_a;

  json_builder_begin_object (builder);
  bs_json_member_string (builder, "id", conversation->id);
  add_partner (builder, hub, partner_id);
  json_builder_set_member_name (builder, "last_message");
  if (conversation->last_message)
    json_builder_add_value (builder, message_json (conversation->last_message));
  else
    json_builder_add_null_value (builder);
  bs_json_member_int (builder, "unread_count", conversation->unread_count);
  json_builder_end_object (builder);
}

static void
internal_error (GError **error, GError *cause, const char *what)
{
  g_warning ("%s: %s", what, cause->message);
  g_set_error (error, BS_HUB_ERROR, BS_HUB_ERROR_INTERNAL, "%s", what);
}

JsonNode *
bs_hub_conversations_json (BsHub *hub, const char *user_id, GError **error)
{
  g_autoptr (GError)      local = NULL;
  g_autoptr (GPtrArray)   conversations = bs_store_conversations_for (hub->store, user_id, &local);
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  if (conversations == NULL)
    {
      internal_error (error, local, "listing conversations failed");
      return NULL;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; i < conversations->len; i++)
    add_conversation (builder, hub, user_id, conversations->pdata[i]);
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

JsonNode *
bs_hub_open_conversation (BsHub *hub, const char *user_id, const char *partner_id, GError **error)
{
  User              *user = g_hash_table_lookup (hub->users, user_id);
  User              *partner = partner_id ? g_hash_table_lookup (hub->users, partner_id) : NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (BsConversation) conversation = NULL;
  g_autoptr (JsonBuilder)    builder = json_builder_new ();
  gboolean                   new_contacts;

  if (partner == NULL || partner == user)
    {
      g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_NOT_FOUND,
                           "partner_id must name another user");
      return NULL;
    }
  if (!(conversation =
            bs_store_conversation_get_or_create (hub->store, user_id, partner_id, &local)))
    {
      internal_error (error, local, "opening the conversation failed");
      return NULL;
    }
  new_contacts = !is_contact (user, partner);
  link_contacts (hub, user->id, partner->id);
  if (new_contacts)
    {
      /* Conversation partners are contacts: each now sees the other's presence. */
      if (user_visible (partner))
        publish_to_viewer (hub, partner, user);
      if (user_visible (user))
        publish_to_viewer (hub, user, partner);
    }

  json_builder_begin_object (builder);
  bs_json_member_string (builder, "id", conversation->id);
  add_partner (builder, hub, partner_id);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
bs_hub_messages_json (BsHub      *hub,
                      const char *user_id,
                      const char *conversation_id,
                      const char *before_id,
                      guint       limit,
                      GError    **error)
{
  User                      *user = g_hash_table_lookup (hub->users, user_id);
  g_autoptr (BsConversation) conversation =
      conversation_for (hub, user, conversation_id, NULL, error);
  g_autoptr (GError)      local = NULL;
  g_autoptr (GPtrArray)   messages = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  if (conversation == NULL)
    return NULL;
  if (!(messages = bs_store_messages (hub->store, conversation->id, before_id, limit, &local)))
    {
      if (g_error_matches (local, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND))
        g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_NOT_FOUND, "no such message");
      else
        internal_error (error, local, "listing messages failed");
      return NULL;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    json_builder_add_value (builder, message_json (messages->pdata[i]));
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
