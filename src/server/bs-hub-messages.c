/* bs-hub-messages.c: the presence hub's messages: send_message with delivery, acks and
 * auto-read while the receiver looks at the chat, mark_read, and conversation checks. */

#include "bs-hub-private.h"

#include <string.h>

#include "beacon-json.h"
#include "beacon-presence-record.h"
#include "bs-json.h"
#include "bs-metrics.h"

JsonNode *
bs_hub_message_json (const BsMessage *message)
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
BsConversation *
bs_hub_conversation_for (
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
          bs_log_limited (&hub->storage_warnings, "conversation lookup failed: %s", local->message);
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

char *
bs_hub_conversation_id_from (JsonNode *payload)
{
  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    return NULL;
  return bs_hub_id_from_node (
      json_object_get_member (json_node_get_object (payload), "conversationId"));
}

void
bs_hub_handle_send_message (BsHub *hub, Device *device, JsonNode *payload, gint64 ack_id)
{
  User                      *user = device->user;
  User                      *partner = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *conversation_id = bs_hub_conversation_id_from (payload);
  g_autoptr (BsConversation) conversation = NULL;
  g_autoptr (BsMessage)      message = NULL;
  g_autoptr (JsonNode)       message_node = NULL;
  g_autofree char           *content = NULL;
  const char                *client_message_id = NULL;
  gboolean                   auto_read;
  gint64                     now = bs_hub_now_ms ();

  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    {
      bs_sio_socket_fail (device->socket, "send_message", ack_id, "bad_request",
                          "payload must be an object");
      return;
    }
  if (!(conversation = bs_hub_conversation_for (hub, user, conversation_id, &partner, &error)))
    {
      bs_sio_socket_fail (device->socket, "send_message", ack_id, bs_hub_error_code (error),
                          error->message);
      return;
    }
  {
    const char *raw = bs_hub_string_member (json_node_get_object (payload), "content");
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
  client_message_id = bs_hub_string_member (json_node_get_object (payload), "clientMessageId");

  auto_read = partner != NULL && bs_hub_user_chatting_with (partner, user);
  message = bs_store_message_add (hub->store, conversation->id, user->id, content, now, auto_read,
                                  &error);
  if (message == NULL)
    {
      bs_log_limited (&hub->storage_warnings, "storing a message failed: %s", error->message);
      bs_sio_socket_fail (device->socket, "send_message", ack_id, "internal",
                          "the message could not be stored");
      return;
    }
  user->last_active = now;
  bs_store_queue_last_seen (hub->store, user->id, user->last_seen, user->last_active);
  message_node = bs_hub_message_json (message);

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
      bs_hub_emit_to_user (partner, "new_message", event, NULL);
    bs_hub_emit_to_user (user, "new_message", event, device);
  }
  {
    g_autoptr (JsonBuilder) builder = json_builder_new ();
    g_autoptr (JsonNode)    sent = NULL;

    json_builder_begin_object (builder);
    bs_json_member_string (builder, "conversationId", conversation->id);
    json_builder_set_member_name (builder, "message");
    json_builder_add_value (builder, json_node_ref (message_node));
    bs_json_member_bool (builder, "delivered", partner != NULL && bs_hub_user_connected (partner));
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
      bs_hub_emit_to_user (user, "message:read", read, NULL);
    }
  if (ack_id >= 0)
    {
      g_autoptr (JsonNode) ack = bs_hub_ok_json ();

      json_object_set_member (json_node_get_object (ack), "message", json_node_ref (message_node));
      bs_sio_socket_ack (device->socket, ack_id, ack);
    }
}

void
bs_hub_handle_mark_read (BsHub *hub, Device *device, JsonNode *payload, gint64 ack_id)
{
  User                      *user = device->user;
  User                      *partner = NULL;
  g_autoptr (GError)         error = NULL;
  g_autofree char           *conversation_id = bs_hub_conversation_id_from (payload);
  g_autofree char           *up_to = NULL;
  g_autoptr (BsConversation) conversation = NULL;
  guint                      n_marked = 0;

  if (!(conversation = bs_hub_conversation_for (hub, user, conversation_id, &partner, &error)))
    {
      bs_sio_socket_fail (device->socket, "mark_read", ack_id, bs_hub_error_code (error),
                          error->message);
      return;
    }
  up_to = bs_hub_id_from_node (json_object_get_member (json_node_get_object (payload), "upTo"));
  if (up_to == NULL)
    {
      bs_sio_socket_fail (device->socket, "mark_read", ack_id, "bad_request",
                          "upTo must be a message id");
      return;
    }
  if (!bs_store_mark_read (hub->store, conversation->id, user->id, up_to, bs_hub_now_ms (),
                           &n_marked, &error))
    {
      if (g_error_matches (error, BS_STORE_ERROR, BS_STORE_ERROR_NOT_FOUND))
        bs_sio_socket_fail (device->socket, "mark_read", ack_id, "not_found", "no such message");
      else
        {
          bs_log_limited (&hub->storage_warnings, "marking messages read failed: %s",
                          error->message);
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
      bs_hub_emit_to_user (partner, "message:read", read, NULL);
      bs_hub_emit_to_user (user, "message:read", read, device);
    }
  if (ack_id >= 0)
    {
      g_autoptr (JsonNode) ack = bs_hub_ok_json ();

      json_object_set_int_member (json_node_get_object (ack), "marked", n_marked);
      bs_sio_socket_ack (device->socket, ack_id, ack);
    }
}
