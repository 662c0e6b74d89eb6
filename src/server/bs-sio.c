/* bs-sio.c: Socket.IO v5 server layer: one client per Engine.IO session, one socket per
 * joined namespace, CONNECT/CONNECT_ERROR, events and acks, token-bucket rate limits. */

#include "bs-sio.h"

#include <string.h>

#include "beacon-sio.h"
#include "bs-json.h"
#include "bs-metrics.h"

typedef struct
{
  char                  *name;
  BsSioNamespaceHandlers handlers;
  gpointer               user_data;
} Namespace;

typedef struct
{
  BsSio       *sio;
  BsEioSocket *eio;
  GHashTable  *sockets; /* nsp name -> BsSioSocket */
  uv_timer_t  *connect_timer;
  /* A BINARY_EVENT / BINARY_ACK waiting for its attachments, and those received so far. */
  BeaconSioPacket *pending;
  GPtrArray       *attachments; /* GBytes */
  gsize            attachment_bytes;
} Client;

struct _BsSioSocket
{
  Client    *client; /* NULL once the socket has left */
  Namespace *ns;
  char      *id;
  gpointer   data;
  double     tokens;
  guint64    refilled_at;
  gint64     over_since; /* -1 while under the limit */
  char      *leave_reason;
};

struct _BsSio
{
  uv_loop_t  *loop;
  BsSioConfig config;
  GHashTable *namespaces; /* name -> Namespace */
  GQueue      leaving;    /* sockets whose disconnected callback is due */
  uv_timer_t *leave_timer;
};

static void
free_timer (uv_handle_t *handle)
{
  g_free (handle);
}

static void
close_timer (uv_timer_t **timer)
{
  if (*timer == NULL)
    return;
  uv_timer_stop (*timer);
  uv_close ((uv_handle_t *) *timer, free_timer);
  *timer = NULL;
}

static void
namespace_free (Namespace *ns)
{
  g_free (ns->name);
  g_free (ns);
}

static void
socket_free (BsSioSocket *socket)
{
  g_free (socket->id);
  g_free (socket->leave_reason);
  g_free (socket);
}

BsSio *
bs_sio_new (uv_loop_t *loop, const BsSioConfig *config)
{
  BsSio *sio = g_new0 (BsSio, 1);

  sio->loop = loop;
  sio->config = *config;
  if (sio->config.max_attachment_bytes == 0)
    sio->config.max_attachment_bytes = 1000000;
  sio->namespaces =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) namespace_free);
  g_queue_init (&sio->leaving);
  return sio;
}

void
bs_sio_free (BsSio *sio)
{
  BsSioSocket *socket;

  if (sio == NULL)
    return;
  while ((socket = g_queue_pop_head (&sio->leaving)))
    socket_free (socket);
  close_timer (&sio->leave_timer);
  g_hash_table_unref (sio->namespaces);
  g_free (sio);
}

void
bs_sio_add_namespace (BsSio                        *sio,
                      const char                   *nsp,
                      const BsSioNamespaceHandlers *handlers,
                      gpointer                      user_data)
{
  Namespace *ns = g_new0 (Namespace, 1);

  ns->name = g_strdup (nsp);
  ns->handlers = *handlers;
  ns->user_data = user_data;
  g_hash_table_replace (sio->namespaces, ns->name, ns);
}

GBytes *
bs_sio_encode_event (const char *nsp, const char *name, JsonNode *arg)
{
  g_autoptr (BeaconSioPacket) packet =
      beacon_sio_packet_new_event (nsp, -1, name, arg ? json_node_ref (arg) : NULL);
  g_autofree char *text = beacon_sio_encode (packet);
  gsize            len = strlen (text);
  char            *wire = g_malloc (len + 2);

  wire[0] = '4';
  memcpy (wire + 1, text, len + 1);
  return g_bytes_new_take (wire, len + 1);
}

static void
client_send_packet (Client *client, BeaconSioPacket *packet)
{
  g_autofree char   *text = beacon_sio_encode (packet);
  g_autofree char   *wire = g_strconcat ("4", text, NULL);
  gsize              len = strlen (wire);
  g_autoptr (GBytes) bytes = g_bytes_new_take (g_steal_pointer (&wire), len);

  bs_eio_socket_send (client->eio, bytes);
}

void
bs_sio_socket_send (BsSioSocket *socket, GBytes *packet)
{
  if (socket->client == NULL)
    return;
  bs_eio_socket_send (socket->client->eio, packet);
}

void
bs_sio_socket_emit (BsSioSocket *socket, const char *name, JsonNode *arg)
{
  g_autoptr (GBytes) bytes = NULL;

  if (socket->client == NULL)
    return;
  bytes = bs_sio_encode_event (socket->ns->name, name, arg);
  bs_eio_socket_send (socket->client->eio, bytes);
  bs_metrics_event_out (name, 1);
}

void
bs_sio_socket_ack (BsSioSocket *socket, gint64 ack_id, JsonNode *arg)
{
  g_autoptr (BeaconSioPacket) packet = NULL;
  JsonArray                  *args;

  if (ack_id < 0 || socket->client == NULL)
    return;
  args = json_array_new ();
  if (arg)
    json_array_add_element (args, json_node_ref (arg));
  packet = beacon_sio_packet_new (BEACON_SIO_ACK, socket->ns->name, ack_id,
                                  json_node_init_array (json_node_alloc (), args));
  json_array_unref (args);
  client_send_packet (socket->client, packet);
}

/* Sends [first?, args...] as type (EVENT or ACK), or as its binary type followed by the
 * attachments when there are any. */
static void
socket_send_args (BsSioSocket  *socket,
                  BeaconSioType type,
                  gint64        id,
                  const char   *first,
                  JsonArray    *args,
                  GPtrArray    *attachments)
{
  guint                       n = attachments ? attachments->len : 0;
  JsonArray                  *array;
  g_autoptr (BeaconSioPacket) packet = NULL;

  g_return_if_fail (n <= BEACON_SIO_MAX_ATTACHMENTS);
  if (socket->client == NULL)
    return;

  array = json_array_sized_new ((first ? 1 : 0) + (args ? json_array_get_length (args) : 0));
  if (first)
    json_array_add_string_element (array, first);
  for (guint i = 0; args && i < json_array_get_length (args); i++)
    json_array_add_element (array, json_node_ref (json_array_get_element (args, i)));
  if (n > 0)
    type = type == BEACON_SIO_EVENT ? BEACON_SIO_BINARY_EVENT : BEACON_SIO_BINARY_ACK;
  packet = beacon_sio_packet_new (type, socket->ns->name, id,
                                  json_node_init_array (json_node_alloc (), array));
  json_array_unref (array);
  packet->attachments = n;
  client_send_packet (socket->client, packet);
  for (guint i = 0; i < n; i++)
    bs_eio_socket_send_binary (socket->client->eio, attachments->pdata[i]);
}

void
bs_sio_socket_emit_args (BsSioSocket *socket,
                         const char  *name,
                         JsonArray   *args,
                         GPtrArray   *attachments)
{
  if (socket->client == NULL)
    return;
  socket_send_args (socket, BEACON_SIO_EVENT, -1, name, args, attachments);
  bs_metrics_event_out (name, 1);
}

void
bs_sio_socket_ack_args (BsSioSocket *socket, gint64 ack_id, JsonArray *args, GPtrArray *attachments)
{
  if (ack_id < 0)
    return;
  socket_send_args (socket, BEACON_SIO_ACK, ack_id, NULL, args, attachments);
}

void
bs_sio_socket_fail (
    BsSioSocket *socket, const char *event, gint64 ack_id, const char *code, const char *message)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode)    node = NULL;

  json_builder_begin_object (builder);
  if (ack_id >= 0)
    {
      bs_json_member_bool (builder, "ok", FALSE);
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
    }
  bs_json_member_string (builder, "code", code);
  bs_json_member_string (builder, "message", message);
  if (ack_id >= 0)
    json_builder_end_object (builder);
  else
    {
      bs_json_member_string (builder, "event", event);
    }
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);

  if (ack_id >= 0)
    bs_sio_socket_ack (socket, ack_id, node);
  else
    bs_sio_socket_emit (socket, "server:error", node);
}

static void
flush_leaving (BsSio *sio)
{
  BsSioSocket *socket;

  while ((socket = g_queue_pop_head (&sio->leaving)))
    {
      if (socket->ns->handlers.disconnected)
        socket->ns->handlers.disconnected (socket, socket->leave_reason, socket->ns->user_data);
      bs_metrics_connections_add (socket->ns->name, -1);
      socket_free (socket);
    }
}

static void
run_leaving (uv_timer_t *timer)
{
  flush_leaving (timer->data);
}

/* Takes the socket out of its client now, and calls disconnected from the loop, so that a
 * handler may disconnect sockets while it walks its own lists. */
static void
socket_leave (BsSio *sio, BsSioSocket *socket, const char *reason)
{
  Client *client = socket->client;

  g_hash_table_steal (client->sockets, socket->ns->name);
  socket->client = NULL;
  socket->leave_reason = g_strdup (reason);
  g_queue_push_tail (&sio->leaving, socket);
  if (sio->leave_timer == NULL)
    {
      sio->leave_timer = g_new0 (uv_timer_t, 1);
      uv_timer_init (sio->loop, sio->leave_timer);
      sio->leave_timer->data = sio;
      uv_unref ((uv_handle_t *) sio->leave_timer);
    }
  uv_timer_start (sio->leave_timer, run_leaving, 0, 0);
}

void
bs_sio_socket_disconnect (BsSioSocket *socket, gboolean close_transport)
{
  Client                     *client = socket->client;
  g_autoptr (BeaconSioPacket) packet = NULL;

  if (client == NULL)
    return;
  packet = beacon_sio_packet_new (BEACON_SIO_DISCONNECT, socket->ns->name, -1, NULL);
  client_send_packet (client, packet);
  socket_leave (client->sio, socket, "server namespace disconnect");
  if (close_transport)
    bs_eio_socket_close (client->eio);
}

const char *
bs_sio_socket_get_id (BsSioSocket *socket)
{
  return socket->id;
}

const char *
bs_sio_socket_get_nsp (BsSioSocket *socket)
{
  return socket->ns->name;
}

BsEioSocket *
bs_sio_socket_get_eio (BsSioSocket *socket)
{
  return socket->client ? socket->client->eio : NULL;
}

gpointer
bs_sio_socket_get_data (BsSioSocket *socket)
{
  return socket->data;
}

void
bs_sio_socket_set_data (BsSioSocket *socket, gpointer data)
{
  socket->data = data;
}

static void
on_connect_timeout (uv_timer_t *timer)
{
  Client *client = timer->data;

  if (g_hash_table_size (client->sockets) == 0)
    {
      g_debug ("session %s joined no namespace in time: closing",
               bs_eio_socket_get_sid (client->eio));
      bs_metrics_rejected ("connect_timeout");
      bs_eio_socket_close (client->eio);
    }
}

void
bs_sio_on_eio_open (BsSio *sio, BsEioSocket *eio)
{
  Client *client = g_new0 (Client, 1);

  client->sio = sio;
  client->eio = eio;
  client->sockets = g_hash_table_new (g_str_hash, g_str_equal);
  client->connect_timer = g_new0 (uv_timer_t, 1);
  uv_timer_init (sio->loop, client->connect_timer);
  client->connect_timer->data = client;
  uv_timer_start (client->connect_timer, on_connect_timeout, sio->config.connect_timeout_ms, 0);
  bs_eio_socket_set_data (eio, client);
}

static void
client_drop_pending (Client *client)
{
  g_clear_pointer (&client->pending, beacon_sio_packet_free);
  g_clear_pointer (&client->attachments, g_ptr_array_unref);
  client->attachment_bytes = 0;
}

void
bs_sio_on_eio_close (BsSio *sio, BsEioSocket *eio, const char *reason)
{
  Client        *client = bs_eio_socket_get_data (eio);
  GHashTableIter iter;
  gpointer       value;

  if (client == NULL)
    return;
  g_hash_table_iter_init (&iter, client->sockets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BsSioSocket *socket = value;

      g_hash_table_iter_steal (&iter);
      socket->client = NULL;
      socket->leave_reason = g_strdup (reason);
      g_queue_push_tail (&sio->leaving, socket);
    }
  flush_leaving (sio);
  close_timer (&client->connect_timer);
  client_drop_pending (client);
  g_hash_table_unref (client->sockets);
  bs_eio_socket_set_data (eio, NULL);
  g_free (client);
}

/* TRUE when the event may pass; otherwise it has been answered (or the socket dropped). */
static gboolean
rate_limit (BsSio *sio, BsSioSocket *socket, const char *event, gint64 ack_id)
{
  guint64 now = uv_now (sio->loop);

  socket->tokens =
      MIN (sio->config.rate_burst,
           socket->tokens + (now - socket->refilled_at) * sio->config.rate_per_s / 1000.0);
  socket->refilled_at = now;
  if (socket->tokens >= 1)
    {
      socket->tokens -= 1;
      socket->over_since = -1;
      return TRUE;
    }

  bs_metrics_rejected ("rate_limited");
  if (socket->over_since < 0)
    socket->over_since = now;
  if (now - socket->over_since >= sio->config.rate_disconnect_ms)
    {
      g_warning ("socket %s over its rate limit for %u ms: disconnecting", socket->id,
                 sio->config.rate_disconnect_ms);
      bs_sio_socket_disconnect (socket, TRUE);
      return FALSE;
    }
  bs_sio_socket_fail (socket, event, ack_id, "rate_limited", "too many events");
  return FALSE;
}

static void
handle_connect (BsSio *sio, Client *client, BeaconSioPacket *packet)
{
  Namespace                  *ns = g_hash_table_lookup (sio->namespaces, packet->nsp);
  gpointer                    socket_data = NULL;
  g_autoptr (JsonNode)        error_data = NULL;
  g_autoptr (BeaconSioPacket) answer = NULL;
  BsSioSocket                *socket;
  JsonObject                 *ok;

  if (ns == NULL)
    {
      JsonObject *err = json_object_new ();

      json_object_set_string_member (err, "message", "Invalid namespace");
      answer = beacon_sio_packet_new (BEACON_SIO_CONNECT_ERROR, packet->nsp, -1,
                                      json_node_init_object (json_node_alloc (), err));
      json_object_unref (err);
      client_send_packet (client, answer);
      bs_metrics_rejected ("bad_namespace");
      return;
    }
  if (g_hash_table_contains (client->sockets, ns->name))
    return; /* already joined: a repeated CONNECT changes nothing */

  if (ns->handlers.authorize &&
      !ns->handlers.authorize (client->eio, packet->data, &socket_data, &error_data, ns->user_data))
    {
      answer = beacon_sio_packet_new (BEACON_SIO_CONNECT_ERROR, ns->name, -1,
                                      g_steal_pointer (&error_data));
      client_send_packet (client, answer);
      return;
    }

  socket = g_new0 (BsSioSocket, 1);
  socket->client = client;
  socket->ns = ns;
  socket->id = g_malloc (21);
  bs_net_random_id (socket->id);
  socket->data = socket_data;
  socket->tokens = sio->config.rate_burst;
  socket->refilled_at = uv_now (sio->loop);
  socket->over_since = -1;
  g_hash_table_insert (client->sockets, ns->name, socket);
  close_timer (&client->connect_timer);
  bs_metrics_connections_add (ns->name, 1);

  ok = json_object_new ();
  json_object_set_string_member (ok, "sid", socket->id);
  answer = beacon_sio_packet_new (BEACON_SIO_CONNECT, ns->name, -1,
                                  json_node_init_object (json_node_alloc (), ok));
  json_object_unref (ok);
  client_send_packet (client, answer);

  if (ns->handlers.connected)
    ns->handlers.connected (socket, ns->user_data);
}

/* As socket.io-parser's reconstructPacket: every placeholder {"_placeholder":true,"num":N}
 * must name one of the n attachments received. */
static gboolean
placeholders_valid (JsonNode *node, guint n)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!placeholders_valid (json_array_get_element (array, i), n))
          return FALSE;
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject    *object = json_node_get_object (node);
      JsonNode      *flag = json_object_get_member (object, "_placeholder");
      JsonObjectIter iter;
      JsonNode      *member;

      if (flag && JSON_NODE_HOLDS_VALUE (flag) &&
          json_node_get_value_type (flag) == G_TYPE_BOOLEAN && json_node_get_boolean (flag))
        {
          JsonNode *num = json_object_get_member (object, "num");

          return num && JSON_NODE_HOLDS_VALUE (num) &&
                 json_node_get_value_type (num) == G_TYPE_INT64 && json_node_get_int (num) >= 0 &&
                 json_node_get_int (num) < n;
        }
      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, NULL, &member))
        if (!placeholders_valid (member, n))
          return FALSE;
    }
  return TRUE;
}

static void
handle_event (BsSio *sio, BsSioSocket *socket, BeaconSioPacket *packet, GPtrArray *attachments)
{
  const char                   *name = beacon_sio_packet_get_event_name (packet);
  JsonArray                    *all = json_node_get_array (packet->data);
  g_autoptr (JsonArray)         args = json_array_sized_new (json_array_get_length (all) - 1);
  g_autoptr (GPtrArray)         none = NULL;
  const BsSioNamespaceHandlers *handlers = &socket->ns->handlers;

  if (!rate_limit (sio, socket, name, packet->id))
    return;
  if (packet->type == BEACON_SIO_BINARY_EVENT && handlers->binary_event == NULL)
    {
      bs_metrics_rejected ("binary");
      bs_sio_socket_fail (socket, name, packet->id, "bad_request",
                          "binary events are not supported");
      return;
    }
  bs_metrics_event_in (name);
  for (guint i = 1; i < json_array_get_length (all); i++)
    json_array_add_element (args, json_node_ref (json_array_get_element (all, i)));
  if (packet->type == BEACON_SIO_BINARY_EVENT)
    {
      if (attachments == NULL)
        attachments = none = g_ptr_array_new ();
      handlers->binary_event (socket, name, args, attachments, packet->id, socket->ns->user_data);
    }
  else if (handlers->event)
    handlers->event (socket, name, args, packet->id, socket->ns->user_data);
}

/* One decoded packet, with its attachments when it is a binary one. */
static void
handle_packet (BsSio *sio, Client *client, BeaconSioPacket *packet, GPtrArray *attachments)
{
  BsEioSocket *eio = client->eio;
  BsSioSocket *socket;

  if (packet->type == BEACON_SIO_CONNECT)
    {
      handle_connect (sio, client, packet);
      return;
    }

  if ((packet->type == BEACON_SIO_BINARY_EVENT || packet->type == BEACON_SIO_BINARY_ACK) &&
      !placeholders_valid (packet->data, attachments ? attachments->len : 0))
    {
      g_warning ("session %s: placeholder for a missing attachment", bs_eio_socket_get_sid (eio));
      bs_metrics_rejected ("sio_parse");
      bs_eio_socket_close (eio);
      return;
    }

  socket = g_hash_table_lookup (client->sockets, packet->nsp);
  if (socket == NULL)
    {
      /* Anything but CONNECT for a namespace not joined: an invalid state, as the reference
       * server sees it, which closes the connection. */
      bs_metrics_rejected ("not_connected");
      bs_eio_socket_close (eio);
      return;
    }

  switch (packet->type)
    {
    case BEACON_SIO_DISCONNECT: socket_leave (sio, socket, "client namespace disconnect"); break;

    case BEACON_SIO_EVENT:
    case BEACON_SIO_BINARY_EVENT: handle_event (sio, socket, packet, attachments); break;

    case BEACON_SIO_ACK:
    case BEACON_SIO_BINARY_ACK:
      /* The server asks no acks of clients: nothing waits for one. */
      break;

    case BEACON_SIO_CONNECT_ERROR:
    default:
      bs_metrics_rejected ("bad_packet_type");
      bs_eio_socket_close (eio);
      break;
    }
}

void
bs_sio_on_eio_message (BsSio *sio, BsEioSocket *eio, const char *text, gsize len)
{
  Client                     *client = bs_eio_socket_get_data (eio);
  g_autoptr (GError)          error = NULL;
  g_autoptr (BeaconSioPacket) packet = NULL;

  if (client == NULL)
    return;

  if (client->pending)
    {
      /* As socket.io-parser: "got plaintext data when reconstructing a packet". */
      g_warning ("session %s: text packet while %u attachments were due",
                 bs_eio_socket_get_sid (eio),
                 client->pending->attachments - client->attachments->len);
      bs_metrics_rejected ("sio_parse");
      client_drop_pending (client);
      bs_eio_socket_close (eio);
      return;
    }

  if (!(packet = beacon_sio_decode (text, len, &error)))
    {
      /* As the reference server: a packet that does not parse ends the connection. */
      g_warning ("session %s: bad Socket.IO packet: %s", bs_eio_socket_get_sid (eio),
                 error->message);
      bs_metrics_rejected ("sio_parse");
      bs_eio_socket_close (eio);
      return;
    }

  if ((packet->type == BEACON_SIO_BINARY_EVENT || packet->type == BEACON_SIO_BINARY_ACK) &&
      packet->attachments > 0)
    {
      if (!g_hash_table_contains (client->sockets, packet->nsp))
        {
          /* Closed now rather than after buffering attachments nobody can receive. */
          bs_metrics_rejected ("not_connected");
          bs_eio_socket_close (eio);
          return;
        }
      client->pending = g_steal_pointer (&packet);
      client->attachments =
          g_ptr_array_new_full (client->pending->attachments, (GDestroyNotify) g_bytes_unref);
      return;
    }

  handle_packet (sio, client, packet, NULL);
}

void
bs_sio_on_eio_binary (BsSio *sio, BsEioSocket *eio, GBytes *data)
{
  Client                     *client = bs_eio_socket_get_data (eio);
  g_autoptr (BeaconSioPacket) packet = NULL;
  g_autoptr (GPtrArray)       attachments = NULL;
  gsize                       size = g_bytes_get_size (data);

  if (client == NULL)
    return;

  if (client->pending == NULL)
    {
      /* As socket.io-parser: "got binary data when not reconstructing a packet". */
      g_warning ("session %s: binary message with no packet announcing it",
                 bs_eio_socket_get_sid (eio));
      bs_metrics_rejected ("binary");
      bs_eio_socket_close (eio);
      return;
    }
  if (size > sio->config.max_attachment_bytes - client->attachment_bytes)
    {
      g_warning ("session %s: attachments over %" G_GSIZE_FORMAT " bytes: closing",
                 bs_eio_socket_get_sid (eio), sio->config.max_attachment_bytes);
      bs_metrics_rejected ("too_large");
      client_drop_pending (client);
      bs_eio_socket_close (eio);
      return;
    }

  client->attachment_bytes += size;
  g_ptr_array_add (client->attachments, g_bytes_ref (data));
  if (client->attachments->len < client->pending->attachments)
    return;

  packet = g_steal_pointer (&client->pending);
  attachments = g_steal_pointer (&client->attachments);
  client->attachment_bytes = 0;
  handle_packet (sio, client, packet, attachments);
}
