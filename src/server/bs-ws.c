/* bs-ws.c: the WebSocket side of a connection (RFC 6455): the server handshake, receiving
 * with wslay, and sending frames of shared bytes through the connection's own writer. */

#include "bs-net-private.h"

#include <string.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* Every byte goes out through bs_conn_write_*: wslay's own frames (pong, close) are copied
 * whole by this callback, which always takes everything, so wslay never holds half a frame
 * that one of ours could interleave with. */
static ssize_t
ws_send_cb (
    wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *user_data)
{
  BsConn *conn = user_data;

  bs_conn_write_owned (conn, g_memdup2 (data, len), len);
  return len;
}

static ssize_t
ws_recv_cb (wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user_data)
{
  BsConn *conn = user_data;
  gsize   n;

  if (conn->ws_in_len == 0)
    {
      wslay_event_set_error (ctx, WSLAY_ERR_WOULDBLOCK);
      return -1;
    }
  n = MIN (len, conn->ws_in_len);
  memcpy (buf, conn->ws_in, n);
  conn->ws_in += n;
  conn->ws_in_len -= n;
  return n;
}

static void
ws_on_msg_recv (wslay_event_context_ptr                   ctx,
                const struct wslay_event_on_msg_recv_arg *arg,
                void                                     *user_data)
{
  BsConn *conn = user_data;

  if (conn->closed || conn->ws_closing)
    return;

  /* wslay has checked that text is UTF-8 (else it queued a 1007 close and stopped reading) */
  if (arg->opcode == WSLAY_TEXT_FRAME)
    {
      if (conn->eio)
        bs_eio_ws_message (conn->eio, conn, FALSE, arg->msg, arg->msg_length);
    }
  else if (arg->opcode == WSLAY_BINARY_FRAME)
    {
      if (conn->eio)
        bs_eio_ws_message (conn->eio, conn, TRUE, arg->msg, arg->msg_length);
    }
  /* ping, pong and close: wslay answers them itself */
}

static gboolean
header_has_token (BsHttpRequest *request, const char *name, const char *token)
{
  const char *value = bs_http_request_get_header (request, name);
  g_auto (GStrv) parts = NULL;

  if (value == NULL)
    return FALSE;
  parts = g_strsplit (value, ",", -1);
  for (guint i = 0; parts[i]; i++)
    if (g_ascii_strcasecmp (g_strstrip (parts[i]), token) == 0)
      return TRUE;
  return FALSE;
}

/* TRUE when @request is a well-formed RFC 6455 opening handshake. */
gboolean
bs_ws_check_handshake (BsHttpRequest *request)
{
  const char        *key = bs_http_request_get_header (request, "sec-websocket-key");
  const char        *version = bs_http_request_get_header (request, "sec-websocket-version");
  g_autofree char   *trimmed = NULL;
  gsize              raw_len = 0;
  g_autofree guchar *raw = NULL;

  if (!g_str_equal (bs_http_request_get_method (request), "GET") || key == NULL ||
      version == NULL || !g_str_equal (version, "13") ||
      !header_has_token (request, "upgrade", "websocket"))
    return FALSE;

  trimmed = g_strstrip (g_strdup (key));
  if (strlen (trimmed) != 24 || trimmed[22] != '=' || trimmed[23] != '=')
    return FALSE;
  for (guint i = 0; i < 22; i++)
    if (!g_ascii_isalnum (trimmed[i]) && trimmed[i] != '+' && trimmed[i] != '/')
      return FALSE;
  raw = g_base64_decode (trimmed, &raw_len);
  return raw_len == 16;
}

/* Refuses an upgrade the way engine.io does: 400, the reason as text, and the connection
 * closed. */
void
bs_ws_reject (BsHttpRequest *request, const char *message)
{
  bs_http_request_respond_full (request, 400, "text/html", NULL, message, strlen (message), TRUE);
}

/* Sends 101 and turns @conn into a WebSocket. Input that followed the request must then be
 * passed to bs_ws_feed() by the caller, once it is ready for messages. */
gboolean
bs_ws_accept (BsConn *conn, BsHttpRequest *request, const guint8 *rest, gsize rest_len)
{
  static const struct wslay_event_callbacks callbacks = {
    .recv_callback = ws_recv_cb,
    .send_callback = ws_send_cb,
    .on_msg_recv_callback = ws_on_msg_recv,
  };
  g_autofree char *key =
      g_strstrip (g_strdup (bs_http_request_get_header (request, "sec-websocket-key")));
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8                digest[20];
  gsize                 digest_len = sizeof digest;
  g_autofree char      *accept = NULL;
  char                 *response;

  if (wslay_event_context_server_init (&conn->ws, &callbacks, conn) != 0)
    return FALSE;
  wslay_event_config_set_max_recv_msg_length (conn->ws, conn->net->config.max_payload);

  g_checksum_update (sha1, (const guchar *) key, strlen (key));
  g_checksum_update (sha1, (const guchar *) WS_GUID, strlen (WS_GUID));
  g_checksum_get_digest (sha1, digest, &digest_len);
  accept = g_base64_encode (digest, digest_len);

  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
                              "Upgrade: websocket\r\n"
                              "Connection: Upgrade\r\n"
                              "Sec-WebSocket-Accept: %s\r\n"
                              "\r\n",
                              accept);
  bs_conn_write_owned (conn, response, strlen (response));

  request->responded = TRUE;
  request->conn = NULL;
  if (conn->current == request)
    {
      conn->current = NULL;
      bs_http_request_unref (request);
    }
  conn->mode = BS_CONN_WEBSOCKET;
  bs_conn_set_timer (conn, 0);
  g_debug ("connection %s: WebSocket open", conn->peer_addr);
  return TRUE;
}

void
bs_ws_clear (BsConn *conn)
{
  g_clear_pointer (&conn->ws, wslay_event_context_free);
}

static void
ws_do_close (BsConn *conn, guint16 code)
{
  /* Fails harmlessly when wslay already queued one (a close reply, a protocol error). */
  wslay_event_queue_close (conn->ws, code, NULL, 0);
  wslay_event_send (conn->ws);
  bs_conn_close_gracefully (conn);
}

/* Sends a close frame (after what is queued) and closes the connection once the peer has
 * answered or the linger timer runs out. The Engine.IO session, if any, is not told. */
void
bs_ws_close (BsConn *conn, guint16 code)
{
  if (conn->closed || conn->ws_closing || conn->ws == NULL)
    return;
  conn->ws_closing = TRUE;
  conn->eio = NULL;
  if (conn->ws_in_recv)
    conn->ws_close_code = code; /* done when wslay_event_recv returns */
  else
    ws_do_close (conn, code);
}

void
bs_ws_feed (BsConn *conn, const guint8 *data, gsize len)
{
  BsEioSocket *eio;
  gboolean     peer_closed;
  int          r;

  if (conn->closed || conn->ws_closing || conn->ws == NULL)
    return;

  conn->ws_in = data;
  conn->ws_in_len = len;
  conn->ws_in_recv = TRUE;
  r = wslay_event_recv (conn->ws);
  conn->ws_in_recv = FALSE;
  conn->ws_in = NULL;
  conn->ws_in_len = 0;

  if (conn->closed)
    return;
  if (conn->ws_closing)
    {
      ws_do_close (conn, conn->ws_close_code);
      return;
    }
  if (r == 0 && wslay_event_get_read_enabled (conn->ws))
    {
      wslay_event_send (conn->ws); /* pongs */
      return;
    }

  /* The peer closed, or broke the protocol (wslay queued 1002, 1007 or 1009). */
  peer_closed = r == 0 && wslay_event_get_close_received (conn->ws);
  if (!peer_closed)
    {
      conn->error = TRUE;
      bs_net_warn_rejected (conn->net, "bad_frame", "connection %s: WebSocket protocol error",
                            conn->peer_addr);
    }
  g_debug ("connection %s: WebSocket closing (%s)", conn->peer_addr,
           peer_closed ? "by the peer" : "protocol error");
  conn->ws_closing = TRUE;
  if ((eio = conn->eio))
    {
      conn->eio = NULL;
      bs_eio_ws_closed (eio, conn, !peer_closed);
    }
  ws_do_close (conn, peer_closed ? 1000 : WSLAY_CODE_PROTOCOL_ERROR);
}

/* One unfragmented frame: our header, then @payload's bytes as they are (referenced). */
void
bs_ws_send (BsConn *conn, guint8 opcode, GBytes *payload)
{
  guint8 header[10];
  gsize  hlen;
  gsize  len = g_bytes_get_size (payload);

  if (conn->closed || conn->ws_closing || conn->write_shut)
    return;

  header[0] = 0x80 | opcode;
  if (len < 126)
    {
      header[1] = len;
      hlen = 2;
    }
  else if (len <= 0xffff)
    {
      header[1] = 126;
      header[2] = len >> 8;
      header[3] = len & 0xff;
      hlen = 4;
    }
  else
    {
      header[1] = 127;
      for (int i = 0; i < 8; i++)
        header[2 + i] = ((guint64) len >> (56 - 8 * i)) & 0xff;
      hlen = 10;
    }
  bs_conn_write_frame (conn, header, hlen, payload);
}
