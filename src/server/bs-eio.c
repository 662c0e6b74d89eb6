/* bs-eio.c: Engine.IO v4 server sessions over WebSocket and HTTP long-polling: handshake,
 * heartbeat, packet queues, the upgrade from polling to WebSocket, and closing. */

#include "bs-net-private.h"

#include "beacon-eio.h"
#include "beacon-json.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

typedef enum
{
  EIO_ERROR_UNKNOWN_TRANSPORT = 0,
  EIO_ERROR_UNKNOWN_SID = 1,
  EIO_ERROR_BAD_HANDSHAKE_METHOD = 2,
  EIO_ERROR_BAD_REQUEST = 3,
  EIO_ERROR_UNSUPPORTED_PROTOCOL_VERSION = 5,
} EioError;

static const char *const eio_error_messages[] = {
  "Transport unknown", "Session ID unknown", "Bad handshake method",
  "Bad request",       "Forbidden",          "Unsupported protocol version",
};

typedef struct
{
  GBytes  *bytes;
  gboolean binary;
} Queued;

struct _BsEioSocket
{
  BsNet      *net;
  char        sid[21];
  char       *remote_addr;
  gboolean    websocket; /* the transport: WebSocket, else polling */
  gboolean    closed;    /* the session is over; eio_close follows from the loop */
  const char *close_reason;
  gboolean    in_flush; /* in net->flush_sockets */

  BsConn        *ws;       /* the WebSocket transport */
  BsConn        *probe;    /* a WebSocket being upgraded to */
  gboolean       probed;   /* "2probe" came through it */
  BsHttpRequest *poll;     /* the GET held open */
  BsHttpRequest *data_req; /* a POST whose body is still coming */
  GQueue         queue;    /* Queued *, for polling */
  gsize          queued_bytes;

  uv_timer_t heartbeat;
  gboolean   awaiting_pong;
  uv_timer_t upgrade_timer;
  guint      open_handles;

  gpointer data;
};

static GBytes *
static_bytes (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

/* Session and socket ids: 15 bytes from the kernel's CSPRNG, base64url: 20 characters. */
void
bs_net_random_id (char out[21])
{
  guint8           raw[15];
  gsize            got = 0;
  g_autofree char *b64 = NULL;

  while (got < sizeof raw)
    {
      ssize_t n = getrandom (raw + got, sizeof raw - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("getrandom: %s", g_strerror (errno));
      got += n;
    }
  b64 = g_base64_encode (raw, sizeof raw);
  g_strdelimit (b64, "+", '-');
  g_strdelimit (b64, "/", '_');
  memcpy (out, b64, 20);
  out[20] = '\0';
}

static void
queued_free (gpointer data)
{
  Queued *q = data;

  g_bytes_unref (q->bytes);
  g_free (q);
}

static void
clear_queue (BsEioSocket *socket)
{
  g_queue_clear_full (&socket->queue, queued_free);
  socket->queued_bytes = 0;
}

/* Heartbeat */

static void session_close (BsEioSocket *socket, const char *reason);
static void send_packet (BsEioSocket *socket, GBytes *bytes, gboolean binary);

static void
on_heartbeat (uv_timer_t *timer)
{
  BsEioSocket *socket = timer->data;

  if (socket->closed)
    return;
  if (socket->awaiting_pong)
    {
      g_debug ("session %s: ping timeout", socket->sid);
      session_close (socket, "ping timeout");
      return;
    }
  {
    g_autoptr (GBytes) ping = static_bytes ("2");

    socket->awaiting_pong = TRUE;
    uv_timer_start (&socket->heartbeat, on_heartbeat, socket->net->config.ping_timeout_ms, 0);
    send_packet (socket, ping, FALSE);
  }
}

static void
heartbeat_reset (BsEioSocket *socket)
{
  socket->awaiting_pong = FALSE;
  uv_timer_start (&socket->heartbeat, on_heartbeat, socket->net->config.ping_interval_ms, 0);
}

/* Polling */

static void
schedule_flush (BsEioSocket *socket)
{
  if (socket->in_flush || socket->poll == NULL)
    return;
  socket->in_flush = TRUE;
  g_queue_push_tail (&socket->net->flush_sockets, socket);
  bs_net_schedule (socket->net);
}

/* Answers the held GET with what is queued, then @tail ("1", "6") if given. */
static void
answer_poll (BsEioSocket *socket, const char *tail)
{
  BsHttpRequest *poll = g_steal_pointer (&socket->poll);
  GString       *out;
  Queued        *q;

  if (poll == NULL)
    return;
  poll->on_abort = NULL;

  out = g_string_new (NULL);
  while ((q = g_queue_pop_head (&socket->queue)))
    {
      gsize         len;
      gconstpointer data = g_bytes_get_data (q->bytes, &len);

      if (out->len > 0)
        g_string_append_c (out, BEACON_EIO_SEPARATOR);
      if (q->binary)
        {
          g_autofree char *b64 = g_base64_encode (data, len);

          g_string_append_c (out, 'b');
          g_string_append (out, b64);
        }
      else
        g_string_append_len (out, data, len);
      queued_free (q);
    }
  socket->queued_bytes = 0;
  if (tail)
    {
      if (out->len > 0)
        g_string_append_c (out, BEACON_EIO_SEPARATOR);
      g_string_append (out, tail);
    }

  bs_http_request_respond (poll, 200, "text/plain; charset=UTF-8", out->str, out->len);
  g_string_free (out, TRUE);
  bs_http_request_unref (poll);
}

void
bs_eio_flush (BsEioSocket *socket)
{
  socket->in_flush = FALSE;
  if (!socket->closed && socket->poll && !g_queue_is_empty (&socket->queue))
    answer_poll (socket, NULL);
}

static void
on_poll_abort (BsHttpRequest *request, gpointer data)
{
  BsEioSocket *socket = data;

  if (socket->poll != request)
    return;
  g_clear_pointer (&socket->poll, bs_http_request_unref);
  g_debug ("session %s: poll connection closed prematurely", socket->sid);
  session_close (socket, "transport error");
}

/* Sending */

static void
send_packet (BsEioSocket *socket, GBytes *bytes, gboolean binary)
{
  Queued *q;

  if (socket->closed)
    return;
  if (socket->websocket)
    {
      if (socket->ws)
        bs_ws_send (socket->ws, binary ? BS_WS_BINARY : BS_WS_TEXT, bytes);
      return;
    }

  q = g_new (Queued, 1);
  q->bytes = g_bytes_ref (bytes);
  q->binary = binary;
  g_queue_push_tail (&socket->queue, q);
  socket->queued_bytes += g_bytes_get_size (bytes);
  if (socket->queued_bytes > BS_NET_MAX_QUEUED)
    {
      bs_net_warn_rejected (socket->net, "slow_consumer",
                            "session %s: more than %u bytes queued for a client that does not "
                            "poll: closed",
                            socket->sid, BS_NET_MAX_QUEUED);
      session_close (socket, "transport error");
      return;
    }
  schedule_flush (socket);
}

void
bs_eio_socket_send (BsEioSocket *socket, GBytes *packet)
{
  g_return_if_fail (socket != NULL);
  g_return_if_fail (packet != NULL);
  send_packet (socket, packet, FALSE);
}

void
bs_eio_socket_send_binary (BsEioSocket *socket, GBytes *data)
{
  g_return_if_fail (socket != NULL);
  g_return_if_fail (data != NULL);
  send_packet (socket, data, TRUE);
}

/* Closing */

static void
drop_probe (BsEioSocket *socket)
{
  BsConn *probe = g_steal_pointer (&socket->probe);

  socket->probed = FALSE;
  uv_timer_stop (&socket->upgrade_timer);
  if (probe)
    {
      probe->eio = NULL;
      bs_ws_close (probe, 1000);
    }
}

/* Ends the session: the client is told (close packet, or a noop when it asked to close
 * itself), the transport closed, and eio_close scheduled on the loop. */
static void
session_close (BsEioSocket *socket, const char *reason)
{
  BsNet   *net = socket->net;
  gboolean by_client = g_str_equal (reason, "transport close");

  if (socket->closed)
    return;
  socket->closed = TRUE;
  socket->close_reason = reason;
  g_debug ("session %s: closed (%s)", socket->sid, reason);

  g_hash_table_remove (net->sessions, socket->sid);
  uv_timer_stop (&socket->heartbeat);
  if (socket->in_flush)
    {
      g_queue_remove (&net->flush_sockets, socket);
      socket->in_flush = FALSE;
    }
  drop_probe (socket);
  g_clear_pointer (&socket->data_req, bs_http_request_unref);

  if (socket->ws)
    {
      BsConn *ws = g_steal_pointer (&socket->ws);

      ws->eio = NULL;
      if (!by_client)
        {
          g_autoptr (GBytes) close = static_bytes ("1");

          bs_ws_send (ws, BS_WS_TEXT, close);
        }
      bs_ws_close (ws, net->shutting_down ? 1001 : 1000);
    }
  if (socket->poll)
    {
      if (by_client)
        clear_queue (socket);
      answer_poll (socket, by_client ? "6" : "1");
    }
  clear_queue (socket);

  g_queue_push_tail (&net->closed_sockets, socket);
  bs_net_schedule (net);
}

static void
on_socket_handle_closed (uv_handle_t *handle)
{
  BsEioSocket *socket = handle->data;
  BsNet       *net = socket->net;

  if (--socket->open_handles > 0)
    return;
  g_free (socket->remote_addr);
  g_free (socket);
  bs_net_live_unref (net);
}

/* From the loop: tells the application, then frees the session. */
void
bs_eio_finish (BsEioSocket *socket)
{
  BsNet *net = socket->net;

  if (net->handlers.eio_close)
    net->handlers.eio_close (socket, socket->close_reason, net->user_data);
  uv_close ((uv_handle_t *) &socket->heartbeat, on_socket_handle_closed);
  uv_close ((uv_handle_t *) &socket->upgrade_timer, on_socket_handle_closed);
}

void
bs_eio_socket_close (BsEioSocket *socket)
{
  g_return_if_fail (socket != NULL);
  session_close (socket, "forced close");
}

void
bs_eio_shutdown_all (BsNet *net)
{
  GList *all = g_hash_table_get_values (net->sessions);

  for (GList *l = all; l; l = l->next)
    session_close (l->data, "server close");
  g_list_free (all);
}

void
bs_eio_payload_too_large (BsNet *net, const char *sid)
{
  BsEioSocket *socket = sid ? g_hash_table_lookup (net->sessions, sid) : NULL;

  if (socket && !socket->websocket)
    session_close (socket, "transport error");
}

/* Receiving */

static void
handle_packet (BsEioSocket *socket, BeaconEioPacket *packet)
{
  BsNet      *net = socket->net;
  const char *text;
  gsize       len;

  switch (packet->type)
    {
    case BEACON_EIO_CLOSE: session_close (socket, "transport close"); break;
    case BEACON_EIO_PING:
      /* v4: only the server pings */
      bs_net_warn_rejected (net, "eio_parse", "session %s: ping from the client", socket->sid);
      session_close (socket, "transport error");
      break;
    case BEACON_EIO_PONG: heartbeat_reset (socket); break;
    case BEACON_EIO_MESSAGE:
      if (packet->binary)
        {
          if (net->handlers.eio_binary)
            net->handlers.eio_binary (socket, packet->data, net->user_data);
          else
            bs_net_warn_rejected (net, "binary", "session %s: binary message dropped", socket->sid);
        }
      else if (net->handlers.eio_message)
        {
          text = beacon_eio_packet_get_text (packet, &len);
          net->handlers.eio_message (socket, text, len, net->user_data);
        }
      break;
    case BEACON_EIO_OPEN:
    case BEACON_EIO_UPGRADE:
    case BEACON_EIO_NOOP:
    default: break;
    }
}

static void
complete_upgrade (BsEioSocket *socket)
{
  Queued *q;

  g_debug ("session %s: upgraded to WebSocket", socket->sid);
  uv_timer_stop (&socket->upgrade_timer);
  socket->ws = g_steal_pointer (&socket->probe);
  socket->probed = FALSE;
  if (socket->poll)
    {
      /* what is queued goes over the WebSocket; the held GET just ends */
      GQueue saved = socket->queue;

      g_queue_init (&socket->queue);
      answer_poll (socket, "6");
      socket->queue = saved;
    }
  socket->websocket = TRUE;
  while ((q = g_queue_pop_head (&socket->queue)))
    {
      bs_ws_send (socket->ws, q->binary ? BS_WS_BINARY : BS_WS_TEXT, q->bytes);
      queued_free (q);
    }
  socket->queued_bytes = 0;
}

static void
handle_probe_packet (BsEioSocket *socket, BeaconEioPacket *packet)
{
  if (beacon_eio_packet_is_probe (packet, BEACON_EIO_PING))
    {
      g_autoptr (GBytes) pong = static_bytes ("3probe");

      bs_ws_send (socket->probe, BS_WS_TEXT, pong);
      socket->probed = TRUE;
      /* let a held GET go, so the client can pause polling */
      if (socket->poll && g_queue_is_empty (&socket->queue))
        answer_poll (socket, "6");
    }
  else if (packet->type == BEACON_EIO_UPGRADE)
    complete_upgrade (socket);
  else
    {
      g_debug ("session %s: unexpected packet during upgrade", socket->sid);
      drop_probe (socket);
    }
}

void
bs_eio_ws_message (
    BsEioSocket *socket, BsConn *conn, gboolean binary, const guint8 *data, gsize len)
{
  g_autoptr (BeaconEioPacket) packet = NULL;
  g_autoptr (GError)          error = NULL;

  if (socket->closed)
    return;

  if (binary)
    packet = beacon_eio_decode_binary (data, len);
  else if (!(packet = beacon_eio_decode_text ((const char *) data, len, &error)))
    {
      bs_net_warn_rejected (socket->net, "eio_parse", "session %s: %s", socket->sid,
                            error->message);
      if (conn == socket->probe)
        drop_probe (socket);
      else
        session_close (socket, "parse error");
      return;
    }

  if (conn == socket->probe)
    handle_probe_packet (socket, packet);
  else if (conn == socket->ws)
    handle_packet (socket, packet);
}

void
bs_eio_ws_closed (BsEioSocket *socket, BsConn *conn, gboolean error)
{
  if (conn == socket->probe)
    {
      socket->probe = NULL;
      drop_probe (socket);
    }
  else if (conn == socket->ws)
    {
      socket->ws = NULL;
      session_close (socket, error ? "transport error" : "transport close");
    }
}

/* Handshake */

static void
on_upgrade_timeout (uv_timer_t *timer)
{
  BsEioSocket *socket = timer->data;

  g_debug ("session %s: upgrade timeout", socket->sid);
  drop_probe (socket);
}

static BsEioSocket *
session_new (BsNet *net, BsHttpRequest *request, gboolean websocket)
{
  BsEioSocket *socket = g_new0 (BsEioSocket, 1);

  socket->net = net;
  do
    bs_net_random_id (socket->sid);
  while (g_hash_table_contains (net->sessions, socket->sid));
  socket->remote_addr = g_strdup (bs_http_request_get_remote_addr (request));
  socket->websocket = websocket;
  g_queue_init (&socket->queue);
  uv_timer_init (net->loop, &socket->heartbeat);
  uv_timer_init (net->loop, &socket->upgrade_timer);
  socket->heartbeat.data = socket;
  socket->upgrade_timer.data = socket;
  socket->open_handles = 2;
  g_hash_table_insert (net->sessions, socket->sid, socket);
  bs_net_live_ref (net);
  g_debug ("session %s: open over %s from %s", socket->sid, websocket ? "websocket" : "polling",
           socket->remote_addr);
  return socket;
}

static char *
open_packet (BsEioSocket *socket)
{
  BsNet   *net = socket->net;
  GString *out = g_string_new ("0{\"sid\":");

  beacon_json_write_string (out, socket->sid);
  g_string_append_printf (out,
                          ",\"upgrades\":%s,\"pingInterval\":%u,\"pingTimeout\":%u,"
                          "\"maxPayload\":%" G_GSIZE_FORMAT "}",
                          socket->websocket ? "[]" : "[\"websocket\"]",
                          net->config.ping_interval_ms, net->config.ping_timeout_ms,
                          net->config.max_payload);
  return g_string_free (out, FALSE);
}

static void
respond_eio_error (BsNet *net, BsHttpRequest *request, EioError code)
{
  g_autofree char *body =
      g_strdup_printf ("{\"code\":%d,\"message\":\"%s\"}", code, eio_error_messages[code]);

  bs_net_warn_rejected (net, code == EIO_ERROR_UNKNOWN_SID ? "bad_sid" : "bad_transport",
                        "Engine.IO request from %s refused: %s",
                        bs_http_request_get_remote_addr (request), eio_error_messages[code]);
  bs_http_request_respond_full (request, 400, "application/json", NULL, body, strlen (body), FALSE);
}

static gboolean
known_transport (const char *transport)
{
  return transport && (g_str_equal (transport, "polling") || g_str_equal (transport, "websocket"));
}

/* As engine.io: a second GET (or POST) while one is outstanding ends the session
 * ("transport error", so a held GET gets a close packet) and gets a bare 400. */
static void
refuse_overlap (BsEioSocket *socket, BsHttpRequest *request, const char *what)
{
  bs_net_warn_rejected (socket->net, "eio_overlap", "session %s: overlapping %s", socket->sid,
                        what);
  session_close (socket, "transport error");
  bs_http_request_respond (request, 400, NULL, NULL, 0);
}

static void
handle_poll (BsEioSocket *socket, BsHttpRequest *request)
{
  if (socket->poll)
    {
      refuse_overlap (socket, request, "poll");
      return;
    }

  socket->poll = bs_http_request_ref (request);
  if (!g_queue_is_empty (&socket->queue))
    answer_poll (socket, NULL);
  else if (socket->probed)
    answer_poll (socket, "6");
  else
    {
      g_debug ("session %s: poll held", socket->sid);
      request->on_abort = on_poll_abort;
      request->abort_data = socket;
    }
}

static void
handle_data (BsEioSocket *socket, BsHttpRequest *request)
{
  g_autoptr (GPtrArray) packets = NULL;
  g_autoptr (GError)    error = NULL;
  const char           *body;
  gsize                 len;

  if (request->eio_overlap)
    {
      refuse_overlap (socket, request, "data request");
      return;
    }
  if (socket->data_req == request)
    g_clear_pointer (&socket->data_req, bs_http_request_unref);
  /* engine.io v6 (protocol 4) takes text payloads only: binary content is a transport error
   * there (it leaves the request unanswered; here it gets a 400) */
  if (g_strcmp0 (bs_http_request_get_header (request, "content-type"),
                 "application/octet-stream") == 0)
    {
      bs_net_warn_rejected (socket->net, "eio_parse", "session %s: binary POST body", socket->sid);
      session_close (socket, "transport error");
      bs_http_request_respond (request, 400, NULL, NULL, 0);
      return;
    }

  body = bs_http_request_get_body (request, &len);
  packets = beacon_eio_decode_payload (body, len, 0, &error);
  if (packets == NULL)
    {
      bs_net_warn_rejected (socket->net, "eio_parse", "session %s: %s", socket->sid,
                            error->message);
      bs_http_request_respond_full (request, 400, "application/json", NULL,
                                    "{\"code\":3,\"message\":\"Bad request\"}", (gsize) -1, FALSE);
      session_close (socket, "parse error");
      return;
    }

  for (guint i = 0; i < packets->len && !socket->closed; i++)
    handle_packet (socket, packets->pdata[i]);

  bs_http_request_respond (request, 200, "text/html", "ok", 2);
}

/* From the HTTP parser, once a POST to the endpoint has its headers: as engine.io, a polling
 * session takes one data request at a time, outstanding from its headers to its body's end.
 * A second one is marked, and refused when it is complete. */
void
bs_eio_data_begin (BsNet *net, BsHttpRequest *request)
{
  const char  *sid = bs_http_request_get_query (request, "sid");
  BsEioSocket *socket = sid ? g_hash_table_lookup (net->sessions, sid) : NULL;

  if (socket == NULL || socket->websocket)
    return;
  if (socket->data_req && bs_http_request_is_alive (socket->data_req))
    {
      request->eio_overlap = TRUE;
      return;
    }
  g_clear_pointer (&socket->data_req, bs_http_request_unref);
  socket->data_req = bs_http_request_ref (request);
  g_debug ("session %s: data request under way", socket->sid);
}

void
bs_eio_handle_request (BsNet *net, BsHttpRequest *request)
{
  const char      *transport = bs_http_request_get_query (request, "transport");
  const char      *sid = bs_http_request_get_query (request, "sid");
  const char      *method = bs_http_request_get_method (request);
  const char      *eio = bs_http_request_get_query (request, "EIO");
  BsEioSocket     *socket;
  g_autofree char *open = NULL;

  if (!known_transport (transport))
    {
      respond_eio_error (net, request, EIO_ERROR_UNKNOWN_TRANSPORT);
      return;
    }

  if (sid)
    {
      socket = g_hash_table_lookup (net->sessions, sid);
      if (socket == NULL)
        respond_eio_error (net, request, EIO_ERROR_UNKNOWN_SID);
      else if (socket->websocket || !g_str_equal (transport, "polling"))
        respond_eio_error (net, request, EIO_ERROR_BAD_REQUEST);
      else if (g_str_equal (method, "GET"))
        handle_poll (socket, request);
      else if (g_str_equal (method, "POST"))
        handle_data (socket, request);
      else
        bs_http_request_respond (request, 500, NULL, NULL, 0); /* as engine.io */
      return;
    }

  if (!g_str_equal (method, "GET"))
    respond_eio_error (net, request, EIO_ERROR_BAD_HANDSHAKE_METHOD);
  else if (g_str_equal (transport, "websocket"))
    respond_eio_error (net, request, EIO_ERROR_BAD_REQUEST); /* not an upgrade */
  else if (eio == NULL || !g_str_equal (eio, "4"))
    respond_eio_error (net, request, EIO_ERROR_UNSUPPORTED_PROTOCOL_VERSION);
  else
    {
      socket = session_new (net, request, FALSE);
      open = open_packet (socket);
      bs_http_request_respond (request, 200, "text/plain; charset=UTF-8", open, strlen (open));
      heartbeat_reset (socket);
      if (net->handlers.eio_open)
        net->handlers.eio_open (socket, net->user_data);
    }
}

static void
reject_upgrade (BsNet *net, BsHttpRequest *request, EioError code)
{
  bs_net_warn_rejected (net, code == EIO_ERROR_UNKNOWN_SID ? "bad_sid" : "bad_transport",
                        "Engine.IO upgrade from %s refused: %s",
                        bs_http_request_get_remote_addr (request), eio_error_messages[code]);
  bs_ws_reject (request, eio_error_messages[code]);
}

/* A WebSocket handshake on the Engine.IO endpoint: a new session, or the upgrade of a
 * polling one. @rest: what the client sent after the request. */
gboolean
bs_eio_handle_upgrade (
    BsNet *net, BsConn *conn, BsHttpRequest *request, guint8 *rest, gsize rest_len)
{
  const char  *transport = bs_http_request_get_query (request, "transport");
  const char  *sid = bs_http_request_get_query (request, "sid");
  const char  *eio = bs_http_request_get_query (request, "EIO");
  BsEioSocket *socket;

  if (!known_transport (transport))
    {
      reject_upgrade (net, request, EIO_ERROR_UNKNOWN_TRANSPORT);
      return FALSE;
    }
  if (sid && !(socket = g_hash_table_lookup (net->sessions, sid)))
    {
      reject_upgrade (net, request, EIO_ERROR_UNKNOWN_SID);
      return FALSE;
    }
  if (!sid && (eio == NULL || !g_str_equal (eio, "4")))
    {
      reject_upgrade (net, request, EIO_ERROR_UNSUPPORTED_PROTOCOL_VERSION);
      return FALSE;
    }
  if (!g_str_equal (transport, "websocket") || !bs_ws_check_handshake (request))
    {
      reject_upgrade (net, request, EIO_ERROR_BAD_REQUEST);
      return FALSE;
    }
  bs_ws_accept (conn, request);

  if (sid)
    {
      if (socket->websocket || socket->probe)
        {
          /* as engine.io: an upgrade that is already done or under way is not repeated */
          g_debug ("session %s: redundant upgrade from %s", socket->sid, conn->peer_addr);
          bs_ws_close (conn, 1000);
          return TRUE;
        }
      g_debug ("session %s: upgrade under way", socket->sid);
      socket->probe = conn;
      conn->eio = socket;
      uv_timer_start (&socket->upgrade_timer, on_upgrade_timeout, net->config.upgrade_timeout_ms,
                      0);
    }
  else
    {
      g_autofree char   *open = NULL;
      g_autoptr (GBytes) bytes = NULL;
      gsize              len;

      socket = session_new (net, request, TRUE);
      socket->ws = conn;
      conn->eio = socket;
      open = open_packet (socket);
      len = strlen (open);
      bytes = g_bytes_new_take (g_steal_pointer (&open), len);
      bs_ws_send (conn, BS_WS_TEXT, bytes);
      heartbeat_reset (socket);
      if (net->handlers.eio_open)
        net->handlers.eio_open (socket, net->user_data);
    }

  if (rest_len > 0)
    bs_ws_feed (conn, rest, rest_len);
  return TRUE;
}

/* Getters */

gboolean
bs_eio_is_websocket (BsEioSocket *socket)
{
  return socket->websocket;
}

const char *
bs_eio_socket_get_sid (BsEioSocket *socket)
{
  return socket->sid;
}

const char *
bs_eio_socket_get_remote_addr (BsEioSocket *socket)
{
  return socket->remote_addr;
}

const char *
bs_eio_socket_get_transport (BsEioSocket *socket)
{
  return socket->websocket ? "websocket" : "polling";
}

void
bs_eio_socket_set_data (BsEioSocket *socket, gpointer data)
{
  socket->data = data;
}

gpointer
bs_eio_socket_get_data (BsEioSocket *socket)
{
  return socket->data;
}
