/* bs-ws.c: the WebSocket side of a connection (RFC 6455): the server handshake, a small
 * frame parser that keeps nothing between messages, and frames of shared bytes out. */

#include "bs-net-private.h"

#include <string.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum
{
  OP_CONTINUATION = 0x0,
  OP_CLOSE = 0x8,
  OP_PING = 0x9,
  OP_PONG = 0xa,
};

enum
{
  CLOSE_NORMAL = 1000,
  CLOSE_PROTOCOL_ERROR = 1002,
  CLOSE_INVALID_DATA = 1007,
  CLOSE_TOO_BIG = 1009,
};

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
void
bs_ws_accept (BsConn *conn, BsHttpRequest *request)
{
  g_autofree char *key =
      g_strstrip (g_strdup (bs_http_request_get_header (request, "sec-websocket-key")));
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8                digest[20];
  gsize                 digest_len = sizeof digest;
  g_autofree char      *accept = NULL;
  char                 *response;

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
  /* nothing of the HTTP parser is needed any more */
  bs_http_conn_clear (conn);
  conn->mode = BS_CONN_WEBSOCKET;
  bs_conn_set_timer (conn, 0);
  g_debug ("connection %s: WebSocket open", conn->peer_addr);
}

void
bs_ws_clear (BsConn *conn)
{
  g_clear_pointer (&conn->ws_buf, g_byte_array_unref);
}

/* The header of an unfragmented, unmasked frame of @len bytes; returns its size. */
static gsize
frame_header (guint8 header[10], guint8 opcode, gsize len)
{
  header[0] = 0x80 | opcode;
  if (len < 126)
    {
      header[1] = len;
      return 2;
    }
  if (len <= 0xffff)
    {
      header[1] = 126;
      header[2] = len >> 8;
      header[3] = len & 0xff;
      return 4;
    }
  header[1] = 127;
  for (int i = 0; i < 8; i++)
    header[2 + i] = ((guint64) len >> (56 - 8 * i)) & 0xff;
  return 10;
}

static void
send_control (BsConn *conn, guint8 opcode, const guint8 *payload, gsize len)
{
  guint8 *frame = g_malloc (2 + len);

  frame_header (frame, opcode, len);
  if (len > 0)
    memcpy (frame + 2, payload, len);
  bs_conn_write_owned (conn, (char *) frame, 2 + len);
}

/* Our close frame, then the connection ends once the peer has answered or the linger
 * timer runs out. */
static void
send_close (BsConn *conn, guint16 code)
{
  guint8 payload[2] = { code >> 8, code & 0xff };

  conn->ws_closing = TRUE;
  send_control (conn, OP_CLOSE, payload, sizeof payload);
  bs_conn_close_gracefully (conn);
}

/* Sends a close frame (after what is queued) and closes the connection. The Engine.IO
 * session, if any, is not told. */
void
bs_ws_close (BsConn *conn, guint16 code)
{
  if (conn->closed || conn->ws_closing || conn->mode != BS_CONN_WEBSOCKET)
    return;
  conn->eio = NULL;
  send_close (conn, code);
}

/* The peer broke the protocol, or closed (@code 0): the session learns it, and the
 * connection ends with our close frame (for a peer's close, the answer echoes its code). */
static void
fail (BsConn *conn, guint16 code, const char *what)
{
  BsEioSocket *eio;

  conn->error = TRUE;
  bs_net_warn_rejected (conn->net, "bad_frame", "connection %s: WebSocket protocol error: %s",
                        conn->peer_addr, what);
  g_debug ("connection %s: WebSocket closing (protocol error)", conn->peer_addr);
  conn->ws_closing = TRUE;
  if ((eio = g_steal_pointer (&conn->eio)))
    bs_eio_ws_closed (eio, conn, TRUE);
  send_close (conn, code);
}

static gboolean
valid_close_code (guint code)
{
  if (code >= 3000 && code <= 4999)
    return TRUE;
  return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

static void
on_close_frame (BsConn *conn, const guint8 *payload, gsize len)
{
  BsEioSocket *eio;
  guint        code = len >= 2 ? (payload[0] << 8) | payload[1] : 0;

  if (len == 1 || (len >= 2 && !valid_close_code (code)))
    {
      fail (conn, CLOSE_PROTOCOL_ERROR, "bad close frame");
      return;
    }
  if (len > 2 && !g_utf8_validate_len ((const char *) payload + 2, len - 2, NULL))
    {
      fail (conn, CLOSE_INVALID_DATA, "close reason not UTF-8");
      return;
    }
  g_debug ("connection %s: WebSocket closing (by the peer)", conn->peer_addr);
  conn->ws_closing = TRUE;
  if ((eio = g_steal_pointer (&conn->eio)))
    bs_eio_ws_closed (eio, conn, FALSE);
  send_control (conn, OP_CLOSE, payload, MIN (len, 2));
  bs_conn_close_gracefully (conn);
}

/* A whole frame's payload, or a whole message's, unmasked. */
static void
on_frame (BsConn *conn, guint8 opcode, const guint8 *payload, gsize len)
{
  gboolean binary = conn->ws_msg_opcode == BS_WS_BINARY;

  switch (opcode)
    {
    case OP_PING: send_control (conn, OP_PONG, payload, len); return;
    case OP_PONG: return;
    case OP_CLOSE: on_close_frame (conn, payload, len); return;
    default: break;
    }
  conn->ws_msg_opcode = 0;
  if (!binary && !g_utf8_validate_len ((const char *) payload, len, NULL))
    {
      fail (conn, CLOSE_INVALID_DATA, "text not UTF-8");
      return;
    }
  if (conn->eio)
    bs_eio_ws_message (conn->eio, conn, binary, payload, len);
}

/* Checks the header in conn->ws_head (complete); FALSE when the connection is failing. */
static gboolean
begin_frame (BsConn *conn)
{
  const guint8 *h = conn->ws_head;
  guint8        opcode = h[0] & 0x0f;
  gboolean      control = (opcode & 0x08) != 0;
  guint64       len = h[1] & 0x7f;
  guint         at = 2;
  gsize         so_far = conn->ws_buf ? conn->ws_buf->len : 0;

  if (len == 126)
    {
      len = (h[2] << 8) | h[3];
      at = 4;
    }
  else if (len == 127)
    {
      len = 0;
      for (int i = 0; i < 8; i++)
        len = (len << 8) | h[2 + i];
      at = 10;
    }
  memcpy (conn->ws_mask, h + at, 4);

  if (h[0] & 0x70)
    fail (conn, CLOSE_PROTOCOL_ERROR, "reserved bits set");
  else if (!(h[1] & 0x80))
    fail (conn, CLOSE_PROTOCOL_ERROR, "unmasked frame");
  else if (control && (opcode > OP_PONG || !(h[0] & 0x80) || len > 125))
    fail (conn, CLOSE_PROTOCOL_ERROR, "bad control frame");
  else if (!control && opcode > BS_WS_BINARY)
    fail (conn, CLOSE_PROTOCOL_ERROR, "unknown opcode");
  else if (!control && (opcode == OP_CONTINUATION) != (conn->ws_msg_opcode != 0))
    fail (conn, CLOSE_PROTOCOL_ERROR, "bad fragmentation");
  else if (len >> 63)
    fail (conn, CLOSE_PROTOCOL_ERROR, "length out of range");
  else if (!control &&
           (len > conn->net->config.max_payload || so_far + len > conn->net->config.max_payload))
    fail (conn, CLOSE_TOO_BIG, "message too big");
  else
    {
      conn->ws_opcode = opcode;
      conn->ws_fin = (h[0] & 0x80) != 0;
      if (!control && opcode != OP_CONTINUATION)
        conn->ws_msg_opcode = opcode;
      conn->ws_frame_len = len;
      conn->ws_got = 0;
      /* a control frame amid a fragmented message: its payload goes after the fragments */
      conn->ws_ctl_at = so_far;
      return TRUE;
    }
  return FALSE;
}

static gsize
header_size (const guint8 *h, gsize have)
{
  guint len7;

  if (have < 2)
    return 2;
  len7 = h[1] & 0x7f;
  /* no mask key in an unmasked frame, which begin_frame refuses */
  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (h[1] & 0x80 ? 4 : 0);
}

static void
unmask (BsConn *conn, guint8 *data, gsize len)
{
  guint64 at = conn->ws_got;

  for (gsize i = 0; i < len; i++)
    data[i] ^= conn->ws_mask[(at + i) & 3];
}

/* Bytes from the peer, parsed as they come. Payloads are unmasked in place in @data (the
 * caller's own buffer, which it gives up); a frame that came whole and ends its message is
 * handled from there, and only what is still incomplete is kept, in conn->ws_buf, which goes
 * away with it: an idle WebSocket holds no buffer. */
void
bs_ws_feed (BsConn *conn, guint8 *data, gsize len)
{
  while (len > 0 && !conn->closed && !conn->ws_closing && conn->mode == BS_CONN_WEBSOCKET)
    {
      gsize    need, take;
      guint64  got_before;
      gboolean control, done;

      if (!conn->ws_in_frame)
        {
          while (conn->ws_head_len < (need = header_size (conn->ws_head, conn->ws_head_len)) &&
                 len > 0)
            {
              conn->ws_head[conn->ws_head_len++] = *data++;
              len--;
            }
          if (conn->ws_head_len < need)
            return;
          conn->ws_head_len = 0;
          if (!begin_frame (conn))
            return;
          conn->ws_in_frame = TRUE;
        }

      got_before = conn->ws_got;
      take = MIN (len, conn->ws_frame_len - got_before);
      unmask (conn, data, take);
      conn->ws_got += take;
      done = conn->ws_got == conn->ws_frame_len;
      control = (conn->ws_opcode & 0x08) != 0;

      if (done && got_before == 0 && (control || (conn->ws_fin && conn->ws_buf == NULL)))
        {
          conn->ws_in_frame = FALSE;
          on_frame (conn, conn->ws_opcode, data, take);
        }
      else if (take > 0 || done)
        {
          if (conn->ws_buf == NULL)
            conn->ws_buf = g_byte_array_new ();
          g_byte_array_append (conn->ws_buf, data, take);
          if (done)
            {
              conn->ws_in_frame = FALSE;
              if (control)
                {
                  gsize at = conn->ws_ctl_at;

                  on_frame (conn, conn->ws_opcode, conn->ws_buf->data + at, conn->ws_buf->len - at);
                  g_byte_array_set_size (conn->ws_buf, at);
                }
              else if (conn->ws_fin)
                {
                  g_autoptr (GByteArray) msg = g_steal_pointer (&conn->ws_buf);

                  on_frame (conn, conn->ws_opcode, msg->data, msg->len);
                }
              if (conn->ws_buf && conn->ws_buf->len == 0)
                g_clear_pointer (&conn->ws_buf, g_byte_array_unref);
            }
        }
      data += take;
      len -= take;
    }
}

/* One unfragmented frame: our header, then @payload's bytes as they are (referenced). */
void
bs_ws_send (BsConn *conn, guint8 opcode, GBytes *payload)
{
  guint8 header[10];
  gsize  hlen;

  if (conn->closed || conn->ws_closing || conn->write_shut)
    return;
  hlen = frame_header (header, opcode, g_bytes_get_size (payload));
  bs_conn_write_frame (conn, header, hlen, payload);
}
