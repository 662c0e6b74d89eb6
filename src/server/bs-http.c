/* bs-http.c: HTTP/1.1 requests for beacon-server: parsing with libhttp-parser under limits,
 * percent-decoding, keep-alive and pipelining, responses with CORS headers. */

#include "bs-net-private.h"

#include "beacon-json.h"

#include <string.h>

static http_parser_settings parser_settings;

BsHttpRequest *
bs_http_request_new (void)
{
  BsHttpRequest *request = g_new0 (BsHttpRequest, 1);

  request->ref_count = 1;
  request->method = g_strdup ("GET");
  request->url = g_string_new (NULL);
  request->path = g_strdup ("/");
  request->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  request->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  request->body = g_string_new (NULL);
  return request;
}

BsHttpRequest *
bs_http_request_ref (BsHttpRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  g_atomic_int_inc (&request->ref_count);
  return request;
}

void
bs_http_request_unref (BsHttpRequest *request)
{
  if (request == NULL || !g_atomic_int_dec_and_test (&request->ref_count))
    return;
  g_free (request->method);
  g_string_free (request->url, TRUE);
  g_free (request->path);
  g_hash_table_unref (request->query);
  g_hash_table_unref (request->headers);
  g_string_free (request->body, TRUE);
  g_free (request->remote_addr);
  g_free (request->cors_origin);
  g_free (request);
}

const char *
bs_http_request_get_method (BsHttpRequest *request)
{
  return request->method;
}

const char *
bs_http_request_get_path (BsHttpRequest *request)
{
  return request->path;
}

const char *
bs_http_request_get_query (BsHttpRequest *request, const char *name)
{
  return g_hash_table_lookup (request->query, name);
}

const char *
bs_http_request_get_header (BsHttpRequest *request, const char *name)
{
  return g_hash_table_lookup (request->headers, name);
}

const char *
bs_http_request_get_body (BsHttpRequest *request, gsize *len)
{
  if (len)
    *len = request->body->len;
  return request->body->str;
}

const char *
bs_http_request_get_remote_addr (BsHttpRequest *request)
{
  return request->remote_addr ? request->remote_addr : "unknown";
}

gboolean
bs_http_request_is_alive (BsHttpRequest *request)
{
  return request->conn != NULL && !request->responded;
}

/* Percent-decoding */

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/**
 * bs_http_percent_decode:
 * @data: a path or a query component
 * @len: its length
 * @query: %TRUE for a query component: '+' is a space and a stray '%' stays as it is;
 *   %FALSE for a path, where a bad escape is an error
 *
 * Returns: (nullable): the decoded text, or %NULL when it is not valid UTF-8, holds a NUL
 *   or (paths) a bad escape
 */
char *
bs_http_percent_decode (const char *data, gsize len, gboolean query)
{
  GString *out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '%')
        {
          int h = i + 1 < len ? hex_value (data[i + 1]) : -1;
          int l = i + 2 < len ? hex_value (data[i + 2]) : -1;

          if (h >= 0 && l >= 0)
            {
              g_string_append_c (out, (char) (h * 16 + l));
              i += 2;
              continue;
            }
          if (!query)
            goto fail;
          g_string_append_c (out, c);
        }
      else if (c == '+' && query)
        g_string_append_c (out, ' ');
      else
        g_string_append_c (out, c);
    }

  if (memchr (out->str, '\0', out->len) || !g_utf8_validate_len (out->str, out->len, NULL))
    goto fail;
  return g_string_free (out, FALSE);

fail:
  g_string_free (out, TRUE);
  return NULL;
}

static gboolean
parse_query (BsHttpRequest *request, const char *query, gsize len)
{
  const char *p = query;
  const char *end = query + len;

  while (p < end)
    {
      const char *amp = memchr (p, '&', end - p);
      const char *stop = amp ? amp : end;
      const char *eq = memchr (p, '=', stop - p);
      char       *name;
      char       *value;

      if (stop > p)
        {
          name = bs_http_percent_decode (p, (eq ? eq : stop) - p, TRUE);
          value = eq ? bs_http_percent_decode (eq + 1, stop - eq - 1, TRUE) : g_strdup ("");
          if (name == NULL || value == NULL)
            {
              g_free (name);
              g_free (value);
              return FALSE;
            }
          if (*name && !g_hash_table_contains (request->query, name))
            g_hash_table_insert (request->query, name, value);
          else
            {
              g_free (name);
              g_free (value);
            }
        }
      p = stop + 1;
    }
  return TRUE;
}

static gboolean
parse_url (BsHttpRequest *request)
{
  struct http_parser_url u;
  const char            *url = request->url->str;
  char                  *path;

  if (g_str_equal (url, "*"))
    {
      g_free (request->path);
      request->path = g_strdup ("*");
      return TRUE;
    }

  http_parser_url_init (&u);
  if (http_parser_parse_url (url, request->url->len, 0, &u) != 0)
    return FALSE;

  if (u.field_set & (1 << UF_PATH))
    path =
        bs_http_percent_decode (url + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len, FALSE);
  else
    path = g_strdup ("/");
  if (path == NULL)
    return FALSE;
  g_free (request->path);
  request->path = path;

  if (u.field_set & (1 << UF_QUERY))
    return parse_query (request, url + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len);
  return TRUE;
}

/* Parser callbacks */

static gboolean
over_header_limit (BsConn *conn, gsize more)
{
  conn->header_bytes += more;
  if (conn->header_bytes <= BS_NET_MAX_HEADER_BYTES)
    return FALSE;
  conn->reject_pending = TRUE;
  conn->reject_status = 431;
  return TRUE;
}

static void
commit_header (BsConn *conn)
{
  GHashTable *headers = conn->building->headers;
  char       *name;
  const char *old;

  if (!conn->in_value && conn->field->len == 0)
    return;

  name = g_ascii_strdown (conn->field->str, conn->field->len);
  old = g_hash_table_lookup (headers, name);
  if (old)
    g_hash_table_insert (headers, name, g_strdup_printf ("%s, %s", old, conn->value->str));
  else
    g_hash_table_insert (headers, name, g_strndup (conn->value->str, conn->value->len));

  g_string_truncate (conn->field, 0);
  g_string_truncate (conn->value, 0);
  conn->in_value = FALSE;
}

static int
on_message_begin (http_parser *parser)
{
  BsConn *conn = parser->data;

  g_clear_pointer (&conn->building, bs_http_request_unref);
  conn->building = bs_http_request_new ();
  conn->building->conn = conn;
  conn->header_bytes = 0;
  conn->n_headers = 0;
  g_string_truncate (conn->field, 0);
  g_string_truncate (conn->value, 0);
  conn->in_value = FALSE;
  return 0;
}

static int
on_url (http_parser *parser, const char *at, size_t len)
{
  BsConn *conn = parser->data;

  if (over_header_limit (conn, len))
    return -1;
  g_string_append_len (conn->building->url, at, len);
  return 0;
}

static int
on_header_field (http_parser *parser, const char *at, size_t len)
{
  BsConn *conn = parser->data;

  if (over_header_limit (conn, len))
    return -1;
  if (conn->in_value)
    commit_header (conn);
  if (conn->field->len == 0 && ++conn->n_headers > BS_NET_MAX_HEADERS)
    {
      conn->reject_pending = TRUE;
      conn->reject_status = 431;
      return -1;
    }
  g_string_append_len (conn->field, at, len);
  return 0;
}

static int
on_header_value (http_parser *parser, const char *at, size_t len)
{
  BsConn *conn = parser->data;

  if (over_header_limit (conn, len))
    return -1;
  conn->in_value = TRUE;
  g_string_append_len (conn->value, at, len);
  return 0;
}

static int
on_headers_complete (http_parser *parser)
{
  BsConn        *conn = parser->data;
  BsNet         *net = conn->net;
  BsHttpRequest *request = conn->building;
  const char    *expect;

  commit_header (conn);
  g_free (request->method);
  request->method = g_strdup (http_method_str (parser->method));
  request->head = parser->method == HTTP_HEAD;
  request->upgrade = parser->upgrade;
  request->keep_alive = http_should_keep_alive (parser);

  if (!parse_url (request))
    {
      conn->reject_pending = TRUE;
      conn->reject_status = 400;
      return -1;
    }

  request->body_limit = bs_net_is_socket_path (net, request->path) ? net->config.max_payload
                                                                   : net->config.max_http_body;
  if (parser->content_length != G_MAXUINT64 && parser->content_length > request->body_limit)
    {
      conn->reject_pending = TRUE;
      conn->reject_status = 413;
      return -1;
    }

  if (parser->method == HTTP_POST && bs_net_is_socket_path (net, request->path))
    bs_eio_data_begin (net, request);

  expect = g_hash_table_lookup (request->headers, "expect");
  if (expect && g_ascii_strcasecmp (expect, "100-continue") == 0 && !request->upgrade)
    {
      static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

      bs_conn_write_owned (conn, g_strdup (cont), sizeof cont - 1);
    }
  return 0;
}

static int
on_body (http_parser *parser, const char *at, size_t len)
{
  BsConn        *conn = parser->data;
  BsHttpRequest *request = conn->building;

  if (request->body->len + len > request->body_limit)
    {
      conn->reject_pending = TRUE;
      conn->reject_status = 413;
      return -1;
    }
  g_string_append_len (request->body, at, len);
  return 0;
}

static int
on_message_complete (http_parser *parser)
{
  BsConn *conn = parser->data;

  conn->current = g_steal_pointer (&conn->building);
  conn->current->keep_alive = http_should_keep_alive (parser);
  /* One request at a time: the rest waits until this one is answered. */
  http_parser_pause (parser, 1);
  return 0;
}

void
bs_http_conn_init (BsConn *conn)
{
  if (parser_settings.on_message_begin == NULL)
    {
      parser_settings.on_message_begin = on_message_begin;
      parser_settings.on_url = on_url;
      parser_settings.on_header_field = on_header_field;
      parser_settings.on_header_value = on_header_value;
      parser_settings.on_headers_complete = on_headers_complete;
      parser_settings.on_body = on_body;
      parser_settings.on_message_complete = on_message_complete;
    }
  http_parser_init (&conn->parser, HTTP_REQUEST);
  conn->parser.data = conn;
  conn->field = g_string_new (NULL);
  conn->value = g_string_new (NULL);
  conn->mode = BS_CONN_HTTP;
}

/* The connection is going away: requests still waiting for an answer learn it. */
void
bs_http_conn_detach (BsConn *conn)
{
  BsHttpRequest *current = g_steal_pointer (&conn->current);

  if (conn->building)
    {
      conn->building->conn = NULL;
      g_clear_pointer (&conn->building, bs_http_request_unref);
    }
  if (current)
    {
      current->conn = NULL;
      if (!current->responded && current->on_abort)
        current->on_abort (current, current->abort_data);
      bs_http_request_unref (current);
    }
}

void
bs_http_conn_clear (BsConn *conn)
{
  bs_http_conn_detach (conn);
  if (conn->field)
    g_string_free (conn->field, TRUE);
  if (conn->value)
    g_string_free (conn->value, TRUE);
  conn->field = conn->value = NULL;
  g_clear_pointer (&conn->pending_in, g_byte_array_unref);
}

static void
stash_input (BsConn *conn, const char *data, gsize len)
{
  if (len == 0)
    return;
  if (conn->pending_in == NULL)
    conn->pending_in = g_byte_array_new ();
  g_byte_array_append (conn->pending_in, (const guint8 *) data, len);
  /* A client that pipelines more than a request's worth waits until we catch up. */
  if (conn->pending_in->len > BS_NET_MAX_HEADER_BYTES + conn->net->config.max_payload)
    bs_conn_read_stop (conn);
}

static gboolean
is_websocket_upgrade (BsHttpRequest *request)
{
  const char *upgrade = g_hash_table_lookup (request->headers, "upgrade");

  return request->upgrade && upgrade && g_ascii_strcasecmp (upgrade, "websocket") == 0;
}

static void
reject (BsConn *conn)
{
  BsNet         *net = conn->net;
  guint          status = conn->reject_status ? conn->reject_status : 400;
  BsHttpRequest *request =
      conn->building ? bs_http_request_ref (conn->building) : bs_http_request_new ();
  const char      *reason = status == 413   ? "oversized"
                            : status == 431 ? "oversized_headers"
                                            : "bad_request";
  g_autofree char *body = NULL;

  request->conn = conn;
  conn->reject_pending = FALSE;
  bs_net_warn_rejected (net, reason, "connection %s: %s request refused with %u", conn->peer_addr,
                        reason, status);

  if (status == 413 && bs_net_is_socket_path (net, request->path))
    bs_eio_payload_too_large (net, bs_http_request_get_query (request, "sid"));

  body = g_strdup_printf ("{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                          status == 400 ? "bad_request" : "too_large", http_status_str (status));
  request->keep_alive = FALSE;
  bs_http_request_prepare (request, net);
  bs_http_request_respond_full (request, status, "application/json", NULL, body, strlen (body),
                                TRUE);
  bs_http_request_unref (request);
}

/* @data is the caller's to give up: what follows a WebSocket upgrade is unmasked in place. */
static void
process (BsConn *conn, char *data, gsize len)
{
  gsize           nparsed;
  enum http_errno err;
  BsHttpRequest  *request;
  char           *rest;
  gsize           rest_len;

  nparsed = http_parser_execute (&conn->parser, &parser_settings, data, len);
  err = HTTP_PARSER_ERRNO (&conn->parser);

  if (conn->reject_pending)
    {
      reject (conn);
      return;
    }
  if (err != HPE_OK && err != HPE_PAUSED)
    {
      conn->reject_status = 400;
      reject (conn);
      return;
    }
  if (err == HPE_OK)
    return; /* all consumed; the request is not complete yet */

  /* held for the whole dispatch: answering drops the connection's reference */
  request = bs_http_request_ref (conn->current);
  rest = data + nparsed;
  rest_len = len - nparsed;
  bs_conn_set_timer (conn, 0);

  if (is_websocket_upgrade (request) && bs_net_is_socket_path (conn->net, request->path))
    {
      bs_http_request_prepare (request, conn->net);
      bs_eio_handle_upgrade (conn->net, conn, request, (guint8 *) rest, rest_len);
    }
  else
    {
      stash_input (conn, rest, rest_len);
      bs_net_route_request (conn->net, conn, request);
    }
  bs_http_request_unref (request);
}

static gboolean
parser_paused (BsConn *conn)
{
  return HTTP_PARSER_ERRNO (&conn->parser) == HPE_PAUSED;
}

void
bs_http_conn_feed (BsConn *conn, char *data, gsize len)
{
  if (conn->current || parser_paused (conn) || (conn->pending_in && conn->pending_in->len > 0))
    {
      stash_input (conn, data, len);
      return;
    }
  process (conn, data, len);
}

/* After a response: go on with what the client sent meanwhile. */
void
bs_http_conn_resume (BsConn *conn)
{
  g_autoptr (GByteArray) pending = NULL;

  if (conn->closed || conn->write_shut || conn->mode != BS_CONN_HTTP || conn->current)
    return;

  http_parser_pause (&conn->parser, 0);
  pending = g_steal_pointer (&conn->pending_in);
  if (pending && pending->len > 0)
    process (conn, (char *) pending->data, pending->len);
  if (!conn->closed && conn->mode == BS_CONN_HTTP &&
      (conn->pending_in == NULL ||
       conn->pending_in->len <= BS_NET_MAX_HEADER_BYTES + conn->net->config.max_payload))
    bs_conn_read_start (conn);
}

/* Responses */

static gboolean
strv_contains_addr (char **list, const char *addr)
{
  return list && addr && g_strv_contains ((const char *const *) list, addr);
}

static char *
client_address (BsNet *net, BsConn *conn, BsHttpRequest *request)
{
  const char *peer = conn ? conn->peer_addr : "unknown";
  const char *xff = g_hash_table_lookup (request->headers, "x-forwarded-for");
  g_auto (GStrv) hops = NULL;

  if (!xff || !strv_contains_addr (net->config.trusted_proxies, peer))
    return g_strdup (peer);

  /* The rightmost hop that is not one of our proxies is the client. */
  hops = g_strsplit (xff, ",", -1);
  for (int i = g_strv_length (hops) - 1; i >= 0; i--)
    {
      char *hop = g_strstrip (hops[i]);

      if (*hop && (!strv_contains_addr (net->config.trusted_proxies, hop) || i == 0))
        return g_strdup (hop);
    }
  return g_strdup (peer);
}

/* Fills what the response needs to know from the configuration: the client's address and
 * the CORS headers. */
void
bs_http_request_prepare (BsHttpRequest *request, BsNet *net)
{
  char      **origins = net->config.cors_origins;
  const char *origin = g_hash_table_lookup (request->headers, "origin");

  if (request->remote_addr == NULL)
    request->remote_addr = client_address (net, request->conn, request);

  g_clear_pointer (&request->cors_origin, g_free);
  request->cors_credentials = FALSE;
  request->cors_vary = FALSE;
  if (origins == NULL || origins[0] == NULL)
    return;
  if (g_strv_contains ((const char *const *) origins, "*"))
    {
      request->cors_origin = g_strdup ("*");
      return;
    }
  request->cors_vary = TRUE;
  if (origin && g_strv_contains ((const char *const *) origins, origin))
    {
      request->cors_origin = g_strdup (origin);
      request->cors_credentials = TRUE;
    }
}

void
bs_http_request_respond_full (BsHttpRequest *request,
                              guint          status,
                              const char    *content_type,
                              const char    *extra_headers,
                              const char    *body,
                              gsize          len,
                              gboolean       close)
{
  BsConn  *conn = request->conn;
  GString *out;
  gboolean keep_alive;
  gsize    out_len;

  if (request->responded)
    return;
  request->responded = TRUE;
  if (conn == NULL || conn->closed || conn->write_shut)
    return;

  if (body == NULL)
    len = 0;
  else if (len == (gsize) -1)
    len = strlen (body);
  keep_alive = request->keep_alive && !close && !conn->net->shutting_down;

  out = g_string_sized_new (256 + len);
  g_string_append_printf (out, "HTTP/1.1 %u %s\r\n", status, http_status_str (status));
  if (content_type)
    g_string_append_printf (out, "Content-Type: %s\r\n", content_type);
  if (status != 204 && status != 304)
    g_string_append_printf (out, "Content-Length: %" G_GSIZE_FORMAT "\r\n", len);
  if (request->cors_origin)
    g_string_append_printf (out, "Access-Control-Allow-Origin: %s\r\n", request->cors_origin);
  if (request->cors_credentials)
    g_string_append (out, "Access-Control-Allow-Credentials: true\r\n");
  if (request->cors_vary)
    g_string_append (out, "Vary: Origin\r\n");
  if (extra_headers)
    g_string_append (out, extra_headers);
  g_string_append (out,
                   keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
  if (!request->head && len > 0)
    g_string_append_len (out, body, len);

  out_len = out->len;
  bs_conn_write_owned (conn, g_string_free (out, FALSE), out_len);

  request->conn = NULL;
  if (conn->current == request)
    {
      conn->current = NULL;
      bs_http_request_unref (request);
    }
  bs_conn_request_done (conn, keep_alive);
}

void
bs_http_request_respond (
    BsHttpRequest *request, guint status, const char *content_type, const char *body, gsize len)
{
  bs_http_request_respond_full (request, status, content_type, NULL, body, len, FALSE);
}

void
bs_http_request_respond_json (BsHttpRequest *request, guint status, const char *json)
{
  bs_http_request_respond_full (request, status, "application/json", NULL, json, (gsize) -1, FALSE);
}

void
bs_http_request_respond_error (BsHttpRequest *request,
                               guint          status,
                               const char    *code,
                               const char    *message)
{
  g_autoptr (GString) out = g_string_new ("{\"error\":{\"code\":");

  beacon_json_write_string (out, code);
  g_string_append (out, ",\"message\":");
  beacon_json_write_string (out, message);
  g_string_append (out, "}}");
  bs_http_request_respond_full (request, status, "application/json", NULL, out->str, out->len,
                                FALSE);
}

void
bs_http_respond_preflight (BsHttpRequest *request)
{
  bs_http_request_respond_full (request, 204, NULL,
                                "Access-Control-Allow-Methods: GET, HEAD, PUT, PATCH, POST, "
                                "DELETE\r\n"
                                "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
                                "Access-Control-Max-Age: 86400\r\n",
                                NULL, 0, FALSE);
}
