/* test-net.c: integration tests of beacon-server's network layer: a real listener on a
 * loopback port, run in its own thread, and blocking HTTP and WebSocket clients. */

#include "bs-metrics.h"
#include "bs-net.h"

#include "beacon-json.h"

#include <gio/gio.h>
#include <string.h>

#define TIMEOUT_S 5

/* The server: its loop runs in a thread; the test thread talks to it over sockets only,
 * and learns what the application saw from a list of events. */

typedef struct
{
  uv_loop_t  loop;
  uv_async_t wake;
  BsNet     *net;
  GThread   *thread;
  guint      port;
  gboolean   in_callback;
  GMutex     lock;
  GCond      cond;
  GPtrArray *events;
  gint       stop;
} Server;

static void server_event (Server *server, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
server_event (Server *server, const char *format, ...)
{
  va_list args;
  char   *event;

  va_start (args, format);
  event = g_strdup_vprintf (format, args);
  va_end (args);
  g_mutex_lock (&server->lock);
  g_ptr_array_add (server->events, event);
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
}

/* Waits for (and removes) the first event that starts with @prefix; returns it. */
static char *
server_wait_event (Server *server, const char *prefix)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_S * G_TIME_SPAN_SECOND;
  char  *found = NULL;

  g_mutex_lock (&server->lock);
  while (found == NULL)
    {
      for (guint i = 0; i < server->events->len; i++)
        if (g_str_has_prefix (server->events->pdata[i], prefix))
          {
            found = g_ptr_array_steal_index (server->events, i);
            break;
          }
      if (found == NULL && !g_cond_wait_until (&server->cond, &server->lock, deadline))
        break;
    }
  g_mutex_unlock (&server->lock);
  if (found == NULL)
    g_error ("no event “%s” within %d s", prefix, TIMEOUT_S);
  return found;
}

static gboolean
server_has_event (Server *server, const char *prefix)
{
  gboolean found = FALSE;

  g_mutex_lock (&server->lock);
  for (guint i = 0; i < server->events->len && !found; i++)
    found = g_str_has_prefix (server->events->pdata[i], prefix);
  g_mutex_unlock (&server->lock);
  return found;
}

static Server *current_server;

/* The server's debug messages go on to the default handler; "session SID: poll held" and
 * "session SID: data request under way" also become events ("held SID", "data SID"), so tests
 * know a GET is held or a POST is being received before they go on. */
static void
server_log_handler (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  const char *held = strstr (message, ": poll held");
  const char *posting = strstr (message, ": data request under way");

  if (held && g_str_has_prefix (message, "session ") && current_server)
    server_event (current_server, "held %.*s", (int) (held - message - 8), message + 8);
  if (posting && g_str_has_prefix (message, "session ") && current_server)
    server_event (current_server, "data %.*s", (int) (posting - message - 8), message + 8);
  /* warnings: rejected input is what these tests feed the server */
  if (level & G_LOG_LEVEL_DEBUG)
    g_log_default_handler (domain, level, message, data);
}

static void
wait_held (Server *server, const char *sid)
{
  g_autofree char *prefix = g_strdup_printf ("held %s", sid);

  g_free (server_wait_event (server, prefix));
}

static void
on_eio_open (BsEioSocket *socket, gpointer user_data)
{
  Server *server = user_data;
  guint   ws, poll;

  bs_net_count_sessions (server->net, &ws, &poll);
  server_event (server, "open %s %s ws=%u polling=%u", bs_eio_socket_get_sid (socket),
                bs_eio_socket_get_transport (socket), ws, poll);
}

static void
on_eio_message (BsEioSocket *socket, const char *text, gsize len, gpointer user_data)
{
  Server *server = user_data;

  server_event (server, "message %s %.*s", bs_eio_socket_get_sid (socket), (int) MIN (len, 64),
                text);
  if (len == 8 && memcmp (text, "close-me", 8) == 0)
    {
      server->in_callback = TRUE;
      bs_eio_socket_close (socket);
      server->in_callback = FALSE;
    }
  else if (len == 5 && memcmp (text, "flood", 5) == 0)
    {
      /* 64 MiB for a client that reads none of it */
      char              *chunk = g_malloc (64 * 1024);
      g_autoptr (GBytes) bytes = NULL;

      chunk[0] = '4';
      memset (chunk + 1, 'x', 64 * 1024 - 1);
      bytes = g_bytes_new_take (chunk, 64 * 1024);
      for (guint i = 0; i < 1024; i++)
        bs_eio_socket_send (socket, bytes);
    }
  else
    {
      GString *out = g_string_new ("4");
      gsize    out_len;
      GBytes  *bytes;

      g_string_append_len (out, text, len);
      out_len = out->len;
      bytes = g_bytes_new_take (g_string_free (out, FALSE), out_len);
      bs_eio_socket_send (socket, bytes);
      g_bytes_unref (bytes);
    }
}

static void
on_eio_close (BsEioSocket *socket, const char *reason, gpointer user_data)
{
  Server *server = user_data;

  server_event (server, "close %s %s%s", bs_eio_socket_get_sid (socket), reason,
                server->in_callback ? " (re-entrant!)" : "");
}

static void
on_http_request (BsHttpRequest *request, gpointer user_data)
{
  Server             *server = user_data;
  g_autoptr (GString) out = g_string_new ("{\"path\":");
  const char         *q = bs_http_request_get_query (request, "q");
  const char         *n = bs_http_request_get_query (request, "n");
  gsize               body_len;

  bs_http_request_get_body (request, &body_len);
  server_event (server, "http %s %s", bs_http_request_get_method (request),
                bs_http_request_get_path (request));
  beacon_json_write_string (out, bs_http_request_get_path (request));
  g_string_append (out, ",\"q\":");
  beacon_json_write_string (out, q ? q : "");
  g_string_append (out, ",\"n\":");
  beacon_json_write_string (out, n ? n : "");
  g_string_append_printf (out, ",\"body\":%" G_GSIZE_FORMAT ",\"addr\":", body_len);
  beacon_json_write_string (out, bs_http_request_get_remote_addr (request));
  g_string_append (out, "}");
  g_assert_true (bs_http_request_is_alive (request));
  bs_http_request_respond_json (request, 200, out->str);
  g_assert_false (bs_http_request_is_alive (request));
}

static void
on_shutdown_done (gpointer data)
{
  Server *server = data;

  server_event (server, "done");
  uv_close ((uv_handle_t *) &server->wake, NULL);
}

static void
on_wake (uv_async_t *handle)
{
  Server *server = handle->data;

  if (g_atomic_int_get (&server->stop))
    bs_net_shutdown (server->net, on_shutdown_done, server);
}

static gpointer
server_thread (gpointer data)
{
  Server *server = data;

  uv_run (&server->loop, UV_RUN_DEFAULT);
  return NULL;
}

static Server *
server_start (BsNetConfig *config)
{
  Server       *server = g_new0 (Server, 1);
  BsNetHandlers handlers = {
    .http_request = on_http_request,
    .eio_open = on_eio_open,
    .eio_message = on_eio_message,
    .eio_close = on_eio_close,
  };
  g_autoptr (GError) error = NULL;

  config->host = "127.0.0.1";
  config->port = 0;
  if (config->socket_path == NULL)
    config->socket_path = "/engine.io/";

  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->events = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpint (uv_loop_init (&server->loop), ==, 0);
  server->net = bs_net_new (&server->loop, config, &handlers, server, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server->net);
  server->port = bs_net_get_port (server->net);
  g_assert_cmpuint (server->port, >, 0);
  uv_async_init (&server->loop, &server->wake, on_wake);
  server->wake.data = server;
  current_server = server;
  server->thread = g_thread_new ("bs-net", server_thread, server);
  return server;
}

static void
server_request_stop (Server *server)
{
  g_atomic_int_set (&server->stop, 1);
  uv_async_send (&server->wake);
}

static void
server_stop (Server *server)
{
  if (!g_atomic_int_get (&server->stop))
    server_request_stop (server);
  g_free (server_wait_event (server, "done"));
  g_thread_join (server->thread);
  current_server = NULL;
  bs_net_free (server->net);
  g_assert_cmpint (uv_loop_close (&server->loop), ==, 0);
  g_ptr_array_unref (server->events);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

/* A blocking client */

typedef struct
{
  GSocket    *socket;
  GByteArray *buf;
} Client;

static Client *
client_new (guint port)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (GInetAddress)   lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, port);
  Client                    *client = g_new0 (Client, 1);

  client->socket =
      g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (client->socket, TIMEOUT_S);
  g_socket_connect (client->socket, addr, NULL, &error);
  g_assert_no_error (error);
  client->buf = g_byte_array_new ();
  return client;
}

static void
client_free (Client *client)
{
  g_object_unref (client->socket);
  g_byte_array_unref (client->buf);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_send (Client *client, const void *data, gsize len)
{
  g_autoptr (GError) error = NULL;
  gsize              done = 0;

  while (done < len)
    {
      gssize n =
          g_socket_send (client->socket, (const char *) data + done, len - done, NULL, &error);

      g_assert_no_error (error);
      done += n;
    }
}

/* Reads more; FALSE at end of stream or on a reset. */
static gboolean
client_fill (Client *client)
{
  g_autoptr (GError) error = NULL;
  char               chunk[65536];
  gssize             n = g_socket_receive (client->socket, chunk, sizeof chunk, NULL, &error);

  if (error && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_error ("no answer within %d s", TIMEOUT_S);
  if (n <= 0)
    return FALSE;
  g_byte_array_append (client->buf, (guint8 *) chunk, n);
  return TRUE;
}

static void
client_consume (Client *client, gsize n)
{
  g_byte_array_remove_range (client->buf, 0, n);
}

/* TRUE once the server has closed the connection (unread data is skipped). */
static gboolean
client_wait_closed (Client *client)
{
  while (client_fill (client))
    client_consume (client, client->buf->len);
  return TRUE;
}

typedef struct
{
  guint       status;
  GHashTable *headers;
  char       *body;
  gsize       body_len;
} Response;

static void
response_free (Response *response)
{
  g_hash_table_unref (response->headers);
  g_free (response->body);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static const char *
header (Response *response, const char *name)
{
  return g_hash_table_lookup (response->headers, name);
}

/* One response; NULL when the connection ends first. Bodies need Content-Length (or none,
 * for 101 and 204). */
static Response *
client_read_response (Client *client)
{
  Response   *response;
  const char *end;
  gsize       head_len;
  g_auto (GStrv) lines = NULL;
  const char *cl;
  gsize       body_len;

  while (client->buf->len == 0 ||
         !(end = g_strstr_len ((char *) client->buf->data, client->buf->len, "\r\n\r\n")))
    if (!client_fill (client))
      return NULL;
  head_len = end - (char *) client->buf->data + 4;

  response = g_new0 (Response, 1);
  response->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  {
    g_autofree char *head = g_strndup ((char *) client->buf->data, head_len - 4);

    lines = g_strsplit (head, "\r\n", -1);
  }
  g_assert_true (g_str_has_prefix (lines[0], "HTTP/1.1 "));
  response->status = atoi (lines[0] + 9);
  for (guint i = 1; lines[i]; i++)
    {
      char *colon = strchr (lines[i], ':');

      g_assert_nonnull (colon);
      *colon = '\0';
      g_assert_false (g_hash_table_contains (response->headers, lines[i]));
      g_hash_table_insert (response->headers, g_ascii_strdown (lines[i], -1),
                           g_strdup (g_strstrip (colon + 1)));
    }
  client_consume (client, head_len);

  cl = header (response, "content-length");
  body_len = cl ? g_ascii_strtoull (cl, NULL, 10) : 0;
  while (client->buf->len < body_len)
    if (!client_fill (client))
      {
        response_free (response);
        return NULL;
      }
  response->body = g_strndup ((char *) client->buf->data, body_len);
  response->body_len = body_len;
  client_consume (client, body_len);
  return response;
}

static void
client_send_request (
    Client *client, const char *method, const char *target, const char *headers, const char *body)
{
  g_autofree char *request = g_strdup_printf (
      "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %zu\r\n\r\n%s", method, target,
      headers ? headers : "", body ? strlen (body) : 0, body ? body : "");

  client_send (client, request, strlen (request));
}

static Response *
client_http (
    Client *client, const char *method, const char *target, const char *headers, const char *body)
{
  Response *response;

  client_send_request (client, method, target, headers, body);
  response = client_read_response (client);
  g_assert_nonnull (response);
  return response;
}

static Response *
http_once (
    guint port, const char *method, const char *target, const char *headers, const char *body)
{
  g_autoptr (Client) client = client_new (port);

  return client_http (client, method, target, headers, body);
}

/* WebSocket client */

#define WS_KEY    "dGhlIHNhbXBsZSBub25jZQ=="
#define WS_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static Client *
ws_connect (guint port, const char *target, Response **response_out)
{
  Client              *client = client_new (port);
  g_autoptr (Response) response = NULL;

  client_send_request (client, "GET", target,
                       "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: " WS_KEY "\r\nSec-WebSocket-Version: 13\r\n",
                       NULL);
  response = client_read_response (client);
  g_assert_nonnull (response);
  if (response->status != 101)
    {
      if (response_out)
        *response_out = g_steal_pointer (&response);
      client_free (client);
      return NULL;
    }
  g_assert_cmpstr (header (response, "sec-websocket-accept"), ==, WS_ACCEPT);
  g_assert_cmpstr (header (response, "upgrade"), ==, "websocket");
  return client;
}

/* One client frame: @first is its first byte (FIN, RSV, opcode); masked unless @unmasked. */
static GByteArray *
ws_frame (guint8 first, gboolean unmasked, const void *data, gsize len)
{
  GByteArray  *frame = g_byte_array_new ();
  const guint8 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
  guint8       m = unmasked ? 0 : 0x80;
  guint8       b;

  g_byte_array_append (frame, &first, 1);
  if (len < 126)
    {
      b = m | len;
      g_byte_array_append (frame, &b, 1);
    }
  else if (len <= 0xffff)
    {
      guint8 ext[3] = { m | 126, len >> 8, len & 0xff };

      g_byte_array_append (frame, ext, 3);
    }
  else
    {
      b = m | 127;
      g_byte_array_append (frame, &b, 1);
      for (int i = 7; i >= 0; i--)
        {
          b = ((guint64) len >> (8 * i)) & 0xff;
          g_byte_array_append (frame, &b, 1);
        }
    }
  if (!unmasked)
    g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < len; i++)
    {
      b = ((const guint8 *) data)[i] ^ (unmasked ? 0 : mask[i % 4]);
      g_byte_array_append (frame, &b, 1);
    }
  return frame;
}

static void
ws_send_raw (Client *client, guint8 first, gboolean unmasked, const void *data, gsize len)
{
  g_autoptr (GByteArray) frame = ws_frame (first, unmasked, data, len);

  client_send (client, frame->data, frame->len);
}

static void
ws_send (Client *client, guint8 opcode, const void *data, gsize len)
{
  ws_send_raw (client, 0x80 | opcode, FALSE, data, len);
}

static void
ws_send_text (Client *client, const char *text)
{
  ws_send (client, 1, text, strlen (text));
}

/* One frame from the server (never masked); NULL at end of stream. */
static GBytes *
ws_recv (Client *client, guint8 *opcode)
{
  guint64 len;
  gsize   hlen = 2;

  while (client->buf->len < 2)
    if (!client_fill (client))
      return NULL;
  g_assert_cmpint (client->buf->data[1] & 0x80, ==, 0);
  *opcode = client->buf->data[0] & 0x0f;
  g_assert_cmpint (client->buf->data[0] & 0x80, ==, 0x80);
  len = client->buf->data[1] & 0x7f;
  if (len == 126)
    hlen = 4;
  else if (len == 127)
    hlen = 10;
  while (client->buf->len < hlen)
    if (!client_fill (client))
      return NULL;
  if (len == 126)
    len = (client->buf->data[2] << 8) | client->buf->data[3];
  else if (len == 127)
    {
      len = 0;
      for (int i = 0; i < 8; i++)
        len = (len << 8) | client->buf->data[2 + i];
    }
  while (client->buf->len < hlen + len)
    if (!client_fill (client))
      return NULL;
  {
    GBytes *payload = g_bytes_new (client->buf->data + hlen, len);

    client_consume (client, hlen + len);
    return payload;
  }
}

static char *
ws_recv_text (Client *client)
{
  guint8             opcode = 0;
  g_autoptr (GBytes) payload = ws_recv (client, &opcode);

  g_assert_nonnull (payload);
  g_assert_cmpint (opcode, ==, 1);
  return g_strndup (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
}

static void
ws_assert_text (Client *client, const char *expected)
{
  g_autofree char *text = ws_recv_text (client);

  g_assert_cmpstr (text, ==, expected);
}

/* Skips text frames up to the close frame; returns its status code. */
static guint
ws_expect_close (Client *client)
{
  for (;;)
    {
      guint8             opcode = 0;
      g_autoptr (GBytes) payload = ws_recv (client, &opcode);
      const guint8      *data;

      g_assert_nonnull (payload);
      if (opcode != 8)
        continue;
      data = g_bytes_get_data (payload, NULL);
      return g_bytes_get_size (payload) >= 2 ? (data[0] << 8) | data[1] : 0;
    }
}

/* Engine.IO helpers */

static char *
sid_of_open (const char *open)
{
  g_autoptr (GRegex)     re = g_regex_new ("^0\\{\"sid\":\"([A-Za-z0-9_-]{20})\",", 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;

  g_assert_true (g_regex_match (re, open, 0, &match));
  return g_match_info_fetch (match, 1);
}

static char *
polling_handshake (Server *server)
{
  g_autoptr (Response) r =
      http_once (server->port, "GET", "/engine.io/?EIO=4&transport=polling", NULL, NULL);
  char *sid;

  g_assert_cmpuint (r->status, ==, 200);
  sid = sid_of_open (r->body);
  g_free (server_wait_event (server, "open "));
  return sid;
}

static char *
poll_target (const char *sid)
{
  return g_strdup_printf ("/engine.io/?EIO=4&transport=polling&sid=%s", sid);
}

static void
expect_close_event (Server *server, const char *sid, const char *reason)
{
  g_autofree char *prefix = g_strdup_printf ("close %s ", sid);
  g_autofree char *event = server_wait_event (server, prefix);

  g_assert_cmpstr (event + strlen (prefix), ==, reason);
}

/* Tests */

static void
test_polling_roundtrip (void)
{
  BsNetConfig          config = { 0 };
  Server              *server = server_start (&config);
  g_autoptr (Response) r = NULL;
  g_autoptr (GRegex)   open_re =
      g_regex_new ("^0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\"websocket\"\\],"
                   "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000\\}$",
                   0, 0, NULL);
  g_autofree char   *sid = NULL;
  g_autofree char   *target = NULL;
  g_autofree char   *event = NULL;
  g_autoptr (Client) poller = NULL;
  g_autoptr (Client) pusher = NULL;

  /* the endpoint answers with and without its trailing slash */
  r = http_once (server->port, "GET", "/engine.io?EIO=4&transport=polling", NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (header (r, "content-type"), ==, "text/plain; charset=UTF-8");
  g_assert_true (g_regex_match (open_re, r->body, 0, NULL));
  g_clear_pointer (&r, response_free);

  sid = polling_handshake (server);
  target = poll_target (sid);
  event = server_wait_event (server, "open ");
  g_assert_true (g_str_has_suffix (event, " polling ws=0 polling=2"));

  pusher = client_new (server->port);
  r = client_http (pusher, "POST", target, NULL,
                   "4hello\x1e"
                   "4wörld");
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->body, ==, "ok");
  g_clear_pointer (&r, response_free);

  r = client_http (pusher, "GET", target, NULL, NULL); /* same connection: keep-alive */
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->body, ==,
                   "4hello\x1e"
                   "4wörld");
  g_clear_pointer (&r, response_free);

  /* a GET with nothing queued is held until something comes */
  poller = client_new (server->port);
  client_send_request (poller, "GET", target, NULL, NULL);
  wait_held (server, sid);
  r = client_http (pusher, "POST", target, NULL, "4late");
  g_assert_cmpstr (r->body, ==, "ok");
  g_clear_pointer (&r, response_free);
  r = client_read_response (poller);
  g_assert_cmpstr (r->body, ==, "4late");
  g_clear_pointer (&r, response_free);

  /* binary packets are accepted (and dropped: this application takes none) */
  r = client_http (pusher, "POST", target, NULL,
                   "bAQIDBA==\x1e"
                   "4after");
  g_assert_cmpstr (r->body, ==, "ok");
  g_clear_pointer (&r, response_free);
  r = client_http (pusher, "GET", target, NULL, NULL);
  g_assert_cmpstr (r->body, ==, "4after");
  g_clear_pointer (&r, response_free);

  /* the client closes: a held GET ends with a noop */
  client_send_request (poller, "GET", target, NULL, NULL);
  wait_held (server, sid);
  r = client_http (pusher, "POST", target, NULL, "1");
  g_assert_cmpstr (r->body, ==, "ok");
  g_clear_pointer (&r, response_free);
  r = client_read_response (poller);
  g_assert_cmpstr (r->body, ==, "6");
  g_clear_pointer (&r, response_free);
  expect_close_event (server, sid, "transport close");

  r = client_http (pusher, "GET", target, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 400);
  g_assert_cmpstr (r->body, ==, "{\"code\":1,\"message\":\"Session ID unknown\"}");
  g_clear_pointer (&r, response_free);

  server_stop (server);
}

static void
test_errors (void)
{
  static const struct
  {
    const char *method;
    const char *target;
    const char *body;
  } cases[] = {
    { "GET", "/engine.io/?transport=polling",
      "{\"code\":5,\"message\":\"Unsupported protocol version\"}" },
    { "GET", "/engine.io/?EIO=3&transport=polling",
      "{\"code\":5,\"message\":\"Unsupported protocol version\"}" },
    { "GET", "/engine.io/?EIO=4", "{\"code\":0,\"message\":\"Transport unknown\"}" },
    { "GET", "/engine.io/?EIO=4&transport=abc", "{\"code\":0,\"message\":\"Transport unknown\"}" },
    { "GET", "/engine.io/?EIO=4&transport=polling&sid=nope",
      "{\"code\":1,\"message\":\"Session ID unknown\"}" },
    { "POST", "/engine.io/?EIO=4&transport=polling",
      "{\"code\":2,\"message\":\"Bad handshake method\"}" },
    { "PUT", "/engine.io/?EIO=4&transport=polling",
      "{\"code\":2,\"message\":\"Bad handshake method\"}" },
    { "GET", "/engine.io/?EIO=4&transport=websocket", "{\"code\":3,\"message\":\"Bad request\"}" },
  };
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  g_autoptr (Client) client = client_new (server->port);
  Response          *r = NULL;

  /* one connection: an error does not end it */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      r = client_http (client, cases[i].method, cases[i].target, NULL, NULL);
      g_assert_cmpuint (r->status, ==, 400);
      g_assert_cmpstr (header (r, "content-type"), ==, "application/json");
      g_assert_cmpstr (r->body, ==, cases[i].body);
      response_free (r);
    }

  /* WebSocket handshakes are refused with the message as text, and the connection closed */
  g_assert_null (ws_connect (server->port, "/engine.io/?transport=websocket", &r));
  g_assert_cmpuint (r->status, ==, 400);
  g_assert_cmpstr (r->body, ==, "Unsupported protocol version");
  response_free (r);
  g_assert_null (ws_connect (server->port, "/engine.io/?EIO=4&transport=abc", &r));
  g_assert_cmpstr (r->body, ==, "Transport unknown");
  response_free (r);
  g_assert_null (ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket&sid=nope", &r));
  g_assert_cmpstr (r->body, ==, "Session ID unknown");
  response_free (r);

  g_assert_false (server_has_event (server, "open"));
  server_stop (server);
}

static void
test_websocket_session (void)
{
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  g_autoptr (Client) ws = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autoptr (GRegex) open_re =
      g_regex_new ("^0\\{\"sid\":\"[A-Za-z0-9_-]{20}\",\"upgrades\":\\[\\],"
                   "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000\\}$",
                   0, 0, NULL);
  g_autofree char *open = NULL;
  g_autofree char *sid = NULL;
  g_autofree char *event = NULL;
  g_autofree char *big = g_strnfill (70000, 'y');
  g_autofree char *big_packet = g_strconcat ("4", big, NULL);
  const guint8     close_frame[] = { 0x03, 0xe8 };

  g_assert_nonnull (ws);
  open = ws_recv_text (ws);
  g_assert_true (g_regex_match (open_re, open, 0, NULL));
  sid = sid_of_open (open);
  event = server_wait_event (server, "open ");
  g_assert_true (g_str_has_suffix (event, " websocket ws=1 polling=0"));

  ws_send_text (ws, "4hi ✓");
  ws_assert_text (ws, "4hi ✓");
  ws_send_text (ws, big_packet); /* 64-bit length both ways */
  ws_assert_text (ws, big_packet);

  /* a ping control frame gets its pong */
  ws_send (ws, 9, "abc", 3);
  {
    guint8             opcode = 0;
    g_autoptr (GBytes) pong = ws_recv (ws, &opcode);

    g_assert_cmpint (opcode, ==, 10);
    g_assert_cmpmem (g_bytes_get_data (pong, NULL), g_bytes_get_size (pong), "abc", 3);
  }

  ws_send (ws, 8, close_frame, sizeof close_frame);
  g_assert_cmpuint (ws_expect_close (ws), ==, 1000);
  g_assert_true (client_wait_closed (ws));
  expect_close_event (server, sid, "transport close");

  server_stop (server);
}

static void
test_upgrade (void)
{
  BsNetConfig      config = { .upgrade_timeout_ms = 200 };
  Server          *server = server_start (&config);
  g_autofree char *sid = polling_handshake (server);
  g_autofree char *target = poll_target (sid);
  g_autofree char *ws_target =
      g_strdup_printf ("/engine.io/?EIO=4&transport=websocket&sid=%s", sid);
  g_autoptr (Client)   poller = client_new (server->port);
  g_autoptr (Client)   ws = NULL;
  g_autoptr (Client)   late = NULL;
  g_autoptr (Response) r = NULL;

  /* an upgrade that never completes times out; the session goes on polling */
  late = ws_connect (server->port, ws_target, NULL);
  g_assert_nonnull (late);
  g_assert_cmpuint (ws_expect_close (late), ==, 1000);
  r = client_http (poller, "POST", target, NULL, "4still polling");
  g_clear_pointer (&r, response_free);
  r = client_http (poller, "GET", target, NULL, NULL);
  g_assert_cmpstr (r->body, ==, "4still polling");
  g_clear_pointer (&r, response_free);

  client_send_request (poller, "GET", target, NULL, NULL); /* held */
  ws = ws_connect (server->port, ws_target, NULL);
  g_assert_nonnull (ws);
  ws_send_text (ws, "2probe");
  ws_assert_text (ws, "3probe");
  r = client_read_response (poller); /* the held GET lets go */
  g_assert_cmpstr (r->body, ==, "6");
  g_clear_pointer (&r, response_free);

  ws_send_text (ws, "5");
  ws_send_text (ws, "4over ws");
  ws_assert_text (ws, "4over ws");

  /* polling with this sid is over, and a second upgrade is refused */
  r = client_http (poller, "GET", target, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 400);
  g_assert_cmpstr (r->body, ==, "{\"code\":3,\"message\":\"Bad request\"}");
  g_clear_pointer (&r, response_free);
  g_clear_pointer (&late, client_free);
  late = ws_connect (server->port, ws_target, NULL);
  g_assert_nonnull (late);
  g_assert_cmpuint (ws_expect_close (late), ==, 1000);

  ws_send_text (ws, "4still here");
  ws_assert_text (ws, "4still here");
  g_assert_false (server_has_event (server, "close"));

  server_request_stop (server);
  expect_close_event (server, sid, "server close");
  server_stop (server);
}

static void
test_heartbeat (void)
{
  BsNetConfig        config = { .ping_interval_ms = 100, .ping_timeout_ms = 100 };
  Server            *server = server_start (&config);
  g_autoptr (Client) ws = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autofree char   *open = ws_recv_text (ws);
  g_autofree char   *sid = sid_of_open (open);
  g_autofree char   *psid = NULL;
  g_autofree char   *target = NULL;
  g_autoptr (Client) poller = NULL;
  g_autoptr (Response) r = NULL;

  /* pings come every pingInterval while answered */
  for (guint i = 0; i < 3; i++)
    {
      ws_assert_text (ws, "2");
      ws_send_text (ws, "3");
    }
  g_assert_false (server_has_event (server, "close"));
  /* then one is left unanswered */
  ws_assert_text (ws, "2");
  g_assert_cmpuint (ws_expect_close (ws), ==, 1000);
  expect_close_event (server, sid, "ping timeout");

  /* polling: the held GET returns the ping */
  psid = polling_handshake (server);
  target = poll_target (psid);
  poller = client_new (server->port);
  r = client_http (poller, "GET", target, NULL, NULL);
  g_assert_cmpstr (r->body, ==, "2");
  g_clear_pointer (&r, response_free);
  expect_close_event (server, psid, "ping timeout");
  r = client_http (poller, "GET", target, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 400);
  g_clear_pointer (&r, response_free);

  server_stop (server);
}

static void
test_protocol_violations (void)
{
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  g_autoptr (Client) a = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autoptr (Client) b = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autoptr (Client) c = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autofree char   *open_a = ws_recv_text (a);
  g_autofree char   *open_b = ws_recv_text (b);
  g_autofree char   *open_c = ws_recv_text (c);
  g_autofree char   *sid_a = sid_of_open (open_a);
  g_autofree char   *sid_b = sid_of_open (open_b);
  g_autofree char   *sid_c = sid_of_open (open_c);

  /* a v4 client never pings */
  ws_send_text (a, "2");
  ws_assert_text (a, "1");
  g_assert_cmpuint (ws_expect_close (a), ==, 1000);
  expect_close_event (server, sid_a, "transport error");

  /* not an Engine.IO packet */
  ws_send_text (b, "abc");
  g_assert_cmpuint (ws_expect_close (b), ==, 1000);
  expect_close_event (server, sid_b, "parse error");

  /* a text frame must be UTF-8 */
  ws_send (c, 1, "4\xff\xfe", 3);
  g_assert_cmpuint (ws_expect_close (c), ==, 1007);
  g_assert_true (client_wait_closed (c));
  expect_close_event (server, sid_c, "transport error");

  server_stop (server);
}

/* The frame parser: fragments, control frames amid them, frames cut anywhere, and the
 * violations of RFC 6455 that end a connection with 1002. */
static void
test_websocket_framing (void)
{
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  g_autoptr (Client) ws = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autofree char   *open = ws_recv_text (ws);
  g_autofree char   *big = g_strnfill (70000, 'f');
  g_autofree char   *big_packet = g_strconcat ("4", big, NULL);
  g_autoptr (GByteArray) stream = g_byte_array_new ();
  struct
  {
    guint8      first;
    gboolean    unmasked;
    const char *payload;
  } violations[] = {
    { 0x81, TRUE, "4unmasked" }, /* client frames must be masked */
    { 0xc1, FALSE, "4rsv" },     /* no extension was negotiated */
    { 0x80, FALSE, "orphan" },   /* a continuation with no message begun */
    { 0x09, FALSE, "ping" },     /* a fragmented control frame */
    { 0x83, FALSE, "reserved" }, /* a reserved opcode */
    { 0x81, TRUE, "4" },         /* unmasked, and shorter than a mask key */
  };
  /* a 64-bit length with its top bit set */
  static const guint8 huge[] = { 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0xff, 1,    2,    3,    4 };

  g_assert_true (g_str_has_prefix (open, "0{"));

  /* a text message in three fragments, a ping between them: pong first, then the echo */
  ws_send_raw (ws, 0x01, FALSE, "4fr", 3);
  ws_send (ws, 9, "p", 1);
  ws_send_raw (ws, 0x00, FALSE, "a", 1);
  ws_send_raw (ws, 0x80, FALSE, "g", 1);
  {
    guint8             opcode = 0;
    g_autoptr (GBytes) pong = ws_recv (ws, &opcode);

    g_assert_cmpint (opcode, ==, 10);
    g_assert_cmpmem (g_bytes_get_data (pong, NULL), g_bytes_get_size (pong), "p", 1);
  }
  ws_assert_text (ws, "4frag");

  /* a message and a ping in one write: the echo (batched until the loop polls again) still
   * goes out before the pong (written at once) */
  {
    g_autoptr (GByteArray) text = ws_frame (0x81, FALSE, "4first", 6);
    g_autoptr (GByteArray) ping = ws_frame (0x89, FALSE, "q", 1);
    g_autoptr (GByteArray) both = g_byte_array_new ();
    guint8                 opcode = 0;
    g_autoptr (GBytes)     pong = NULL;

    g_byte_array_append (both, text->data, text->len);
    g_byte_array_append (both, ping->data, ping->len);
    client_send (ws, both->data, both->len);
    ws_assert_text (ws, "4first");
    pong = ws_recv (ws, &opcode);
    g_assert_cmpint (opcode, ==, 10);
  }

  /* frames cut at every byte, and two frames in one write */
  {
    g_autoptr (GByteArray) frame = ws_frame (0x81, FALSE, "4bytes", 6);

    for (guint i = 0; i < frame->len; i++)
      client_send (ws, frame->data + i, 1);
    ws_assert_text (ws, "4bytes");
  }
  {
    g_autoptr (GByteArray) one = ws_frame (0x81, FALSE, "4one", 4);
    g_autoptr (GByteArray) two = ws_frame (0x81, FALSE, "4two", 4);

    g_byte_array_append (stream, one->data, one->len);
    g_byte_array_append (stream, two->data, two->len);
    client_send (ws, stream->data, stream->len);
    ws_assert_text (ws, "4one");
    ws_assert_text (ws, "4two");
  }
  {
    g_autoptr (GByteArray) frame = ws_frame (0x81, FALSE, big_packet, strlen (big_packet));

    client_send (ws, frame->data, 5);
    client_send (ws, frame->data + 5, 40000);
    client_send (ws, frame->data + 40005, frame->len - 40005);
    ws_assert_text (ws, big_packet);
  }

  for (guint i = 0; i < G_N_ELEMENTS (violations); i++)
    {
      g_autoptr (Client) bad =
          ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
      g_autofree char *bad_open = ws_recv_text (bad);
      g_autofree char *sid = sid_of_open (bad_open);
      g_autofree char *message_prefix = g_strdup_printf ("message %s", sid);

      ws_send_raw (bad, violations[i].first, violations[i].unmasked, violations[i].payload,
                   strlen (violations[i].payload));
      g_assert_cmpuint (ws_expect_close (bad), ==, 1002);
      g_assert_true (client_wait_closed (bad));
      expect_close_event (server, sid, "transport error");
      g_assert_false (server_has_event (server, message_prefix));
    }

  {
    g_autoptr (Client) bad =
        ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
    g_autofree char *bad_open = ws_recv_text (bad);

    g_assert_true (g_str_has_prefix (bad_open, "0{"));
    client_send (bad, huge, sizeof huge);
    g_assert_cmpuint (ws_expect_close (bad), ==, 1002);
    g_assert_true (client_wait_closed (bad));
  }

  /* the first connection did not notice */
  ws_send_text (ws, "4still");
  ws_assert_text (ws, "4still");

  server_stop (server);
}

static void
test_max_payload (void)
{
  BsNetConfig        config = { .max_payload = 1000 };
  Server            *server = server_start (&config);
  g_autoptr (Client) big = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autoptr (Client) ok = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autofree char   *open_big = ws_recv_text (big);
  g_autofree char   *open_ok = ws_recv_text (ok);

  g_autofree char     *sid_big = sid_of_open (open_big);
  g_autofree char     *fill = g_strnfill (1500, 'z');
  g_autofree char     *packet = g_strconcat ("4", fill, NULL);
  g_autofree char     *psid = NULL;
  g_autofree char     *target = NULL;
  g_autoptr (Response) r = NULL;

  ws_send_text (big, packet);
  g_assert_cmpuint (ws_expect_close (big), ==, 1009);
  g_assert_true (client_wait_closed (big));
  expect_close_event (server, sid_big, "transport error");

  /* the other connection did not notice */
  g_assert_true (g_str_has_prefix (open_ok, "0{"));
  ws_send_text (ok, "4fine");
  ws_assert_text (ok, "4fine");

  /* a polling body over maxPayload: 413, and that session is over */
  psid = polling_handshake (server);
  target = poll_target (psid);
  r = http_once (server->port, "POST", target, NULL, packet);
  g_assert_cmpuint (r->status, ==, 413);
  g_clear_pointer (&r, response_free);
  expect_close_event (server, psid, "transport error");

  ws_send_text (ok, "4still fine");
  ws_assert_text (ok, "4still fine");
  server_stop (server);
}

static void
test_polling_misuse (void)
{
  BsNetConfig          config = { 0 };
  Server              *server = server_start (&config);
  g_autofree char     *sid = polling_handshake (server);
  g_autofree char     *target = poll_target (sid);
  g_autofree char     *sid2 = NULL;
  g_autofree char     *target2 = NULL;
  g_autoptr (Client)   first = client_new (server->port);
  g_autoptr (Client)   second = client_new (server->port);
  g_autoptr (Response) r = NULL;

  /* a second GET while one is held: 400, the held one gets a close packet, session over */
  client_send_request (first, "GET", target, NULL, NULL);
  wait_held (server, sid);
  r = client_http (second, "GET", target, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 400);
  g_assert_cmpstr (r->body, ==, ""); /* as engine.io: a bare 400 */
  g_clear_pointer (&r, response_free);
  r = client_read_response (first);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (r->body, ==, "1");
  g_clear_pointer (&r, response_free);
  expect_close_event (server, sid, "transport error");

  /* a second POST while the body of one is still coming: the same */
  {
    g_autofree char   *sid3 = polling_handshake (server);
    g_autofree char   *target3 = poll_target (sid3);
    g_autofree char   *partial = g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                                    "Content-Length: 20\r\n\r\n4half",
                                                  target3);
    g_autoptr (Client) slow = client_new (server->port);
    g_autoptr (Client) poller = client_new (server->port);

    client_send_request (poller, "GET", target3, NULL, NULL);
    wait_held (server, sid3);
    client_send (slow, partial, strlen (partial));
    g_free (server_wait_event (server, "data "));
    r = client_http (second, "POST", target3, NULL, "4second");
    g_assert_cmpuint (r->status, ==, 400);
    g_assert_cmpstr (r->body, ==, "");
    g_clear_pointer (&r, response_free);
    r = client_read_response (poller);
    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpstr (r->body, ==, "1");
    g_clear_pointer (&r, response_free);
    expect_close_event (server, sid3, "transport error");
    g_assert_false (server_has_event (server, "message"));
  }

  /* a binary body (Content-Type application/octet-stream): engine.io v6 speaking protocol 4
   * takes it as a transport error and ends the session */
  {
    g_autofree char   *sid4 = polling_handshake (server);
    g_autofree char   *target4 = poll_target (sid4);
    g_autoptr (Client) poller = client_new (server->port);

    client_send_request (poller, "GET", target4, NULL, NULL);
    wait_held (server, sid4);
    r = client_http (second, "POST", target4, "Content-Type: application/octet-stream\r\n",
                     "4binary");
    g_assert_cmpuint (r->status, ==, 400);
    g_clear_pointer (&r, response_free);
    r = client_read_response (poller);
    g_assert_cmpstr (r->body, ==, "1");
    g_clear_pointer (&r, response_free);
    expect_close_event (server, sid4, "transport error");
    g_assert_false (server_has_event (server, "message"));

    /* any other content type is read as text, as there */
    g_free (sid4);
    g_free (target4);
    sid4 = polling_handshake (server);
    target4 = poll_target (sid4);
    r = client_http (second, "POST", target4, "Content-Type: text/plain;charset=UTF-8\r\n",
                     "4text");
    g_assert_cmpuint (r->status, ==, 200);
    g_clear_pointer (&r, response_free);
    g_free (server_wait_event (server, "message "));
  }

  /* a bad payload */
  sid2 = polling_handshake (server);
  target2 = poll_target (sid2);
  r = client_http (first, "POST", target2, NULL,
                   "4ok\x1e"
                   "abc");
  g_assert_cmpuint (r->status, ==, 400);
  g_clear_pointer (&r, response_free);
  expect_close_event (server, sid2, "parse error");
  g_assert_false (server_has_event (server, "message"));

  server_stop (server);
}

static void
test_app_close (void)
{
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  g_autoptr (Client) ws = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autofree char   *open = ws_recv_text (ws);
  g_autofree char   *sid = sid_of_open (open);
  g_autofree char   *psid = polling_handshake (server);
  g_autofree char   *target = poll_target (psid);
  g_autoptr (Client) poller = client_new (server->port);
  g_autoptr (Response) r = NULL;

  /* bs_eio_socket_close from inside eio_message: "1", a close frame, and eio_close later */
  ws_send_text (ws, "4close-me");
  ws_assert_text (ws, "1");
  g_assert_cmpuint (ws_expect_close (ws), ==, 1000);
  expect_close_event (server, sid, "forced close");

  client_send_request (poller, "GET", target, NULL, NULL);
  wait_held (server, psid);
  r = http_once (server->port, "POST", target, NULL, "4close-me");
  g_assert_cmpstr (r->body, ==, "ok");
  g_clear_pointer (&r, response_free);
  r = client_read_response (poller);
  g_assert_cmpstr (r->body, ==, "1");
  g_clear_pointer (&r, response_free);
  expect_close_event (server, psid, "forced close");

  server_stop (server);
}

static void
test_backpressure (void)
{
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  g_autoptr (Client) slow =
      ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autoptr (Client) other =
      ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autofree char *open = ws_recv_text (slow);
  g_autofree char *open_other = ws_recv_text (other);
  g_autofree char *sid = sid_of_open (open);

  ws_send_text (slow, "4flood");
  expect_close_event (server, sid, "transport error");
  g_assert_true (g_str_has_prefix (open_other, "0{"));
  ws_send_text (other, "4unaffected");
  ws_assert_text (other, "4unaffected");
  server_stop (server);
}

static void
test_cors (void)
{
  char                *origins[] = { "https://app.example", NULL };
  char                *any[] = { "*", NULL };
  BsNetConfig          config = { .cors_origins = origins };
  BsNetConfig          config_any = { .cors_origins = any };
  Server              *server = server_start (&config);
  g_autoptr (Client)   client = client_new (server->port);
  g_autoptr (Response) r = NULL;

  r = client_http (client, "GET", "/api/x", "Origin: https://app.example\r\n", NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (header (r, "access-control-allow-origin"), ==, "https://app.example");
  g_assert_cmpstr (header (r, "access-control-allow-credentials"), ==, "true");
  g_assert_cmpstr (header (r, "vary"), ==, "Origin");
  g_clear_pointer (&r, response_free);
  g_free (server_wait_event (server, "http GET /api/x"));

  r = client_http (client, "GET", "/api/x", "Origin: https://evil.example\r\n", NULL);
  g_assert_null (header (r, "access-control-allow-origin"));
  g_assert_null (header (r, "access-control-allow-credentials"));
  g_assert_cmpstr (header (r, "vary"), ==, "Origin");
  g_clear_pointer (&r, response_free);
  g_free (server_wait_event (server, "http GET /api/x"));

  /* Engine.IO answers carry them too */
  r = client_http (client, "GET", "/engine.io/?EIO=4&transport=polling",
                   "Origin: https://app.example\r\n", NULL);
  g_assert_cmpstr (header (r, "access-control-allow-origin"), ==, "https://app.example");
  g_clear_pointer (&r, response_free);

  /* preflight: answered by the layer, never by the application */
  r = client_http (client, "OPTIONS", "/api/x",
                   "Origin: https://app.example\r\nAccess-Control-Request-Method: PATCH\r\n"
                   "Access-Control-Request-Headers: authorization,content-type\r\n",
                   NULL);
  g_assert_cmpuint (r->status, ==, 204);
  g_assert_cmpstr (header (r, "access-control-allow-origin"), ==, "https://app.example");
  g_assert_nonnull (strstr (header (r, "access-control-allow-methods"), "PATCH"));
  g_assert_cmpstr (header (r, "access-control-allow-headers"), ==, "Authorization, Content-Type");
  g_clear_pointer (&r, response_free);
  r = client_http (client, "GET", "/api/after", NULL, NULL);
  g_clear_pointer (&r, response_free);
  g_free (server_wait_event (server, "http GET /api/after"));
  g_assert_false (server_has_event (server, "http OPTIONS"));
  server_stop (server);

  server = server_start (&config_any);
  r = http_once (server->port, "GET", "/api/x", "Origin: https://anyone.example\r\n", NULL);
  g_assert_cmpstr (header (r, "access-control-allow-origin"), ==, "*");
  g_assert_null (header (r, "access-control-allow-credentials"));
  g_assert_null (header (r, "vary"));
  g_clear_pointer (&r, response_free);
  server_stop (server);
}

static void
test_rest_routing (void)
{
  BsNetConfig          config = { .max_http_body = 1000 };
  Server              *server = server_start (&config);
  g_autoptr (Client)   client = client_new (server->port);
  g_autoptr (Client)   bad = NULL;
  g_autoptr (Response) r = NULL;
  g_autofree char     *big = g_strnfill (2000, 'b');
  g_autofree char     *long_header = NULL;
  const char           pipelined[] = "GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
                                     "GET /two HTTP/1.1\r\nHost: x\r\n\r\n";

  r = client_http (client, "GET", "/api/users/a%20b?q=x+y%26z&n=%C3%A9&q=ignored", NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  g_assert_cmpstr (header (r, "content-type"), ==, "application/json");
  g_assert_cmpstr (header (r, "connection"), ==, "keep-alive");
  g_assert_cmpstr (r->body, ==,
                   "{\"path\":\"/api/users/a b\",\"q\":\"x y&z\",\"n\":\"é\",\"body\":0,"
                   "\"addr\":\"127.0.0.1\"}");
  g_clear_pointer (&r, response_free);

  r = client_http (client, "POST", "/api/echo", "Content-Type: application/json\r\n", "{\"a\":1}");
  g_assert_cmpstr (r->body, ==,
                   "{\"path\":\"/api/echo\",\"q\":\"\",\"n\":\"\",\"body\":7,"
                   "\"addr\":\"127.0.0.1\"}");
  g_clear_pointer (&r, response_free);

  /* pipelined requests are answered in order */
  client_send (client, pipelined, strlen (pipelined));
  r = client_read_response (client);
  g_assert_true (g_str_has_prefix (r->body, "{\"path\":\"/one\""));
  g_clear_pointer (&r, response_free);
  r = client_read_response (client);
  g_assert_true (g_str_has_prefix (r->body, "{\"path\":\"/two\""));
  g_clear_pointer (&r, response_free);

  /* too large a body: 413, and the connection closed */
  r = client_http (client, "POST", "/api/echo", NULL, big);
  g_assert_cmpuint (r->status, ==, 413);
  g_assert_cmpstr (header (r, "connection"), ==, "close");
  g_clear_pointer (&r, response_free);
  g_assert_true (client_wait_closed (client));

  /* a bad escape in the path, headers over the limit, garbage */
  r = http_once (server->port, "GET", "/api/%zz", NULL, NULL);
  g_assert_cmpuint (r->status, ==, 400);
  g_clear_pointer (&r, response_free);
  long_header = g_strdup_printf ("X-Long: %0*d\r\n", 20000, 7);
  r = http_once (server->port, "GET", "/api/x", long_header, NULL);
  g_assert_cmpuint (r->status, ==, 431);
  g_clear_pointer (&r, response_free);
  bad = client_new (server->port);
  client_send (bad, "BLAH\r\n\r\n", 8);
  r = client_read_response (bad);
  g_assert_cmpuint (r->status, ==, 400);
  g_clear_pointer (&r, response_free);
  g_assert_true (client_wait_closed (bad));

  g_assert_false (server_has_event (server, "http GET /api/%"));
  g_assert_false (server_has_event (server, "http GET /api/x"));
  server_stop (server);
}

static void
test_forwarded (void)
{
  char                *proxies[] = { "127.0.0.1", "10.0.0.2", NULL };
  BsNetConfig          config = { .trusted_proxies = proxies };
  BsNetConfig          untrusting = { 0 };
  Server              *server = server_start (&config);
  g_autoptr (Response) r = NULL;

  /* the rightmost address that is not one of our proxies */
  r = http_once (server->port, "GET", "/api/x",
                 "X-Forwarded-For: 198.51.100.1, 203.0.113.7, 10.0.0.2\r\n", NULL);
  g_assert_nonnull (strstr (r->body, "\"addr\":\"203.0.113.7\""));
  g_clear_pointer (&r, response_free);
  server_stop (server);

  /* from a peer that is not a trusted proxy, the header is not believed */
  server = server_start (&untrusting);
  r = http_once (server->port, "GET", "/api/x", "X-Forwarded-For: 203.0.113.7\r\n", NULL);
  g_assert_nonnull (strstr (r->body, "\"addr\":\"127.0.0.1\""));
  g_clear_pointer (&r, response_free);
  server_stop (server);
}

static void
test_idle_timeout (void)
{
  BsNetConfig        config = { .idle_timeout_ms = 100 };
  Server            *server = server_start (&config);
  g_autoptr (Client) silent = client_new (server->port);
  g_autoptr (Client) slow = client_new (server->port);
  gint64             start = g_get_monotonic_time ();

  client_send (slow, "GET /api/x HTTP/1.1\r\n", 21); /* and never the rest */
  g_assert_true (client_wait_closed (silent));
  g_assert_true (client_wait_closed (slow));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_TIME_SPAN_SECOND);
  g_assert_false (server_has_event (server, "http"));
  server_stop (server);
}

static void
test_shutdown (void)
{
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  g_autoptr (Client) ws = ws_connect (server->port, "/engine.io/?EIO=4&transport=websocket", NULL);
  g_autofree char   *open = ws_recv_text (ws);
  g_autofree char   *sid = sid_of_open (open);
  g_autofree char   *psid = polling_handshake (server);
  g_autofree char   *target = poll_target (psid);
  g_autoptr (Client) poller = client_new (server->port);
  g_autoptr (Client) idle = client_new (server->port);
  g_autoptr (Response) r = NULL;
  guint                port = server->port;

  client_send_request (poller, "GET", target, NULL, NULL);
  wait_held (server, psid);
  r = client_http (idle, "GET", "/api/x", NULL, NULL); /* a keep-alive connection, now idle */
  g_clear_pointer (&r, response_free);
  g_free (server_wait_event (server, "http"));

  server_request_stop (server);
  ws_assert_text (ws, "1");
  g_assert_cmpuint (ws_expect_close (ws), ==, 1001);
  r = client_read_response (poller);
  g_assert_cmpstr (r->body, ==, "1");
  g_clear_pointer (&r, response_free);
  g_assert_true (client_wait_closed (idle));
  g_assert_true (client_wait_closed (poller));
  g_assert_true (client_wait_closed (ws));
  expect_close_event (server, sid, "server close");
  expect_close_event (server, psid, "server close");
  server_stop (server);

  /* nobody listens any more */
  {
    g_autoptr (GError)         error = NULL;
    g_autoptr (GInetAddress)   lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, port);
    g_autoptr (GSocket)        socket =
        g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

    g_assert_false (g_socket_connect (socket, addr, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  }
}

static void
test_listen_error (void)
{
  BsNetConfig        config = { 0 };
  Server            *server = server_start (&config);
  BsNetConfig        again = { .host = "127.0.0.1", .port = server->port };
  BsNetConfig        bad_host = { .host = "not an address" };
  BsNetHandlers      handlers = { 0 };
  g_autoptr (GError) error = NULL;
  uv_loop_t          loop;

  uv_loop_init (&loop);
  g_assert_null (bs_net_new (&loop, &again, &handlers, NULL, &error));
  g_assert_error (error, BS_NET_ERROR, BS_NET_ERROR_LISTEN);
  g_clear_error (&error);
  g_assert_null (bs_net_new (&loop, &bad_host, &handlers, NULL, &error));
  g_assert_error (error, BS_NET_ERROR, BS_NET_ERROR_LISTEN);
  g_assert_cmpint (uv_loop_close (&loop), ==, 0); /* nothing was left open */
  server_stop (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* The server warns about the bad input these tests feed it: keep criticals fatal, not
   * warnings, and keep them out of the output. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_log_set_handler ("BeaconServer", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_DEBUG, server_log_handler,
                     NULL);
  bs_metrics_init ();

  g_test_add_func ("/net/polling/roundtrip", test_polling_roundtrip);
  g_test_add_func ("/net/polling/misuse", test_polling_misuse);
  g_test_add_func ("/net/eio/errors", test_errors);
  g_test_add_func ("/net/websocket/session", test_websocket_session);
  g_test_add_func ("/net/websocket/violations", test_protocol_violations);
  g_test_add_func ("/net/websocket/framing", test_websocket_framing);
  g_test_add_func ("/net/websocket/backpressure", test_backpressure);
  g_test_add_func ("/net/eio/upgrade", test_upgrade);
  g_test_add_func ("/net/eio/heartbeat", test_heartbeat);
  g_test_add_func ("/net/eio/max-payload", test_max_payload);
  g_test_add_func ("/net/eio/app-close", test_app_close);
  g_test_add_func ("/net/http/cors", test_cors);
  g_test_add_func ("/net/http/routing", test_rest_routing);
  g_test_add_func ("/net/http/forwarded", test_forwarded);
  g_test_add_func ("/net/http/idle-timeout", test_idle_timeout);
  g_test_add_func ("/net/shutdown", test_shutdown);
  g_test_add_func ("/net/listen-error", test_listen_error);
  return g_test_run ();
}
