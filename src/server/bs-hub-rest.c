/* bs-hub-rest.c: the presence hub's answers to the REST API: the user, contacts,
 * hydration, presence, status and settings, providers, conversations and messages. */

#include "bs-hub-private.h"

#include <string.h>

#include "beacon-json.h"
#include "beacon-presence-record.h"
#include "bs-json.h"
#include "bs-metrics.h"

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
  bs_json_member_string (builder, "show_last_seen", bs_hub_last_seen_names[user->show_last_seen]);
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
  bs_json_member_string (builder, "status", bs_hub_chosen_names[user->chosen]);
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
  GPtrArray *contacts = g_ptr_array_copy (user->contacts, NULL, NULL);

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
      json_builder_add_boolean_value (builder, bs_hub_user_visible (contact));
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "presence");
  json_builder_begin_array (builder);
  for (guint i = 0; i < contacts->len; i++)
    json_builder_add_value (builder, bs_hub_record_json (contacts->pdata[i], viewer));
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

  if (user == NULL || viewer == NULL || (user != viewer && !bs_hub_is_contact (user, viewer)))
    {
      g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_NOT_FOUND,
                           "no such user among your contacts");
      return NULL;
    }
  return bs_hub_record_json (user, viewer);
}

JsonNode *
bs_hub_set_status (BsHub *hub, const char *user_id, JsonNode *payload, GError **error)
{
  User  *user = g_hash_table_lookup (hub->users, user_id);
  Chosen chosen;
  char  *message;

  if (!bs_hub_parse_status (payload, &chosen, &message, error))
    return NULL;
  bs_hub_apply_status (hub, user, chosen, message, NULL);
  return bs_hub_record_json (user, user);
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

      for (i = 0; i < G_N_ELEMENTS (bs_hub_last_seen_names); i++)
        if (strcmp (value, bs_hub_last_seen_names[i]) == 0)
          break;
      if (i == G_N_ELEMENTS (bs_hub_last_seen_names))
        {
          g_set_error_literal (error, BS_HUB_ERROR, BS_HUB_ERROR_BAD_REQUEST,
                               "show_last_seen must be everyone, contacts or nobody");
          return NULL;
        }
      new_policy = i;
    }

  if (new_online != user->show_online || new_policy != user->show_last_seen)
    {
      visible_before = bs_hub_user_visible (user);
      user->show_online = new_online;
      user->show_last_seen = new_policy;
      if (visible_before && !bs_hub_user_visible (user))
        {
          user->last_seen = bs_hub_now_ms ();
          bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
        }
      bs_hub_bump (hub, user);
      bs_hub_publish_to_contacts (hub, user);
      bs_hub_send_to_own_devices (user, NULL);
      bs_hub_visibility_changed (hub, user);
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
  gboolean visible = bs_hub_user_visible (user);
  gboolean may_see = bs_hub_may_see_last_seen (user, NULL);

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
  gint64                  now = bs_hub_now_ms ();

  g_hash_table_iter_init (&iter, hub->users);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (bs_hub_is_freelancer (value) &&
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
      bs_json_member_bool (builder, "is_online", bs_hub_user_visible (user));
      json_builder_set_member_name (builder, "last_seen");
      if (bs_hub_may_see_last_seen (user, NULL) && user->last_seen >= 0)
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
    json_builder_add_value (builder, bs_hub_message_json (conversation->last_message));
  else
    json_builder_add_null_value (builder);
  bs_json_member_int (builder, "unread_count", conversation->unread_count);
  json_builder_end_object (builder);
}

static void
internal_error (BsHub *hub, GError **error, GError *cause, const char *what)
{
  bs_log_limited (&hub->storage_warnings, "%s: %s", what, cause->message);
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
      internal_error (hub, error, local, "listing conversations failed");
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
      internal_error (hub, error, local, "opening the conversation failed");
      return NULL;
    }
  new_contacts = !bs_hub_is_contact (user, partner);
  bs_hub_link_contacts (hub, user->id, partner->id);
  if (new_contacts)
    {
      /* Conversation partners are contacts: each now sees the other's presence. */
      if (bs_hub_user_visible (partner))
        bs_hub_publish_to_viewer (hub, partner, user);
      if (bs_hub_user_visible (user))
        bs_hub_publish_to_viewer (hub, user, partner);
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
      bs_hub_conversation_for (hub, user, conversation_id, NULL, error);
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
        internal_error (hub, error, local, "listing messages failed");
      return NULL;
    }
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    json_builder_add_value (builder, bs_hub_message_json (messages->pdata[i]));
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
