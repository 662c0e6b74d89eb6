/* bs-net.c: beacon-server's listener and connections on libuv: accepting, reading, queued
 * writes with backpressure, idle and linger timeouts, request routing and shutdown. */

#include "bs-net-private.h"
#include "bs-metrics.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_IDLE_TIMEOUT_MS 30000

typedef struct
{
  uv_write_t req;
  BsConn    *conn;
  gsize      len;
  char      *owned;
} ConnWrite;

/* A frame batched for a connection in this loop iteration (see bs_conn_write_frame). */
typedef struct
{
  GBytes *payload; /* referenced; NULL for none */
  guint   next;    /* index of the connection's next one, or BATCH_END */
  guint8  header_len;
  guint8  header[BS_NET_MAX_FRAME_HEADER];
} Batched;

#define BATCH_END G_MAXUINT
/* Frames per writev: two buffers each, well under IOV_MAX. */
#define BATCH_FRAMES_PER_WRITE 64

static void conn_maybe_free (BsConn *conn);
static void net_maybe_finish (BsNet *net);

G_DEFINE_QUARK (bs - net - error - quark, bs_net_error)

/* Rejected input: counted always, logged within a limit (bs-log.h) so a flood of garbage
 * cannot flood the journal as well. */
void
bs_net_warn_rejected (BsNet *net, const char *reason, const char *format, ...)
{
  va_list args;

  bs_metrics_rejected (reason);
  va_start (args, format);
  bs_log_limitedv (&net->warnings, format, args);
  va_end (args);
}

/* Deferred work */

static void
on_idle (uv_idle_t *handle)
{
  BsNet *net = handle->data;

  for (;;)
    {
      if (!g_queue_is_empty (&net->flush_sockets))
        bs_eio_flush (g_queue_pop_head (&net->flush_sockets));
      else if (!g_queue_is_empty (&net->resume_conns))
        {
          BsConn *conn = g_queue_pop_head (&net->resume_conns);

          conn->in_resume = FALSE;
          bs_http_conn_resume (conn);
        }
      else if (!g_queue_is_empty (&net->closed_sockets))
        bs_eio_finish (g_queue_pop_head (&net->closed_sockets));
      else
        break;
    }

  uv_idle_stop (&net->idle);
  net_maybe_finish (net);
}

void
bs_net_schedule (BsNet *net)
{
  if (net->idle_open)
    uv_idle_start (&net->idle, on_idle);
}

/* Connections and sessions not yet freed: a shutdown is complete when none is left. */
void
bs_net_live_ref (BsNet *net)
{
  net->n_live++;
}

void
bs_net_live_unref (BsNet *net)
{
  g_assert (net->n_live > 0);
  net->n_live--;
  net_maybe_finish (net);
}

/* Connections: writing */

static void
on_write (uv_write_t *req, int status)
{
  ConnWrite *w = (ConnWrite *) req;
  BsConn    *conn = w->conn;

  g_free (w->owned);
  g_free (w);

  if (status < 0 && !conn->closed)
    {
      g_debug ("connection %s: write failed: %s", conn->peer_addr, uv_strerror (status));
      conn->error = TRUE;
      bs_conn_close (conn);
    }
  conn->pending_writes--;
  conn_maybe_free (conn);
}

static void
conn_write (BsConn *conn, ConnWrite *w)
{
  uv_buf_t buf = uv_buf_init (w->owned, w->len);
  int      r;

  w->conn = conn;
  r = uv_write (&w->req, (uv_stream_t *) &conn->tcp, &buf, 1, on_write);
  if (r < 0)
    {
      g_debug ("connection %s: write refused: %s", conn->peer_addr, uv_strerror (r));
      g_free (w->owned);
      g_free (w);
      conn->error = TRUE;
      bs_conn_close (conn);
      return;
    }
  conn->pending_writes++;

  /* what the kernel did not take yet: a peer that reads keeps this near zero */
  if (uv_stream_get_write_queue_size ((uv_stream_t *) &conn->tcp) > BS_NET_MAX_QUEUED)
    {
      bs_net_warn_rejected (conn->net, "slow_consumer",
                            "connection %s: more than %u bytes queued for a peer that does "
                            "not read: closed",
                            conn->peer_addr, BS_NET_MAX_QUEUED);
      conn->error = TRUE;
      bs_conn_close (conn);
    }
}

/* Straight to the kernel when nothing is queued (uv_try_write refuses while something is,
 * so the order holds): no request, copy or completion callback, nor the epoll_ctl that
 * libuv makes after every completed uv_write. Only what the kernel did not take is copied
 * and queued. */
static void
conn_send_bufs (BsConn *conn, const uv_buf_t *bufs, guint n, gsize total)
{
  int        r = uv_try_write ((uv_stream_t *) &conn->tcp, bufs, n);
  gsize      skip;
  ConnWrite *w;
  char      *at;

  if (r >= 0 && (gsize) r == total)
    return;
  if (r < 0 && r != UV_EAGAIN && r != UV_ENOSYS)
    {
      g_debug ("connection %s: write failed: %s", conn->peer_addr, uv_strerror (r));
      conn->error = TRUE;
      bs_conn_close (conn);
      return;
    }
  skip = r > 0 ? r : 0;
  w = g_new0 (ConnWrite, 1);
  w->len = total - skip;
  w->owned = at = g_malloc (w->len);
  for (guint i = 0; i < n; i++)
    {
      gsize from = MIN (skip, bufs[i].len);

      memcpy (at, bufs[i].base + from, bufs[i].len - from);
      at += bufs[i].len - from;
      skip -= from;
    }
  conn_write (conn, w);
}

static void
batch_remove_conn (BsNet *net, BsConn *conn)
{
  BsConn *moved;

  g_ptr_array_remove_index_fast (net->batch_conns, conn->batch_slot);
  if (conn->batch_slot < net->batch_conns->len)
    {
      moved = net->batch_conns->pdata[conn->batch_slot];
      moved->batch_slot = conn->batch_slot;
    }
  conn->batched = FALSE;
}

/* Sends @conn's batched frames (when it can still write) and lets them go. */
static void
conn_send_batch (BsConn *conn)
{
  GArray *batch = conn->net->batch;
  guint   idx = conn->batch_first;

  conn->batched = FALSE;
  while (idx != BATCH_END)
    {
      uv_buf_t bufs[2 * BATCH_FRAMES_PER_WRITE];
      guint    n = 0, start = idx;
      gsize    total = 0;

      for (guint frames = 0; idx != BATCH_END && frames < BATCH_FRAMES_PER_WRITE; frames++)
        {
          Batched *b = &g_array_index (batch, Batched, idx);

          bufs[n++] = uv_buf_init ((char *) b->header, b->header_len);
          total += b->header_len;
          if (b->payload && g_bytes_get_size (b->payload) > 0)
            {
              gsize         len;
              gconstpointer data = g_bytes_get_data (b->payload, &len);

              bufs[n++] = uv_buf_init ((char *) data, len);
              total += len;
            }
          idx = b->next;
        }
      if (!conn->closed && !conn->write_shut)
        conn_send_bufs (conn, bufs, n, total);
      for (guint i = start; i != idx; i = g_array_index (batch, Batched, i).next)
        g_clear_pointer (&g_array_index (batch, Batched, i).payload, g_bytes_unref);
    }
}

/* Before the loop polls again: every connection's frames of this iteration, in one writev
 * per connection. Under load an iteration handles many changes, and a socket that gets
 * several of them gets one write instead of several. */
static void
on_prepare (uv_prepare_t *handle)
{
  BsNet *net = handle->data;

  while (net->batch_conns->len > 0)
    {
      BsConn *conn = g_ptr_array_steal_index_fast (net->batch_conns, net->batch_conns->len - 1);

      conn_send_batch (conn);
    }
  g_array_set_size (net->batch, 0);
  uv_prepare_stop (handle);
}

/* What was batched for @conn goes out now, ahead of what follows. */
static void
conn_flush_batch (BsConn *conn)
{
  if (!conn->batched)
    return;
  batch_remove_conn (conn->net, conn);
  conn_send_batch (conn);
}

/* Takes @owned (g_malloc'd, @len bytes). */
void
bs_conn_write_owned (BsConn *conn, char *owned, gsize len)
{
  uv_buf_t buf = uv_buf_init (owned, len);

  if (!conn->closed && !conn->write_shut && len > 0)
    {
      conn_flush_batch (conn);
      if (!conn->closed)
        conn_send_bufs (conn, &buf, 1, len);
    }
  g_free (owned);
}

/* A frame header (copied) followed by @payload (referenced), sent with whatever else this
 * connection gets in this loop iteration: the same payload bytes serve every recipient, and
 * each connection gets one writev per iteration. */
void
bs_conn_write_frame (BsConn *conn, const guint8 *header, gsize header_len, GBytes *payload)
{
  BsNet  *net = conn->net;
  Batched b = { 0 };
  guint   idx;

  g_assert (header_len <= sizeof b.header);
  if (conn->closed || conn->write_shut)
    return;

  b.payload = payload ? g_bytes_ref (payload) : NULL;
  b.next = BATCH_END;
  b.header_len = header_len;
  memcpy (b.header, header, header_len);
  g_array_append_val (net->batch, b);
  idx = net->batch->len - 1;

  if (conn->batched)
    g_array_index (net->batch, Batched, conn->batch_last).next = idx;
  else
    {
      conn->batched = TRUE;
      conn->batch_first = idx;
      conn->batch_slot = net->batch_conns->len;
      g_ptr_array_add (net->batch_conns, conn);
      if (net->batch_conns->len == 1)
        uv_prepare_start (&net->prepare, on_prepare);
    }
  conn->batch_last = idx;
}

/* A closed connection's batched frames are dropped. */
static void
conn_drop_batch (BsConn *conn)
{
  GArray *batch = conn->net->batch;

  if (!conn->batched)
    return;
  batch_remove_conn (conn->net, conn);
  for (guint i = conn->batch_first; i != BATCH_END; i = g_array_index (batch, Batched, i).next)
    g_clear_pointer (&g_array_index (batch, Batched, i).payload, g_bytes_unref);
}

/* Connections: lifecycle */

static void
conn_maybe_free (BsConn *conn)
{
  BsNet *net = conn->net;

  if (conn->open_handles > 0 || conn->pending_writes > 0 || !conn->closed)
    return;

  bs_http_conn_clear (conn);
  bs_ws_clear (conn);
  g_queue_unlink (&net->conns, &conn->link);
  g_free (conn->peer_addr);
  g_free (conn);
  bs_net_live_unref (net);
}

static void
on_conn_handle_closed (uv_handle_t *handle)
{
  BsConn *conn = handle->data;

  conn->open_handles--;
  conn_maybe_free (conn);
}

/* Closes at once: the peer gets no more bytes than those already handed to the kernel. */
void
bs_conn_close (BsConn *conn)
{
  BsEioSocket *eio;

  if (conn->closed)
    return;
  conn->closed = TRUE;
  g_debug ("connection %s: closed", conn->peer_addr);
  conn_drop_batch (conn);

  if (conn->in_resume)
    {
      g_queue_remove (&conn->net->resume_conns, conn);
      conn->in_resume = FALSE;
    }

  bs_http_conn_detach (conn);
  if ((eio = conn->eio))
    {
      conn->eio = NULL;
      bs_eio_ws_closed (eio, conn, conn->error);
    }

  uv_close ((uv_handle_t *) &conn->tcp, on_conn_handle_closed);
  uv_close ((uv_handle_t *) &conn->timer, on_conn_handle_closed);
}

static void
on_shutdown (uv_shutdown_t *req, int status)
{
  BsConn *conn = req->data;

  /* Keep reading (and discarding) until the peer closes too, or the linger timer fires,
   * so that a reset does not destroy the response we just sent. */
  conn->shut_done = TRUE;
  if (status < 0 || conn->net->shutting_down)
    bs_conn_close (conn); /* a server going down does not wait for goodbyes */
  conn->pending_writes--;
  conn_maybe_free (conn);
}

static void
on_conn_timer (uv_timer_t *timer)
{
  BsConn *conn = timer->data;

  if (conn->write_shut)
    {
      g_debug ("connection %s: linger timeout", conn->peer_addr);
      bs_conn_close (conn);
    }
  else if (conn->mode == BS_CONN_HTTP && conn->current == NULL)
    {
      g_debug ("connection %s: idle timeout", conn->peer_addr);
      bs_conn_close (conn);
    }
}

void
bs_conn_set_timer (BsConn *conn, guint ms)
{
  if (conn->closed)
    return;
  if (ms == 0)
    uv_timer_stop (&conn->timer);
  else
    uv_timer_start (&conn->timer, on_conn_timer, ms, 0);
}

/* Sends what is queued, then a FIN; waits a little for the peer to close its side. */
void
bs_conn_close_gracefully (BsConn *conn)
{
  int r;

  if (conn->closed || conn->write_shut)
    return;
  conn_flush_batch (conn);
  if (conn->closed)
    return;
  conn->write_shut = TRUE;
  bs_http_conn_detach (conn);

  conn->shutdown_req.data = conn;
  r = uv_shutdown (&conn->shutdown_req, (uv_stream_t *) &conn->tcp, on_shutdown);
  if (r < 0)
    {
      bs_conn_close (conn);
      return;
    }
  conn->pending_writes++;
  bs_conn_set_timer (conn, BS_NET_LINGER_MS);
}

void
bs_conn_schedule_resume (BsConn *conn)
{
  if (conn->closed || conn->in_resume)
    return;
  conn->in_resume = TRUE;
  g_queue_push_tail (&conn->net->resume_conns, conn);
  bs_net_schedule (conn->net);
}

/* The response to the current request is on its way. */
void
bs_conn_request_done (BsConn *conn, gboolean keep_alive)
{
  if (!keep_alive || conn->net->shutting_down)
    {
      bs_conn_close_gracefully (conn);
      return;
    }
  bs_conn_set_timer (conn, conn->net->config.idle_timeout_ms);
  bs_conn_schedule_resume (conn);
}

/* One read buffer for every connection: a read is handled whole in on_read (what must wait
 * is copied), so an idle connection holds none. */
static void
on_alloc (uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
  BsConn *conn = handle->data;

  buf->base = conn->net->read_buf;
  buf->len = sizeof conn->net->read_buf;
}

static void
on_read (uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
  BsConn *conn = stream->data;

  if (nread < 0)
    {
      if (nread != UV_EOF)
        {
          g_debug ("connection %s: read failed: %s", conn->peer_addr, uv_strerror (nread));
          conn->error = TRUE;
        }
      bs_conn_close (conn);
    }
  else if (nread > 0 && !conn->write_shut)
    {
      if (conn->mode == BS_CONN_HTTP)
        bs_http_conn_feed (conn, buf->base, nread);
      else
        bs_ws_feed (conn, (guint8 *) buf->base, nread);
    }
}

void
bs_conn_read_start (BsConn *conn)
{
  if (!conn->closed && !conn->reading)
    {
      uv_read_start ((uv_stream_t *) &conn->tcp, on_alloc, on_read);
      conn->reading = TRUE;
    }
}

void
bs_conn_read_stop (BsConn *conn)
{
  if (!conn->closed && conn->reading)
    {
      uv_read_stop ((uv_stream_t *) &conn->tcp);
      conn->reading = FALSE;
    }
}

static char *
peer_name (uv_tcp_t *tcp)
{
  struct sockaddr_storage ss;
  int                     len = sizeof ss;
  char                    name[INET6_ADDRSTRLEN] = "";

  if (uv_tcp_getpeername (tcp, (struct sockaddr *) &ss, &len) == 0)
    {
      if (ss.ss_family == AF_INET)
        uv_ip4_name ((struct sockaddr_in *) &ss, name, sizeof name);
      else if (ss.ss_family == AF_INET6)
        uv_ip6_name ((struct sockaddr_in6 *) &ss, name, sizeof name);
    }
  return g_strdup (name[0] ? name : "unknown");
}

static void
on_connection (uv_stream_t *server, int status)
{
  BsNet  *net = server->data;
  BsConn *conn;

  if (status < 0)
    {
      g_debug ("accept: %s", uv_strerror (status));
      return;
    }

  conn = g_new0 (BsConn, 1);
  conn->net = net;
  conn->link.data = conn;
  uv_tcp_init (net->loop, &conn->tcp);
  uv_timer_init (net->loop, &conn->timer);
  conn->tcp.data = conn;
  conn->timer.data = conn;
  conn->open_handles = 2;
  g_queue_push_tail_link (&net->conns, &conn->link);
  bs_net_live_ref (net);

  if (uv_accept (server, (uv_stream_t *) &conn->tcp) < 0)
    {
      conn->peer_addr = g_strdup ("unknown");
      bs_conn_close (conn);
      return;
    }
  conn->peer_addr = peer_name (&conn->tcp);
  uv_tcp_nodelay (&conn->tcp, 1);
  g_debug ("connection %s: accepted", conn->peer_addr);

  bs_http_conn_init (conn);
  bs_conn_set_timer (conn, net->config.idle_timeout_ms);
  bs_conn_read_start (conn);
}

/* Routing */

gboolean
bs_net_is_socket_path (BsNet *net, const char *path)
{
  const char *sp = net->config.socket_path;
  gsize       n = strlen (sp);

  /* socket_path ends with '/'; accept it with and without */
  if (strcmp (path, sp) == 0)
    return TRUE;
  return n > 1 && sp[n - 1] == '/' && strlen (path) == n - 1 && strncmp (path, sp, n - 1) == 0;
}

void
bs_net_route_request (BsNet *net, BsConn *conn, BsHttpRequest *request)
{
  gboolean eio = bs_net_is_socket_path (net, request->path);

  bs_http_request_prepare (request, net);
  g_debug ("connection %s: %s %s", conn->peer_addr, request->method, request->path);

  if (net->shutting_down)
    {
      bs_http_request_respond_full (request, 503, "application/json", NULL,
                                    "{\"error\":{\"code\":\"unavailable\",\"message\":\"Shutting "
                                    "down\"}}",
                                    (gsize) -1, TRUE);
      return;
    }

  if (g_str_equal (request->method, "OPTIONS") &&
      (eio || bs_http_request_get_header (request, "access-control-request-method")))
    bs_http_respond_preflight (request);
  else if (eio)
    bs_eio_handle_request (net, request);
  else if (net->handlers.http_request)
    net->handlers.http_request (request, net->user_data);
  else
    bs_http_request_respond_error (request, 404, "not_found", "Not found");
}

/* The listener */

static char *
dup_or_default (const char *s, const char *fallback)
{
  return g_strdup (s && *s ? s : fallback);
}

static void
copy_config (BsNetConfig *dst, const BsNetConfig *src)
{
  *dst = *src;
  dst->host = dup_or_default (src->host, "127.0.0.1");
  if (src->socket_path && *src->socket_path)
    dst->socket_path = g_str_has_suffix (src->socket_path, "/")
                           ? g_strdup (src->socket_path)
                           : g_strconcat (src->socket_path, "/", NULL);
  else
    dst->socket_path = g_strdup ("/api/socket/");
  dst->cors_origins = g_strdupv (src->cors_origins);
  dst->trusted_proxies = g_strdupv (src->trusted_proxies);
  if (dst->ping_interval_ms == 0)
    dst->ping_interval_ms = 25000;
  if (dst->ping_timeout_ms == 0)
    dst->ping_timeout_ms = 20000;
  if (dst->upgrade_timeout_ms == 0)
    dst->upgrade_timeout_ms = 10000;
  if (dst->max_payload == 0)
    dst->max_payload = 1000000;
  if (dst->max_http_body == 0)
    dst->max_http_body = 1024 * 1024;
  if (dst->idle_timeout_ms == 0)
    dst->idle_timeout_ms = DEFAULT_IDLE_TIMEOUT_MS;
}

static void
clear_config (BsNetConfig *config)
{
  g_free ((char *) config->host);
  g_free ((char *) config->socket_path);
  g_strfreev (config->cors_origins);
  g_strfreev (config->trusted_proxies);
}

static void
net_free_now (BsNet *net)
{
  clear_config (&net->config);
  g_hash_table_unref (net->sessions);
  g_array_unref (net->batch);
  g_ptr_array_unref (net->batch_conns);
  g_free (net);
}

/* Binds the listening socket ourselves, so that a failure leaves no libuv handle behind. */
static int
open_listener (const char *host, guint port, guint *bound_port, GError **error)
{
  union
  {
    struct sockaddr         sa;
    struct sockaddr_in      in4;
    struct sockaddr_in6     in6;
    struct sockaddr_storage ss;
  } addr;
  socklen_t len;
  int       fd;
  int       one = 1;

  if (port > 65535)
    {
      g_set_error (error, BS_NET_ERROR, BS_NET_ERROR_LISTEN, "Bad port %u", port);
      return -1;
    }
  if (uv_ip4_addr (host, port, &addr.in4) == 0)
    len = sizeof addr.in4;
  else if (uv_ip6_addr (host, port, &addr.in6) == 0)
    len = sizeof addr.in6;
  else
    {
      g_set_error (error, BS_NET_ERROR, BS_NET_ERROR_LISTEN, "Bad listen address “%s”", host);
      return -1;
    }

  fd = socket (addr.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error (error, BS_NET_ERROR, BS_NET_ERROR_LISTEN, "socket: %s", g_strerror (errno));
      return -1;
    }
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, &addr.sa, len) < 0 || listen (fd, 511) < 0)
    {
      int saved = errno;

      g_set_error (error, BS_NET_ERROR, BS_NET_ERROR_LISTEN, "Cannot listen on %s port %u: %s",
                   host, port, g_strerror (saved));
      close (fd);
      return -1;
    }
  len = sizeof addr.ss;
  getsockname (fd, &addr.sa, &len);
  *bound_port = ntohs (addr.sa.sa_family == AF_INET ? addr.in4.sin_port : addr.in6.sin6_port);
  return fd;
}

BsNet *
bs_net_new (uv_loop_t           *loop,
            const BsNetConfig   *config,
            const BsNetHandlers *handlers,
            gpointer             user_data,
            GError             **error)
{
  BsNet *net;
  int    fd;
  guint  port = 0;
  int    r;

  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (handlers != NULL, NULL);

  fd = open_listener (config->host ? config->host : "127.0.0.1", config->port, &port, error);
  if (fd < 0)
    return NULL;

  net = g_new0 (BsNet, 1);
  net->loop = loop;
  copy_config (&net->config, config);
  net->handlers = *handlers;
  net->user_data = user_data;
  net->warnings.what = "rejected inputs";
  net->port = port;
  net->sessions = g_hash_table_new (g_str_hash, g_str_equal);
  net->batch = g_array_new (FALSE, FALSE, sizeof (Batched));
  net->batch_conns = g_ptr_array_new ();

  uv_tcp_init (loop, &net->listener);
  net->listener.data = net;
  net->listener_open = TRUE;
  if ((r = uv_tcp_open (&net->listener, fd)) < 0 ||
      (r = uv_listen ((uv_stream_t *) &net->listener, 511, on_connection)) < 0)
    {
      /* Not expected once bind and listen worked; the handle still has to be closed. */
      g_set_error (error, BS_NET_ERROR, BS_NET_ERROR_LISTEN, "Cannot listen: %s", uv_strerror (r));
      net->free_when_done = TRUE;
      bs_net_shutdown (net, NULL, NULL);
      return NULL;
    }

  uv_idle_init (loop, &net->idle);
  net->idle.data = net;
  uv_prepare_init (loop, &net->prepare);
  net->prepare.data = net;
  net->idle_open = TRUE;
  uv_timer_init (loop, &net->shutdown_timer);
  net->shutdown_timer.data = net;
  net->shutdown_timer_open = TRUE;

  g_debug ("listening on %s port %u, Engine.IO at %s", net->config.host, port,
           net->config.socket_path);
  return net;
}

guint
bs_net_get_port (BsNet *net)
{
  return net->port;
}

void
bs_net_count_sessions (BsNet *net, guint *websocket, guint *polling)
{
  GHashTableIter iter;
  gpointer       value;
  guint          ws = 0, poll = 0;

  g_hash_table_iter_init (&iter, net->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (bs_eio_is_websocket (value))
        ws++;
      else
        poll++;
    }
  if (websocket)
    *websocket = ws;
  if (polling)
    *polling = poll;
}

/* Shutdown */

static void
on_net_handle_closed (uv_handle_t *handle)
{
  BsNet *net = handle->data;

  if (handle == (uv_handle_t *) &net->listener)
    net->listener_open = FALSE;
  if (--net->closing_handles > 0)
    return;
  if (!net->finished)
    {
      net_maybe_finish (net);
      return;
    }
  if (net->done)
    net->done (net->done_data);
  if (net->free_when_done)
    net_free_now (net);
}

static void
net_maybe_finish (BsNet *net)
{
  if (!net->shutting_down || net->finished || net->n_live > 0 || net->listener_open ||
      !g_queue_is_empty (&net->closed_sockets) || !g_queue_is_empty (&net->flush_sockets) ||
      !g_queue_is_empty (&net->resume_conns))
    return;

  net->finished = TRUE;
  if (net->idle_open)
    {
      net->idle_open = FALSE;
      net->closing_handles += 2;
      uv_close ((uv_handle_t *) &net->idle, on_net_handle_closed);
      uv_close ((uv_handle_t *) &net->prepare, on_net_handle_closed);
    }
  if (net->shutdown_timer_open)
    {
      net->shutdown_timer_open = FALSE;
      net->closing_handles++;
      uv_close ((uv_handle_t *) &net->shutdown_timer, on_net_handle_closed);
    }
  if (net->closing_handles == 0)
    {
      /* Only when bs_net_new failed: nothing else was ever opened. */
      if (net->done)
        net->done (net->done_data);
      if (net->free_when_done)
        net_free_now (net);
    }
}

static void
on_shutdown_timer (uv_timer_t *timer)
{
  BsNet *net = timer->data;
  GList *l, *next;

  g_debug ("shutdown: closing %u remaining connections", net->conns.length);
  for (l = net->conns.head; l; l = next)
    {
      next = l->next;
      bs_conn_close (l->data);
    }
}

void
bs_net_shutdown (BsNet *net, void (*done) (gpointer data), gpointer data)
{
  GList *l, *next;

  if (net->shutting_down)
    return;
  net->shutting_down = TRUE;
  net->done = done;
  net->done_data = data;
  g_debug ("shutting down");

  if (net->listener_open)
    {
      net->closing_handles++;
      uv_close ((uv_handle_t *) &net->listener, on_net_handle_closed);
    }

  bs_eio_shutdown_all (net);

  for (l = net->conns.head; l; l = next)
    {
      BsConn *conn = l->data;

      next = l->next;
      if (conn->shut_done)
        bs_conn_close (conn);
      else if (conn->mode == BS_CONN_WEBSOCKET)
        bs_ws_close (conn, 1001);
      else if (conn->current == NULL)
        bs_conn_close_gracefully (conn);
      /* else: closed after its response (bs_conn_request_done), or by the timer */
    }

  if (net->shutdown_timer_open)
    uv_timer_start (&net->shutdown_timer, on_shutdown_timer, BS_NET_SHUTDOWN_GRACE_MS, 0);
  bs_net_schedule (net);
  net_maybe_finish (net);
}

/* Frees now when the shutdown is complete; otherwise shuts down (if needed) and frees once
 * it is (the loop must keep running until then). */
void
bs_net_free (BsNet *net)
{
  if (net == NULL)
    return;
  if (net->finished && net->closing_handles == 0)
    {
      net_free_now (net);
      return;
    }
  net->free_when_done = TRUE;
  if (!net->shutting_down)
    bs_net_shutdown (net, NULL, NULL);
}
