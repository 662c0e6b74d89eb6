/* bs-hub.c: beacon-server's presence hub: the in-memory model of users, contacts and
 * devices, resolution per viewer, fan-out of encoded-once changes, guests, events, tokens. */

#include "bs-hub-private.h"

#include <string.h>

#include "beacon-json.h"
#include "beacon-jwt.h"
#include "beacon-presence-record.h"
#include "bs-json.h"
#include "bs-metrics.h"

const char *const bs_hub_chosen_names[4] = { "online", "away", "busy", "invisible" };
const char *const bs_hub_last_seen_names[3] = { "everyone", "contacts", "nobody" };

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

gint64
bs_hub_now_ms (void)
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
  g_ptr_array_unref (user->contacts);
  g_ptr_array_unref (user->devices);
  g_free (user->custom_message);
  g_free (user);
}

gboolean
bs_hub_user_connected (User *user)
{
  return user->devices->len > 0;
}

/* Whether contacts see the user online (online, away or busy). */
gboolean
bs_hub_user_visible (User *user)
{
  return bs_hub_user_connected (user) && user->chosen != CHOSEN_INVISIBLE && user->show_online;
}

gboolean
bs_hub_user_hidden (User *user)
{
  return user->chosen == CHOSEN_INVISIBLE || !user->show_online;
}

gboolean
bs_hub_user_chatting_with (User *user, User *viewer)
{
  for (guint i = 0; i < user->devices->len; i++)
    if (((Device *) user->devices->pdata[i])->chatting_with == viewer)
      return TRUE;
  return FALSE;
}

/* Where @contact is in @user's contacts, or where it would go (*found tells which). */
static guint
contact_position (User *user, User *contact, gboolean *found)
{
  guint lo = 0, hi = user->contacts->len;

  while (lo < hi)
    {
      guint    mid = lo + (hi - lo) / 2;
      guintptr at = (guintptr) user->contacts->pdata[mid];

      if (at == (guintptr) contact)
        {
          *found = TRUE;
          return mid;
        }
      if (at < (guintptr) contact)
        lo = mid + 1;
      else
        hi = mid;
    }
  *found = FALSE;
  return lo;
}

gboolean
bs_hub_is_contact (User *a, User *b)
{
  gboolean found;

  contact_position (a, b, &found);
  return found;
}

static void
add_contact (User *user, User *contact)
{
  gboolean found;
  guint    at = contact_position (user, contact, &found);

  if (!found)
    g_ptr_array_insert (user->contacts, at, contact);
}

gboolean
bs_hub_may_see_last_seen (User *user, User *viewer)
{
  if (viewer == user)
    return TRUE;
  if (bs_hub_user_hidden (user))
    return FALSE;
  switch (user->show_last_seen)
    {
    case LAST_SEEN_EVERYONE: return TRUE;
    case LAST_SEEN_CONTACTS: return viewer != NULL && bs_hub_is_contact (user, viewer);
    case LAST_SEEN_NOBODY:
    default: return FALSE;
    }
}

/* The presence record of user as viewer sees it (viewer == user: the user's own record,
 * sent to their other devices). */
JsonNode *
bs_hub_record_json (User *user, User *viewer)
{
  g_autoptr (BeaconPresenceRecord) record = beacon_presence_record_new (user->id);
  gboolean                         self = viewer == user;
  gboolean                         visible = bs_hub_user_visible (user);

  if (!visible)
    record->status = BEACON_PRESENCE_OFFLINE;
  else if (user->chosen == CHOSEN_AWAY)
    record->status = BEACON_PRESENCE_AWAY;
  else if (user->chosen == CHOSEN_BUSY)
    record->status = BEACON_PRESENCE_BUSY;
  else
    record->status = BEACON_PRESENCE_ONLINE;

  if (bs_hub_may_see_last_seen (user, viewer))
    {
      record->last_seen_ms = user->last_seen;
      record->last_active_ms = user->last_active;
    }
  record->chatting_with_me = visible && !self && bs_hub_user_chatting_with (user, viewer);
  record->custom_message =
      g_strdup (self || !bs_hub_user_hidden (user) ? user->custom_message : NULL);
  record->role = g_strdup (user->role);
  record->version = user->version;
  return beacon_presence_record_to_json (record);
}

void
bs_hub_mark_dirty (BsHub *hub, User *user)
{
  g_hash_table_add (hub->dirty, user);
}

void
bs_hub_bump (BsHub *hub, User *user)
{
  user->version++;
  bs_hub_mark_dirty (hub, user);
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

void
bs_hub_emit_to_user (User *user, const char *event, JsonNode *arg, Device *except)
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
void
bs_hub_publish_to_contacts (BsHub *hub, User *user)
{
  gint64             start = g_get_monotonic_time ();
  g_autoptr (GBytes) plain = NULL;
  guint              n = 0;

  for (guint i = 0; i < user->contacts->len; i++)
    {
      User *contact = user->contacts->pdata[i];

      if (!bs_hub_user_connected (contact))
        continue;
      if (bs_hub_user_visible (user) && bs_hub_user_chatting_with (user, contact))
        {
          g_autoptr (JsonNode) record = bs_hub_record_json (user, contact);
          g_autoptr (GBytes)   packet = bs_sio_encode_event ("/", "presence_updated", record);

          send_to_user (contact, packet, NULL);
        }
      else
        {
          if (plain == NULL)
            {
              /* Plain records differ per viewer only by the last_seen policy "contacts",
               * which every viewer here satisfies: one encoding fits all. */
              g_autoptr (JsonNode) record = bs_hub_record_json (user, contact);
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
void
bs_hub_publish_to_viewer (BsHub *hub, User *user, User *viewer)
{
  g_autoptr (JsonNode) record = NULL;

  if (viewer == NULL || !bs_hub_is_contact (user, viewer) || !bs_hub_user_connected (viewer))
    return;
  record = bs_hub_record_json (user, viewer);
  bs_hub_emit_to_user (viewer, "presence_updated", record, NULL);
}

void
bs_hub_send_to_own_devices (User *user, Device *except)
{
  g_autoptr (JsonNode) record = bs_hub_record_json (user, user);

  bs_hub_emit_to_user (user, "presence_updated", record, except);
}

/* ---------------------------------------------------------------------------------------
 * Guests (/presence): the online freelancers, coalesced. */

gboolean
bs_hub_is_freelancer (User *user)
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
  g_autofree char        *now = beacon_presence_format_timestamp (bs_hub_now_ms ());
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
void
bs_hub_visibility_changed (BsHub *hub, User *user)
{
  gboolean listed;

  if (!bs_hub_is_freelancer (user))
    return;
  listed = g_hash_table_contains (hub->online_freelancers, user);
  if (bs_hub_user_visible (user) && !listed)
    g_hash_table_add (hub->online_freelancers, user);
  else if (!bs_hub_user_visible (user) && listed)
    g_hash_table_remove (hub->online_freelancers, user);
  else
    return;
  schedule_guest_update (hub);
}

/* ---------------------------------------------------------------------------------------
 * Payload helpers */

const char *
bs_hub_string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* A user id from a JSON string or integer (kept as decimal text); NULL when malformed. */
char *
bs_hub_id_from_node (JsonNode *node)
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

User *
bs_hub_user_from_node (BsHub *hub, JsonNode *node)
{
  g_autofree char *id = bs_hub_id_from_node (node);

  return id ? g_hash_table_lookup (hub->users, id) : NULL;
}

JsonNode *
bs_hub_ok_json (void)
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
gboolean
bs_hub_parse_status (JsonNode *payload, Chosen *chosen, char **message, GError **error)
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

      status = bs_hub_string_member (object, "status");
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
  for (guint i = 0; i < G_N_ELEMENTS (bs_hub_chosen_names); i++)
    if (strcmp (status, bs_hub_chosen_names[i]) == 0)
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
void
bs_hub_apply_status (BsHub *hub, User *user, Chosen chosen, char *message, Device *from_device)
{
  gboolean visible_before;

  user->last_active = bs_hub_now_ms ();
  bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
  if (chosen == user->chosen && g_strcmp0 (message, user->custom_message) == 0)
    {
      g_free (message);
      return;
    }
  visible_before = bs_hub_user_visible (user);
  user->chosen = chosen;
  g_free (user->custom_message);
  user->custom_message = message;
  if (visible_before && !bs_hub_user_visible (user))
    {
      user->last_seen = bs_hub_now_ms ();
      bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
    }
  bs_hub_bump (hub, user);
  if (visible_before || bs_hub_user_visible (user))
    bs_hub_publish_to_contacts (hub, user);
  bs_hub_send_to_own_devices (user, from_device);
  bs_hub_visibility_changed (hub, user);
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
    before[i] = affected[i] && bs_hub_user_chatting_with (user, affected[i]);
  device->chatting_with = partner;
  for (guint i = 0; i < 2; i++)
    if (affected[i] && bs_hub_user_chatting_with (user, affected[i]) != before[i])
      changed = TRUE;
  if (!changed || !bs_hub_user_visible (user))
    return;
  bs_hub_bump (hub, user);
  for (guint i = 0; i < 2; i++)
    if (affected[i] && bs_hub_user_chatting_with (user, affected[i]) != before[i])
      bs_hub_publish_to_viewer (hub, user, affected[i]);
}

static JsonNode *
snapshot_json (User *user)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  bs_json_member_string (builder, "userId", user->id);
  json_builder_set_member_name (builder, "onlineUsers");
  json_builder_begin_array (builder);
  for (guint i = 0; i < user->contacts->len; i++)
    {
      User            *contact = user->contacts->pdata[i];
      g_autofree char *active = NULL;

      if (!bs_hub_user_visible (contact))
        continue;
      json_builder_begin_object (builder);
      bs_json_member_string (builder, "userId", contact->id);
      bs_json_member_string (builder, "role", contact->role);
      bs_json_member_string (builder, "status", bs_hub_chosen_names[contact->chosen]);
      json_builder_set_member_name (builder, "lastActive");
      if (bs_hub_may_see_last_seen (contact, user) && contact->last_active >= 0)
        json_builder_add_string_value (
            builder, (active = beacon_presence_format_timestamp (contact->last_active)));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "chattingWith");
      if (bs_hub_user_chatting_with (contact, user))
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
    token = bs_hub_string_member (json_node_get_object (auth), "token");
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
  gboolean             was_visible = bs_hub_user_visible (user);
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
  user->last_active = bs_hub_now_ms ();
  bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
  if (!was_visible && bs_hub_user_visible (user))
    {
      bs_hub_bump (hub, user);
      bs_hub_publish_to_contacts (hub, user);
      bs_hub_visibility_changed (hub, user);
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
  visible_before = bs_hub_user_visible (user);
  g_ptr_array_remove_fast (user->devices, device);
  g_debug ("user %s: device %s left (%s, %u devices left)", user->id, bs_sio_socket_get_id (socket),
           reason, user->devices->len);

  if (visible_before && !bs_hub_user_visible (user))
    {
      user->last_seen = bs_hub_now_ms ();
      bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
      bs_hub_bump (hub, user);
      bs_hub_publish_to_contacts (hub, user);
      bs_hub_visibility_changed (hub, user);
    }
  else if (partner != NULL && bs_hub_user_visible (user) &&
           !bs_hub_user_chatting_with (user, partner))
    {
      bs_hub_bump (hub, user);
      bs_hub_publish_to_viewer (hub, user, partner);
    }

  uv_timer_stop (device->heartbeat_timer);
  uv_close ((uv_handle_t *) device->heartbeat_timer, free_timer);
  g_hash_table_unref (device->rooms);
  g_free (device);
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
      g_autofree char *id = bs_hub_id_from_node (json_array_get_element (ids, i));
      User            *other;

      if (id == NULL)
        {
          bs_sio_socket_fail (device->socket, "get_presence", ack_id, "bad_request",
                              "ids must be strings");
          return;
        }
      other = g_hash_table_lookup (hub->users, id);
      if (other && (other == device->user || bs_hub_is_contact (other, device->user)))
        json_array_add_element (answer, bs_hub_record_json (other, device->user));
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
      user->last_active = bs_hub_now_ms ();
      bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = bs_hub_ok_json ();
          g_autofree char     *now = beacon_presence_format_timestamp (user->last_active);

          json_object_set_string_member (json_node_get_object (ack), "serverTime", now);
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "chat:focus") == 0)
    {
      User *partner = NULL;

      if (payload && JSON_NODE_HOLDS_OBJECT (payload))
        partner = bs_hub_user_from_node (
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
          g_autoptr (JsonNode) ack = bs_hub_ok_json ();
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "chat:blur") == 0)
    {
      set_chatting_with (hub, device, NULL);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = bs_hub_ok_json ();
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "update_status") == 0 || strcmp (name, "setStatus") == 0)
    {
      Chosen chosen;
      char  *message;

      if (!bs_hub_parse_status (payload, &chosen, &message, &error))
        {
          bs_sio_socket_fail (socket, name, ack_id, "bad_request", error->message);
          return;
        }
      bs_hub_apply_status (hub, user, chosen, message, device);
      if (ack_id >= 0)
        {
          g_autoptr (JsonNode) ack = bs_hub_ok_json ();

          json_object_set_member (json_node_get_object (ack), "presence",
                                  bs_hub_record_json (user, user));
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "get_presence") == 0)
    handle_get_presence (hub, device, payload, ack_id);
  else if (strcmp (name, "join_conversation") == 0 || strcmp (name, "leave_conversation") == 0)
    {
      g_autofree char           *id = bs_hub_conversation_id_from (payload);
      g_autoptr (BsConversation) conversation =
          bs_hub_conversation_for (hub, user, id, NULL, &error);

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
          g_autoptr (JsonNode) ack = bs_hub_ok_json ();
          bs_sio_socket_ack (socket, ack_id, ack);
        }
    }
  else if (strcmp (name, "send_message") == 0)
    bs_hub_handle_send_message (hub, device, payload, ack_id);
  else if (strcmp (name, "mark_read") == 0)
    bs_hub_handle_mark_read (hub, device, payload, ack_id);
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
  user->contacts = g_ptr_array_new ();
  user->devices = g_ptr_array_new ();
  user->chosen = CHOSEN_ONLINE;
  user->last_seen = -1;
  user->last_active = -1;
  user->show_online = TRUE;
  user->show_last_seen = LAST_SEEN_EVERYONE;
  g_hash_table_insert (hub->users, user->id, user);
  return user;
}

void
bs_hub_link_contacts (BsHub *hub, const char *a, const char *b)
{
  User *ua = g_hash_table_lookup (hub->users, a);
  User *ub = g_hash_table_lookup (hub->users, b);

  if (ua == NULL || ub == NULL || ua == ub)
    return;
  add_contact (ua, ub);
  add_contact (ub, ua);
}

static gboolean
load_pairs (BsHub *hub, GPtrArray *pairs)
{
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    bs_hub_link_contacts (hub, pairs->pdata[i], pairs->pdata[i + 1]);
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
  hub->storage_warnings.what = "storage failures";
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
      for (guint c = 0; c < G_N_ELEMENTS (bs_hub_chosen_names); c++)
        if (g_strcmp0 (row->chosen_status, bs_hub_chosen_names[c]) == 0)
          user->chosen = c;
      for (guint c = 0; c < G_N_ELEMENTS (bs_hub_last_seen_names); c++)
        if (g_strcmp0 (row->show_last_seen, bs_hub_last_seen_names[c]) == 0)
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
  row->chosen_status = (char *) bs_hub_chosen_names[user->chosen];
  row->custom_message = user->custom_message;
  row->last_seen_ms = user->last_seen;
  row->last_active_ms = user->last_active;
  row->show_online_status = user->show_online;
  row->show_last_seen = (char *) bs_hub_last_seen_names[user->show_last_seen];
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

struct _BsHubFlush
{
  GPtrArray  *rows;      /* BsPresenceRow *, owned strings */
  GHashTable *last_seen; /* from bs_store_take_last_seen, or NULL */
  GPtrArray  *unsaved;   /* ids of the rows not written */
  gboolean    seen_unsaved;
};

static void
presence_row_free (gpointer data)
{
  BsPresenceRow *row = data;

  g_free (row->user_id);
  g_free (row->chosen_status);
  g_free (row->custom_message);
  g_free (row->show_last_seen);
  g_free (row);
}

BsHubFlush *
bs_hub_flush_take (BsHub *hub)
{
  BsHubFlush    *flush;
  GHashTableIter iter;
  gpointer       key;

  if (g_hash_table_size (hub->dirty) == 0 && bs_store_queued_count (hub->store) == 0)
    return NULL;
  flush = g_new0 (BsHubFlush, 1);
  flush->rows = g_ptr_array_new_with_free_func (presence_row_free);
  flush->unsaved = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, hub->dirty);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      BsPresenceRow  shown;
      BsPresenceRow *row = g_new (BsPresenceRow, 1);

      fill_row (key, &shown);
      *row = shown;
      row->user_id = g_strdup (shown.user_id);
      row->chosen_status = g_strdup (shown.chosen_status);
      row->custom_message = g_strdup (shown.custom_message);
      row->show_last_seen = g_strdup (shown.show_last_seen);
      g_ptr_array_add (flush->rows, row);
    }
  g_hash_table_remove_all (hub->dirty);
  flush->last_seen = bs_store_take_last_seen (hub->store);
  return flush;
}

/* As bs_hub_flush, in one transaction: a row the store refuses as invalid is reported and
 * dropped; any other failure leaves the rows (or the last_seen updates) due again. */
gboolean
bs_hub_flush_write (BsHubFlush *flush, BsStore *writer, GError **error)
{
  g_autoptr (GError) row_error = NULL;

  if (!bs_store_begin (writer, error))
    goto unsaved;
  for (guint i = 0; i < flush->rows->len; i++)
    {
      BsPresenceRow     *row = flush->rows->pdata[i];
      g_autoptr (GError) save_error = NULL;

      if (bs_store_presence_save (writer, row, &save_error))
        continue;
      if (g_error_matches (save_error, BS_STORE_ERROR, BS_STORE_ERROR_INVALID))
        g_warning ("presence of user %s not saved: %s", row->user_id, save_error->message);
      else
        {
          g_ptr_array_add (flush->unsaved, g_strdup (row->user_id));
          if (row_error == NULL)
            row_error = g_steal_pointer (&save_error);
        }
    }
  if (flush->last_seen)
    {
      g_autoptr (GError) seen_error = NULL;

      if (!bs_store_write_last_seen (writer, flush->last_seen, &seen_error))
        {
          flush->seen_unsaved = TRUE;
          if (row_error == NULL)
            row_error = g_steal_pointer (&seen_error);
        }
    }
  if (!bs_store_commit (writer, error))
    goto unsaved;
  if (row_error)
    {
      g_propagate_error (error, g_steal_pointer (&row_error));
      return FALSE;
    }
  return TRUE;

unsaved:
  g_ptr_array_set_size (flush->unsaved, 0);
  for (guint i = 0; i < flush->rows->len; i++)
    g_ptr_array_add (flush->unsaved, g_strdup (((BsPresenceRow *) flush->rows->pdata[i])->user_id));
  flush->seen_unsaved = TRUE;
  return FALSE;
}

void
bs_hub_flush_done (BsHub *hub, BsHubFlush *flush)
{
  for (guint i = 0; i < flush->unsaved->len; i++)
    {
      User *user = g_hash_table_lookup (hub->users, flush->unsaved->pdata[i]);

      if (user)
        bs_hub_mark_dirty (hub, user);
    }
  if (flush->seen_unsaved && flush->last_seen)
    bs_store_requeue_last_seen (hub->store, flush->last_seen);
  g_ptr_array_unref (flush->rows);
  g_ptr_array_unref (flush->unsaved);
  g_clear_pointer (&flush->last_seen, g_hash_table_unref);
  g_free (flush);
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
  id = bs_hub_id_from_node (json_object_get_member (claims, "sub"));
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
