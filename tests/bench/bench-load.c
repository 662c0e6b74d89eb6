/* bench-load.c: the presence benchmark's load generator: N signed-in Socket.IO sockets over raw
 * WebSocket on libuv, a status churn of R changes/s, fan-out latency and the server's /proc
 * figures. */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "beacon-eio.h"
#include "beacon-json.h"
#include "beacon-jwt.h"
#include "beacon-sio.h"

/* A status change carries its send time (µs of CLOCK_MONOTONIC, as g_get_monotonic_time) in its
 * custom message, as the Node loadgen does; every receiver subtracts it from its receive time. */
#define TAG        "bench "
#define TAG_IN_REC "\"custom_message\":\"" TAG
#define READ_SIZE  (256 * 1024)
#define WS_GUID    "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

typedef enum
{
  CONN_IDLE,      /* not opened yet */
  CONN_TCP,       /* TCP connect in flight */
  CONN_HANDSHAKE, /* HTTP upgrade sent, waiting for 101 */
  CONN_JOINING,   /* WebSocket open, waiting for the Engine.IO open and the namespace CONNECT */
  CONN_CONNECTED, /* namespace "/" joined */
  CONN_CLOSED,
} ConnState;

typedef struct _Bench Bench;

typedef struct
{
  Bench       *bench;
  guint        index;
  char        *id;
  char        *token;
  guint       *contacts; /* indices of the user's contacts (symmetric) */
  guint        n_contacts;
  uv_tcp_t     tcp;
  uv_connect_t connect_req;
  ConnState    state;
  gboolean     handle_open;
  gboolean     was_connected; /* reached CONN_CONNECTED once */
  gboolean     flip;
  char         ws_key[25];
  gint64       started_us;
  gint64       last_ping_us;
  gint64       dead_after_us;
  GByteArray  *in;       /* bytes not consumed yet (a partial response or frame) */
  GByteArray  *fragment; /* a text message being reassembled from continuation frames */
  guint        expected; /* connected contacts when the churn starts */
} Conn;

typedef struct
{
  gint64 rss_kib;
  gint64 hwm_kib;
} Mem;

struct _Bench
{
  /* configuration */
  char  *host;
  int    port;
  char  *path;
  char  *graph_path;
  char  *tokens_path;
  char  *label;
  char  *local_spec;
  guint  n;
  double rate;
  double duration_s;
  double connect_rate;
  guint  concurrency;
  guint  connect_timeout_ms;
  guint  heartbeat_ms;
  guint  settle_ms;
  guint  idle_s;
  guint  drain_max_ms;
  guint  hard_timeout_s;
  int    server_pid;
  char **statuses; /* the two churn statuses */

  uv_loop_t         *loop;
  struct sockaddr_in server_addr;
  GArray            *local_addrs; /* struct sockaddr_in */
  Conn              *conns;
  guint              k_mean_x1000;
  GBytes            *pong_frame;
  GBytes            *heartbeat_frame;

  /* timers */
  uv_timer_t ramp_timer;
  uv_timer_t sweep_timer;
  uv_timer_t heartbeat_timer;
  uv_timer_t phase_timer;
  uv_timer_t churn_timer;
  uv_timer_t hard_timer;

  /* ramp */
  gint64      t0_us;
  gint64      ramp_started_us;
  guint       next;
  guint       in_flight;
  guint       settled;
  guint       connected;
  GHashTable *connect_errors; /* reason -> count */
  double      ramp_s;
  guint       heartbeat_cursor;
  double      heartbeat_credit;

  /* churn */
  GArray     *pool; /* indices of connected conns */
  gboolean    churning;
  gboolean    reporting;
  gint64      churn_started_us;
  double      churn_wall_s;
  guint64     sent;
  guint64     expected;
  guint64     received;
  guint64     ramp_updates;
  guint64     other_updates;
  guint64     snapshots;
  GArray     *latencies_us; /* guint32 */
  GHashTable *server_errors;
  GHashTable *disconnects;
  gint64      drain_started_us;
  double      drain_s;

  /* readings */
  Mem    mem_before, mem_connected, mem_churned;
  double cpu_start, cpu_ramp, cpu_idle0, cpu_idle1, cpu_churn0, cpu_churn1, cpu_end;
  double idle_wall_s;
  double self_cpu0, self_cpu1;
  char  *aborted;
  int    exit_status;
};

static Bench bench_singleton;

static void conn_close (Conn *conn, const char *reason);
static void phase_report (Bench *bench);

/* ---------------------------------------------------------------------------------------
 * /proc */

static long clk_tck;

static Mem
proc_memory (int pid)
{
  Mem              mem = { -1, -1 };
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char      *line;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return mem;
  if ((line = strstr (text, "\nVmRSS:")))
    mem.rss_kib = g_ascii_strtoll (line + 7, NULL, 10);
  if ((line = strstr (text, "\nVmHWM:")))
    mem.hwm_kib = g_ascii_strtoll (line + 7, NULL, 10);
  return mem;
}

/* User + system CPU seconds of a process, all threads; -1 when unreadable. */
static double
proc_cpu_seconds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *rparen;

  if (pid <= 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  rparen = strrchr (text, ')');
  if (rparen == NULL || rparen[1] == '\0')
    return -1;
  fields = g_strsplit (rparen + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return -1;
  /* fields[0] is field 3 (state): utime is field 14, stime field 15 */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / clk_tck;
}

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
         usage.ru_stime.tv_usec / 1e6;
}

/* ---------------------------------------------------------------------------------------
 * Writing: masked RFC 6455 client frames */

typedef struct
{
  uv_write_t req;
  uv_buf_t   buf;
  char       data[];
} WriteReq;

static void
on_written (uv_write_t *req, int status)
{
  g_free (req);
}

static void
conn_write (Conn *conn, const char *data, gsize len)
{
  WriteReq *w;
  uv_buf_t  buf = uv_buf_init ((char *) data, len);
  int       n;

  if (!conn->handle_open || conn->state == CONN_CLOSED || conn->state < CONN_HANDSHAKE)
    return;
  n = uv_try_write ((uv_stream_t *) &conn->tcp, &buf, 1);
  if (n == (int) len)
    return;
  if (n < 0 && n != UV_EAGAIN)
    {
      conn_close (conn, "transport error");
      return;
    }
  if (n < 0)
    n = 0;
  w = g_malloc (sizeof *w + len - n);
  memcpy (w->data, data + n, len - n);
  w->buf = uv_buf_init (w->data, len - n);
  if (uv_write (&w->req, (uv_stream_t *) &conn->tcp, &w->buf, 1, on_written) < 0)
    {
      g_free (w);
      conn_close (conn, "transport error");
    }
}

static guint32 mask_state = 0x9e3779b9;

static guint32
next_mask (void)
{
  /* xorshift32: masking keys need not be secret against ourselves */
  mask_state ^= mask_state << 13;
  mask_state ^= mask_state >> 17;
  mask_state ^= mask_state << 5;
  return mask_state;
}

/* One masked text frame (opcode 1) or control frame of the given opcode. */
static void
conn_send_frame (Conn *conn, guint8 opcode, const char *payload, gsize len)
{
  guint8  stack[512];
  guint8 *frame = len + 14 <= sizeof stack ? stack : g_malloc (len + 14);
  gsize   h = 0;
  guint32 key = next_mask ();
  guint8  mask[4] = { key >> 24, key >> 16, key >> 8, key };

  frame[h++] = 0x80 | opcode;
  if (len < 126)
    frame[h++] = 0x80 | len;
  else if (len < 65536)
    {
      frame[h++] = 0x80 | 126;
      frame[h++] = len >> 8;
      frame[h++] = len & 0xff;
    }
  else
    {
      frame[h++] = 0x80 | 127;
      for (int i = 7; i >= 0; i--)
        frame[h++] = ((guint64) len >> (8 * i)) & 0xff;
    }
  memcpy (frame + h, mask, 4);
  h += 4;
  for (gsize i = 0; i < len; i++)
    frame[h + i] = payload[i] ^ mask[i & 3];
  conn_write (conn, (const char *) frame, h + len);
  if (frame != stack)
    g_free (frame);
}

static void
conn_send_text (Conn *conn, const char *text)
{
  conn_send_frame (conn, 0x1, text, strlen (text));
}

/* The Engine.IO text of a Socket.IO packet on namespace "/" (transfer full). */
static char *
eio_message_for (BeaconSioPacket *sio)
{
  g_autofree char            *sio_text = beacon_sio_encode (sio);
  g_autoptr (BeaconEioPacket) eio = beacon_eio_packet_new (BEACON_EIO_MESSAGE, sio_text);

  return beacon_eio_encode_text (eio);
}

static char *
eio_event_text (const char *name, JsonNode *arg /* transfer full, nullable */)
{
  g_autoptr (BeaconSioPacket) sio = beacon_sio_packet_new_event ("/", -1, name, arg);

  return eio_message_for (sio);
}

static void
conn_emit_status (Conn *conn, const char *status)
{
  JsonObject      *object = json_object_new ();
  g_autofree char *tag = g_strdup_printf (TAG "%" G_GINT64_FORMAT, g_get_monotonic_time ());
  g_autofree char *text = NULL;

  json_object_set_string_member (object, "status", status);
  json_object_set_string_member (object, "message", tag);
  text = eio_event_text ("update_status", json_node_init_object (json_node_alloc (), object));
  json_object_unref (object);
  conn_send_text (conn, text);
}

/* ---------------------------------------------------------------------------------------
 * Connection life */

static void
bump_count (GHashTable *table, const char *key)
{
  gpointer old = g_hash_table_lookup (table, key);

  g_hash_table_insert (table, g_strdup (key), GUINT_TO_POINTER (GPOINTER_TO_UINT (old) + 1));
}

static void
conn_settle (Conn *conn, const char *error)
{
  Bench *bench = conn->bench;

  bench->in_flight--;
  bench->settled++;
  if (error)
    bump_count (bench->connect_errors, error);
  else
    bench->connected++;
}

static void
on_closed (uv_handle_t *handle)
{
}

static void
conn_close (Conn *conn, const char *reason)
{
  Bench *bench = conn->bench;

  if (conn->state == CONN_CLOSED)
    return;
  if (conn->state == CONN_CONNECTED)
    {
      if (!bench->reporting)
        bump_count (bench->disconnects, reason);
    }
  else if (conn->state != CONN_IDLE)
    conn_settle (conn, reason);
  conn->state = CONN_CLOSED;
  if (conn->handle_open)
    {
      uv_read_stop ((uv_stream_t *) &conn->tcp);
      uv_close ((uv_handle_t *) &conn->tcp, on_closed);
      conn->handle_open = FALSE;
    }
  g_clear_pointer (&conn->in, g_byte_array_unref);
  g_clear_pointer (&conn->fragment, g_byte_array_unref);
}

static void
on_snapshot_or_event (Conn *conn, BeaconSioPacket *sio)
{
  Bench      *bench = conn->bench;
  const char *name = beacon_sio_packet_get_event_name (sio);

  if (g_strcmp0 (name, "presence:connected") == 0)
    bench->snapshots++;
  else if (g_strcmp0 (name, "server:error") == 0)
    {
      JsonNode   *arg = beacon_sio_packet_get_arg (sio, 0);
      const char *code = "unknown";

      if (arg && JSON_NODE_HOLDS_OBJECT (arg))
        code = json_object_get_string_member_with_default (json_node_get_object (arg), "code",
                                                           "unknown");
      bump_count (bench->server_errors, code);
    }
  else if (g_strcmp0 (name, "presence_updated") == 0)
    {
      if (bench->churning)
        bench->other_updates++;
      else
        bench->ramp_updates++;
    }
}

/* A presence_updated frame: the tag is found without parsing the JSON (the only string value
 * starting with "bench " is the custom message), so that the loadgen stays lean. */
static void
on_presence_updated (Conn *conn, const char *text, gsize len)
{
  Bench      *bench = conn->bench;
  const char *at = g_strstr_len (text, len, TAG_IN_REC);
  gint64      sent_us, now_us;

  if (at == NULL)
    {
      if (bench->churning)
        bench->other_updates++;
      else
        bench->ramp_updates++;
      return;
    }
  sent_us = g_ascii_strtoll (at + strlen (TAG_IN_REC), NULL, 10);
  now_us = g_get_monotonic_time ();
  bench->received++;
  {
    guint32 latency = (guint32) CLAMP (now_us - sent_us, 0, G_MAXUINT32);

    g_array_append_val (bench->latencies_us, latency);
  }
}

static void
on_engine_open (Conn *conn, const char *json, gsize len)
{
  g_autoptr (JsonNode)        open = beacon_json_parse (json, len, NULL);
  g_autoptr (BeaconSioPacket) connect = NULL;
  g_autofree char            *text = NULL;
  JsonObject                 *auth;

  if (open && JSON_NODE_HOLDS_OBJECT (open))
    {
      JsonObject *object = json_node_get_object (open);

      conn->dead_after_us =
          1000 * (json_object_get_int_member_with_default (object, "pingInterval", 25000) +
                  json_object_get_int_member_with_default (object, "pingTimeout", 20000));
    }
  conn->last_ping_us = g_get_monotonic_time ();
  auth = json_object_new ();
  json_object_set_string_member (auth, "token", conn->token);
  connect = beacon_sio_packet_new (BEACON_SIO_CONNECT, "/", -1,
                                   json_node_init_object (json_node_alloc (), auth));
  json_object_unref (auth);
  text = eio_message_for (connect);
  conn_send_text (conn, text);
}

static void
on_text (Conn *conn, const char *text, gsize len)
{
  Bench                      *bench = conn->bench;
  g_autoptr (BeaconEioPacket) eio = NULL;
  const char                 *data;
  gsize                       data_len;

  /* The hot path first: a presence_updated event, decoded by hand. */
  if (len > 22 && memcmp (text, "42[\"presence_updated\"", 21) == 0)
    {
      on_presence_updated (conn, text, len);
      return;
    }
  eio = beacon_eio_decode_text (text, len, NULL);
  if (eio == NULL || eio->binary)
    return;
  data = beacon_eio_packet_get_text (eio, &data_len);
  switch (eio->type)
    {
    case BEACON_EIO_PING:
      conn->last_ping_us = g_get_monotonic_time ();
      conn_send_frame (conn, 0x1, g_bytes_get_data (bench->pong_frame, NULL),
                       g_bytes_get_size (bench->pong_frame));
      break;
    case BEACON_EIO_OPEN: on_engine_open (conn, data, data_len); break;
    case BEACON_EIO_CLOSE: conn_close (conn, "transport close"); break;
    case BEACON_EIO_MESSAGE:
      {
        g_autoptr (BeaconSioPacket) sio = beacon_sio_decode (data, data_len, NULL);

        if (sio == NULL)
          break;
        switch (sio->type)
          {
          case BEACON_SIO_CONNECT:
            if (conn->state == CONN_JOINING)
              {
                conn->state = CONN_CONNECTED;
                conn->was_connected = TRUE;
                conn_settle (conn, NULL);
              }
            break;
          case BEACON_SIO_CONNECT_ERROR:
            {
              const char *code = "connect_error";

              if (sio->data && JSON_NODE_HOLDS_OBJECT (sio->data))
                {
                  JsonObject *object = json_node_get_object (sio->data);
                  JsonObject *inner =
                      json_object_has_member (object, "data") &&
                              JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "data"))
                          ? json_object_get_object_member (object, "data")
                          : NULL;

                  if (inner && json_object_has_member (inner, "code"))
                    code = json_object_get_string_member_with_default (inner, "code", code);
                }
              conn_close (conn, code);
              break;
            }
          case BEACON_SIO_DISCONNECT: conn_close (conn, "io server disconnect"); break;
          case BEACON_SIO_EVENT: on_snapshot_or_event (conn, sio); break;
          default: break;
          }
        break;
      }
    default: break;
    }
}

/* Consumes whole frames from data; returns how many bytes were used. */
static gsize
parse_frames (Conn *conn, const guint8 *data, gsize len)
{
  gsize used = 0;

  while (conn->state != CONN_CLOSED && len - used >= 2)
    {
      const guint8 *p = data + used;
      gsize         avail = len - used;
      gboolean      fin = p[0] & 0x80;
      guint8        opcode = p[0] & 0x0f;
      gboolean      masked = p[1] & 0x80;
      guint64       plen = p[1] & 0x7f;
      gsize         h = 2;
      guint8       *payload;

      if (plen == 126)
        {
          if (avail < 4)
            break;
          plen = (p[2] << 8) | p[3];
          h = 4;
        }
      else if (plen == 127)
        {
          if (avail < 10)
            break;
          plen = 0;
          for (int i = 0; i < 8; i++)
            plen = (plen << 8) | p[2 + i];
          h = 10;
        }
      if (masked)
        h += 4;
      if (plen > 16 * 1024 * 1024)
        {
          conn_close (conn, "frame too large");
          break;
        }
      if (avail < h + plen)
        break;
      payload = (guint8 *) p + h;
      if (masked)
        for (gsize i = 0; i < plen; i++)
          payload[i] ^= p[h - 4 + (i & 3)];
      used += h + plen;

      switch (opcode)
        {
        case 0x0: /* continuation */
          if (conn->fragment == NULL)
            break;
          g_byte_array_append (conn->fragment, payload, plen);
          if (fin)
            {
              g_autoptr (GByteArray) whole = g_steal_pointer (&conn->fragment);

              on_text (conn, (const char *) whole->data, whole->len);
            }
          break;
        case 0x1:
          if (fin)
            on_text (conn, (const char *) payload, plen);
          else
            {
              g_clear_pointer (&conn->fragment, g_byte_array_unref);
              conn->fragment = g_byte_array_new ();
              g_byte_array_append (conn->fragment, payload, plen);
            }
          break;
        case 0x8: conn_close (conn, "transport close"); break;
        case 0x9: conn_send_frame (conn, 0xA, (const char *) payload, plen); break;
        default: break;
        }
    }
  return used;
}

/* Consumes the HTTP response to the upgrade; returns the bytes used, or 0 when incomplete. */
static gsize
parse_handshake (Conn *conn, const guint8 *data, gsize len)
{
  const char           *end = g_strstr_len ((const char *) data, len, "\r\n\r\n");
  g_autofree char      *head = NULL;
  g_autofree char      *expected = NULL;
  g_autoptr (GChecksum) sha1 = NULL;
  guint8                digest[20];
  gsize                 digest_len = sizeof digest;

  if (end == NULL)
    {
      if (len > 8192)
        conn_close (conn, "websocket error: bad response");
      return 0;
    }
  head = g_ascii_strdown ((const char *) data, end - (const char *) data);
  if (!g_str_has_prefix (head, "http/1.1 101"))
    {
      char reason[64];

      g_snprintf (reason, sizeof reason, "websocket error: %.12s", head + MIN (9, strlen (head)));
      conn_close (conn, reason);
      return 0;
    }
  sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sha1, (const guchar *) conn->ws_key, strlen (conn->ws_key));
  g_checksum_update (sha1, (const guchar *) WS_GUID, strlen (WS_GUID));
  g_checksum_get_digest (sha1, digest, &digest_len);
  expected = g_base64_encode (digest, digest_len);
  {
    g_autofree char *lower = g_ascii_strdown (expected, -1);
    g_autofree char *line = g_strconcat ("\r\nsec-websocket-accept: ", lower, NULL);

    if (strstr (head, line) == NULL)
      {
        conn_close (conn, "websocket error: bad accept");
        return 0;
      }
  }
  conn->state = CONN_JOINING;
  return end + 4 - (const char *) data;
}

static void
consume (Conn *conn, const guint8 *data, gsize len)
{
  gsize used = 0;

  if (conn->state == CONN_HANDSHAKE)
    {
      used = parse_handshake (conn, data, len);
      if (conn->state == CONN_HANDSHAKE || conn->state == CONN_CLOSED)
        {
          if (conn->state == CONN_HANDSHAKE && conn->in == NULL)
            {
              conn->in = g_byte_array_new ();
              g_byte_array_append (conn->in, data, len);
            }
          return;
        }
    }
  used += parse_frames (conn, data + used, len - used);
  if (conn->state == CONN_CLOSED)
    return;
  if (used < len)
    {
      if (conn->in == NULL)
        conn->in = g_byte_array_new ();
      g_byte_array_append (conn->in, data + used, len - used);
    }
}

static guint8 read_buffer[READ_SIZE];

static void
on_alloc (uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
  *buf = uv_buf_init ((char *) read_buffer, sizeof read_buffer);
}

static void
on_read (uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
  Conn *conn = stream->data;

  if (nread < 0)
    {
      conn_close (conn, nread == UV_EOF ? "transport close" : "transport error");
      return;
    }
  if (nread == 0)
    return;
  if (conn->in && conn->in->len > 0)
    {
      g_autoptr (GByteArray) pending = g_steal_pointer (&conn->in);

      g_byte_array_append (pending, (const guint8 *) buf->base, nread);
      consume (conn, pending->data, pending->len);
    }
  else
    {
      g_clear_pointer (&conn->in, g_byte_array_unref);
      consume (conn, (const guint8 *) buf->base, nread);
    }
}

static void
on_connect (uv_connect_t *req, int status)
{
  Conn            *conn = req->data;
  Bench           *bench = conn->bench;
  guint8           raw_key[16];
  g_autofree char *key = NULL;
  g_autofree char *request = NULL;

  if (conn->state == CONN_CLOSED)
    return;
  if (status < 0)
    {
      char reason[96];

      g_snprintf (reason, sizeof reason, "websocket error: %s", uv_err_name (status));
      conn_close (conn, reason);
      return;
    }
  for (guint i = 0; i < sizeof raw_key; i++)
    raw_key[i] = g_random_int_range (0, 256);
  key = g_base64_encode (raw_key, sizeof raw_key);
  g_strlcpy (conn->ws_key, key, sizeof conn->ws_key);
  request = g_strdup_printf ("GET %s?EIO=4&transport=websocket HTTP/1.1\r\n"
                             "Host: %s:%d\r\n"
                             "Upgrade: websocket\r\n"
                             "Connection: Upgrade\r\n"
                             "Sec-WebSocket-Key: %s\r\n"
                             "Sec-WebSocket-Version: 13\r\n"
                             "\r\n",
                             bench->path, bench->host, bench->port, key);
  conn->state = CONN_HANDSHAKE;
  uv_tcp_nodelay (&conn->tcp, 1);
  if (uv_read_start ((uv_stream_t *) &conn->tcp, on_alloc, on_read) < 0)
    {
      conn_close (conn, "websocket error: read");
      return;
    }
  conn_write (conn, request, strlen (request));
}

static void
conn_open (Conn *conn, const struct sockaddr_in *local)
{
  Bench *bench = conn->bench;
  int    r;

  conn->state = CONN_TCP;
  conn->started_us = g_get_monotonic_time ();
  bench->in_flight++;
  if ((r = uv_tcp_init (bench->loop, &conn->tcp)) < 0)
    goto fail;
  conn->handle_open = TRUE;
  conn->tcp.data = conn;
  conn->connect_req.data = conn;
  if ((r = uv_tcp_bind (&conn->tcp, (const struct sockaddr *) local, 0)) < 0 ||
      (r = uv_tcp_connect (&conn->connect_req, &conn->tcp,
                           (const struct sockaddr *) &bench->server_addr, on_connect)) < 0)
    goto fail;
  return;

fail:
  {
    char reason[96];

    g_snprintf (reason, sizeof reason, "websocket error: %s", uv_err_name (r));
    conn_close (conn, reason);
  }
}

/* ---------------------------------------------------------------------------------------
 * Phases: ramp -> settle -> idle -> churn -> drain -> report */

static void log_progress (Bench *bench, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
log_progress (Bench *bench, const char *format, ...)
{
  va_list          args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "[bench-load %.1fs] %s\n", (g_get_monotonic_time () - bench->t0_us) / 1e6, text);
}

static void phase_settle (Bench *bench);

/* Connect timeouts and ping timeouts, once a second. */
static void
on_sweep (uv_timer_t *timer)
{
  Bench *bench = timer->data;
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < bench->n; i++)
    {
      Conn *conn = &bench->conns[i];

      if (conn->state == CONN_CONNECTED && now - conn->last_ping_us > conn->dead_after_us)
        conn_close (conn, "ping timeout");
      else if (conn->state > CONN_IDLE && conn->state < CONN_CONNECTED &&
               now - conn->started_us > (gint64) bench->connect_timeout_ms * 1000)
        conn_close (conn, "timeout");
    }
}

static void
on_ramp_tick (uv_timer_t *timer)
{
  Bench *bench = timer->data;
  double elapsed_s = (g_get_monotonic_time () - bench->ramp_started_us) / 1e6;
  guint  due = MIN (bench->n, (guint) floor (bench->connect_rate * elapsed_s) + 1);

  while (bench->next < due && bench->in_flight < bench->concurrency)
    {
      Conn *conn = &bench->conns[bench->next];

      conn_open (conn, &g_array_index (bench->local_addrs, struct sockaddr_in,
                                       bench->next % bench->local_addrs->len));
      bench->next++;
    }
  if (bench->settled == bench->n)
    {
      uv_timer_stop (&bench->ramp_timer);
      bench->ramp_s = (g_get_monotonic_time () - bench->ramp_started_us) / 1e6;
      bench->cpu_ramp = proc_cpu_seconds (bench->server_pid);
      log_progress (bench, "ramp done in %.1f s: %u connected, %u failed", bench->ramp_s,
                    bench->connected, bench->n - bench->connected);
      phase_settle (bench);
    }
}

/* One heartbeat per connected socket every heartbeat_ms, spread evenly over time. */
static void
on_heartbeat_tick (uv_timer_t *timer)
{
  Bench *bench = timer->data;

  bench->heartbeat_credit += bench->n * 100.0 / bench->heartbeat_ms;
  for (; bench->heartbeat_credit >= 1; bench->heartbeat_credit -= 1)
    {
      Conn *conn = &bench->conns[bench->heartbeat_cursor];

      bench->heartbeat_cursor = (bench->heartbeat_cursor + 1) % bench->n;
      if (conn->state == CONN_CONNECTED)
        conn_send_frame (conn, 0x1, g_bytes_get_data (bench->heartbeat_frame, NULL),
                         g_bytes_get_size (bench->heartbeat_frame));
    }
}

static void phase_idle (uv_timer_t *timer);
static void phase_churn (uv_timer_t *timer);
static void phase_churn_end (uv_timer_t *timer);
static void on_drain_tick (uv_timer_t *timer);

static void
phase_settle (Bench *bench)
{
  if (bench->heartbeat_ms > 0)
    uv_timer_start (&bench->heartbeat_timer, on_heartbeat_tick, 100, 100);
  uv_timer_start (&bench->phase_timer, phase_idle, bench->settle_ms, 0);
}

static void
phase_idle (uv_timer_t *timer)
{
  Bench *bench = timer->data;

  bench->mem_connected = proc_memory (bench->server_pid);
  bench->cpu_idle0 = proc_cpu_seconds (bench->server_pid);
  bench->idle_wall_s = g_get_monotonic_time () / 1e6;
  uv_timer_start (&bench->phase_timer, phase_churn, bench->idle_s * 1000, 0);
}

static void
on_churn_tick (uv_timer_t *timer)
{
  Bench  *bench = timer->data;
  double  elapsed_ms = (g_get_monotonic_time () - bench->churn_started_us) / 1e3;
  guint64 due;

  /* The churn's end timer may fire a little early by the monotonic clock: it sends the rest. */
  if (elapsed_ms > bench->duration_s * 1000 || !uv_is_active ((uv_handle_t *) timer))
    elapsed_ms = bench->duration_s * 1000;
  due = (guint64) floor (bench->rate * elapsed_ms / 1000);

  while (bench->sent < due && bench->pool->len > 0)
    {
      guint pick = g_random_int_range (0, bench->pool->len);
      Conn *conn = &bench->conns[g_array_index (bench->pool, guint, pick)];

      if (conn->state != CONN_CONNECTED)
        {
          g_array_remove_index_fast (bench->pool, pick); /* gone meanwhile: draw again */
          continue;
        }
      conn->flip = !conn->flip;
      conn_emit_status (conn, bench->statuses[conn->flip ? 0 : 1]);
      bench->sent++;
      bench->expected += conn->expected;
    }
}

static void
phase_churn (uv_timer_t *timer)
{
  Bench *bench = timer->data;

  bench->cpu_idle1 = proc_cpu_seconds (bench->server_pid);
  bench->idle_wall_s = g_get_monotonic_time () / 1e6 - bench->idle_wall_s;

  /* Expected deliveries: every contact connected after the ramp gets each change. */
  bench->pool = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < bench->n; i++)
    {
      Conn *conn = &bench->conns[i];

      if (conn->state != CONN_CONNECTED)
        continue;
      conn->expected = 0;
      for (guint c = 0; c < conn->n_contacts; c++)
        if (bench->conns[conn->contacts[c]].state == CONN_CONNECTED)
          conn->expected++;
      g_array_append_val (bench->pool, i);
    }
  log_progress (bench, "churn: %.0f/s for %.0f s", bench->rate, bench->duration_s);
  bench->churning = TRUE;
  bench->cpu_churn0 = proc_cpu_seconds (bench->server_pid);
  bench->self_cpu0 = self_cpu_seconds ();
  bench->churn_started_us = g_get_monotonic_time ();
  uv_timer_start (&bench->churn_timer, on_churn_tick, 1, 1);
  uv_timer_start (&bench->phase_timer, phase_churn_end, bench->duration_s * 1000, 0);
}

static void
phase_churn_end (uv_timer_t *timer)
{
  Bench *bench = timer->data;

  uv_timer_stop (&bench->churn_timer);
  on_churn_tick (&bench->churn_timer); /* the last due events */
  bench->churn_wall_s = (g_get_monotonic_time () - bench->churn_started_us) / 1e6;
  bench->cpu_churn1 = proc_cpu_seconds (bench->server_pid);
  bench->self_cpu1 = self_cpu_seconds ();
  bench->drain_started_us = g_get_monotonic_time ();
  uv_timer_start (&bench->phase_timer, on_drain_tick, 0, 250);
}

static void
on_drain_tick (uv_timer_t *timer)
{
  Bench *bench = timer->data;

  if (bench->received < bench->expected &&
      g_get_monotonic_time () - bench->drain_started_us < (gint64) bench->drain_max_ms * 1000)
    return;
  uv_timer_stop (&bench->phase_timer);
  bench->drain_s = (g_get_monotonic_time () - bench->drain_started_us) / 1e6;
  bench->cpu_end = proc_cpu_seconds (bench->server_pid);
  bench->mem_churned = proc_memory (bench->server_pid);
  phase_report (bench);
}

static void
on_hard_timeout (uv_timer_t *timer)
{
  Bench *bench = timer->data;

  bench->aborted = g_strdup_printf ("hard timeout after %u s", bench->hard_timeout_s);
  log_progress (bench, "aborting: %s", bench->aborted);
  bench->exit_status = 2;
  if (bench->churning && bench->churn_wall_s == 0)
    {
      bench->churn_wall_s = (g_get_monotonic_time () - bench->churn_started_us) / 1e6;
      bench->cpu_churn1 = proc_cpu_seconds (bench->server_pid);
      bench->self_cpu1 = self_cpu_seconds ();
    }
  bench->mem_churned = proc_memory (bench->server_pid);
  phase_report (bench);
}

/* ---------------------------------------------------------------------------------------
 * Report */

static int
compare_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile in ms, or NAN without samples. */
static double
percentile_ms (GArray *sorted, double p)
{
  gsize rank;

  if (sorted->len == 0)
    return NAN;
  rank = MAX (1, (gsize) ceil (p / 100 * sorted->len));
  return g_array_index (sorted, guint32, rank - 1) / 1000.0;
}

static void
add_number (JsonBuilder *b, const char *name, double value, int digits)
{
  json_builder_set_member_name (b, name);
  if (isnan (value) || isinf (value))
    json_builder_add_null_value (b);
  else
    {
      double scale = pow (10, digits);

      json_builder_add_double_value (b, round (value * scale) / scale);
    }
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_counts (JsonBuilder *b, const char *name, GHashTable *table)
{
  GHashTableIter iter;
  gpointer       key, value;

  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    add_int (b, key, GPOINTER_TO_UINT (value));
  json_builder_end_object (b);
}

static double
mib (gint64 kib)
{
  return kib < 0 ? NAN : kib / 1024.0;
}

static double
cpu_delta (double a, double b)
{
  return a < 0 || b < 0 ? NAN : b - a;
}

static char *
format_counts (GHashTable *table)
{
  GString       *out = g_string_new (NULL);
  GHashTableIter iter;
  gpointer       key, value;

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (out, "%s%s=%u", out->len ? ", " : "", (char *) key,
                            GPOINTER_TO_UINT (value));
  if (out->len == 0)
    g_string_append (out, "none");
  return g_string_free (out, FALSE);
}

static void
close_all (Bench *bench)
{
  for (guint i = 0; i < bench->n; i++)
    {
      Conn *conn = &bench->conns[i];

      if (conn->state == CONN_IDLE)
        conn->state = CONN_CLOSED;
      else if (conn->state != CONN_CLOSED)
        conn_close (conn, "closed by the loadgen");
    }
  uv_close ((uv_handle_t *) &bench->ramp_timer, NULL);
  uv_close ((uv_handle_t *) &bench->sweep_timer, NULL);
  uv_close ((uv_handle_t *) &bench->heartbeat_timer, NULL);
  uv_close ((uv_handle_t *) &bench->phase_timer, NULL);
  uv_close ((uv_handle_t *) &bench->churn_timer, NULL);
  uv_close ((uv_handle_t *) &bench->hard_timer, NULL);
}

static void
phase_report (Bench *bench)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;
  g_autofree char        *json = NULL;
  g_autofree char        *errors_text = NULL;
  g_autofree char        *disconnects_text = NULL;
  g_autofree char        *server_errors_text = NULL;
  guint                   still = 0;
  double rss_per_conn = NAN, cpu_churn, ratio, us_per_delivery, self_pct, p50, p90, p99, p999,
         max_ms = NAN, mean_ms = NAN;

  bench->reporting = TRUE;
  bench->churning = FALSE;
  uv_timer_stop (&bench->hard_timer);
  uv_timer_stop (&bench->phase_timer);
  uv_timer_stop (&bench->churn_timer);
  uv_timer_stop (&bench->ramp_timer);
  for (guint i = 0; i < bench->n; i++)
    if (bench->conns[i].state == CONN_CONNECTED)
      still++;

  g_array_sort (bench->latencies_us, compare_u32);
  p50 = percentile_ms (bench->latencies_us, 50);
  p90 = percentile_ms (bench->latencies_us, 90);
  p99 = percentile_ms (bench->latencies_us, 99);
  p999 = percentile_ms (bench->latencies_us, 99.9);
  if (bench->latencies_us->len > 0)
    {
      double sum = 0;

      for (guint i = 0; i < bench->latencies_us->len; i++)
        sum += g_array_index (bench->latencies_us, guint32, i);
      mean_ms = sum / bench->latencies_us->len / 1000;
      max_ms = g_array_index (bench->latencies_us, guint32, bench->latencies_us->len - 1) / 1000.0;
    }
  if (bench->mem_before.rss_kib >= 0 && bench->mem_connected.rss_kib >= 0 && bench->connected)
    rss_per_conn =
        (double) (bench->mem_connected.rss_kib - bench->mem_before.rss_kib) / bench->connected;
  cpu_churn = cpu_delta (bench->cpu_churn0, bench->cpu_churn1);
  ratio = bench->expected ? (double) bench->received / bench->expected : NAN;
  us_per_delivery = bench->received ? cpu_churn * 1e6 / bench->received : NAN;
  self_pct = bench->churn_wall_s > 0
                 ? 100 * (bench->self_cpu1 - bench->self_cpu0) / bench->churn_wall_s
                 : NAN;
  errors_text = format_counts (bench->connect_errors);
  disconnects_text = format_counts (bench->disconnects);
  server_errors_text = format_counts (bench->server_errors);

  printf ("bench-load: %s, %s:%d%s\n", bench->label ? bench->label : "(no label)", bench->host,
          bench->port, bench->path);
  printf ("  N=%u (mean contacts %.2f), R=%.0f/s, D=%.0f s%s%s\n", bench->n,
          bench->k_mean_x1000 / 1000.0, bench->rate, bench->duration_s,
          bench->aborted ? ", ABORTED: " : "", bench->aborted ? bench->aborted : "");
  printf ("  held connections      %u of %u (ramp %.1f s; failures: %s)\n", still, bench->connected,
          bench->ramp_s, errors_text);
  printf ("  server RSS            %.1f MiB before, %.1f after connect, %.1f after churn, "
          "peak %.1f\n",
          mib (bench->mem_before.rss_kib), mib (bench->mem_connected.rss_kib),
          mib (bench->mem_churned.rss_kib), mib (bench->mem_churned.hwm_kib));
  printf ("  server RSS/connection %.2f KiB\n", rss_per_conn);
  printf ("  server CPU            %.1f %% idle, %.1f %% in churn; %.2f µs per delivered event\n",
          bench->idle_wall_s > 0
              ? 100 * cpu_delta (bench->cpu_idle0, bench->cpu_idle1) / bench->idle_wall_s
              : NAN,
          bench->churn_wall_s > 0 ? 100 * cpu_churn / bench->churn_wall_s : NAN, us_per_delivery);
  printf ("  churn                 %" G_GUINT64_FORMAT " changes sent (%.1f/s)\n", bench->sent,
          bench->churn_wall_s > 0 ? bench->sent / bench->duration_s : 0.0);
  printf ("  delivery              %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
          " expected, ratio %.4f (drain %.2f s)\n",
          bench->received, bench->expected, ratio, bench->drain_s);
  printf ("  fan-out latency ms    p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f\n",
          p50, p90, p99, p999, max_ms, mean_ms);
  printf (
      "  disconnects           %s; server errors: %s; other presence_updated: %" G_GUINT64_FORMAT
      "\n",
      disconnects_text, server_errors_text, bench->other_updates);
  printf ("  loadgen CPU           %.1f %% of one core in churn\n", self_pct);

  /* The JSON line: the Node loadgen's keys (load/summary.js and load/table.js read it). */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, bench->label ? bench->label : "");
  json_builder_set_member_name (b, "target");
  {
    g_autofree char *target =
        g_strdup_printf ("http://%s:%d%s", bench->host, bench->port, bench->path);
    json_builder_add_string_value (b, target);
  }
  json_builder_set_member_name (b, "aborted");
  if (bench->aborted)
    json_builder_add_string_value (b, bench->aborted);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "config");
  json_builder_begin_object (b);
  add_int (b, "n", bench->n);
  json_builder_set_member_name (b, "client");
  json_builder_add_string_value (b, "c-raw");
  add_int (b, "workers", 1);
  add_number (b, "k_mean", bench->k_mean_x1000 / 1000.0, 3);
  add_number (b, "rate_per_s", bench->rate, 1);
  add_number (b, "duration_s", bench->duration_s, 1);
  add_number (b, "connect_rate_per_s", bench->connect_rate, 1);
  add_int (b, "heartbeat_ms", bench->heartbeat_ms);
  add_int (b, "local_addresses", bench->local_addrs->len);
  add_int (b, "hard_timeout_s", bench->hard_timeout_s);
  json_builder_end_object (b);
  add_int (b, "connected", bench->connected);
  add_int (b, "connect_failures", bench->n - bench->connected);
  add_counts (b, "connect_errors", bench->connect_errors);
  add_number (b, "ramp_s", bench->ramp_s, 2);
  json_builder_set_member_name (b, "server");
  json_builder_begin_object (b);
  add_int (b, "pid", bench->server_pid);
  json_builder_set_member_name (b, "rss_mib");
  json_builder_begin_object (b);
  add_number (b, "before", mib (bench->mem_before.rss_kib), 1);
  add_number (b, "after_connect", mib (bench->mem_connected.rss_kib), 1);
  add_number (b, "after_churn", mib (bench->mem_churned.rss_kib), 1);
  add_number (b, "peak", mib (bench->mem_churned.hwm_kib), 1);
  json_builder_end_object (b);
  add_number (b, "rss_per_connection_kib", rss_per_conn, 2);
  add_number (b, "cpu_s_ramp", cpu_delta (bench->cpu_start, bench->cpu_ramp), 2);
  add_number (b, "cpu_pct_idle",
              bench->idle_wall_s > 0
                  ? 100 * cpu_delta (bench->cpu_idle0, bench->cpu_idle1) / bench->idle_wall_s
                  : NAN,
              1);
  add_number (b, "cpu_s_churn", cpu_churn, 2);
  add_number (b, "cpu_pct_churn",
              bench->churn_wall_s > 0 ? 100 * cpu_churn / bench->churn_wall_s : NAN, 1);
  add_number (b, "cpu_s_drain", cpu_delta (bench->cpu_churn1, bench->cpu_end), 2);
  add_number (b, "cpu_us_per_delivery", us_per_delivery, 3);
  json_builder_end_object (b);
  add_int (b, "snapshots_received", bench->snapshots);
  json_builder_set_member_name (b, "churn");
  json_builder_begin_object (b);
  add_int (b, "events_sent", bench->sent);
  add_number (b, "rate_achieved_per_s", bench->sent / bench->duration_s, 1);
  add_int (b, "deliveries_received", bench->received);
  add_int (b, "deliveries_expected", bench->expected);
  add_number (b, "delivery_ratio", ratio, 4);
  add_number (b, "drain_s", bench->drain_s, 2);
  json_builder_set_member_name (b, "latency_ms");
  json_builder_begin_object (b);
  add_int (b, "samples", bench->latencies_us->len);
  add_number (b, "mean", mean_ms, 3);
  add_number (b, "p50", p50, 3);
  add_number (b, "p90", p90, 3);
  add_number (b, "p99", p99, 3);
  add_number (b, "p999", p999, 3);
  add_number (b, "max", max_ms, 3);
  json_builder_end_object (b);
  add_int (b, "other_presence_updates", bench->other_updates);
  add_counts (b, "server_errors", bench->server_errors);
  add_counts (b, "disconnects", bench->disconnects);
  add_int (b, "still_connected", still);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "loadgen");
  json_builder_begin_object (b);
  add_number (b, "cpu_pct_churn_total", self_pct, 1);
  add_number (b, "rss_mib", mib (proc_memory (getpid ()).rss_kib), 1);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json = beacon_json_to_string (root);
  printf ("%s\n", json);
  fflush (stdout);

  close_all (bench);
}

/* ---------------------------------------------------------------------------------------
 * Input: the graph and tokens that load/gen-graph.js writes */

static gboolean
parse_addresses (Bench *bench, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (bench->local_spec, ",", 0);

  bench->local_addrs = g_array_new (FALSE, TRUE, sizeof (struct sockaddr_in));
  for (guint i = 0; parts[i]; i++)
    {
      g_auto (GStrv) range = g_strsplit (g_strstrip (parts[i]), "-", 2);
      struct sockaddr_in from, to;
      guint32            a, z;

      if (uv_ip4_addr (range[0], 0, &from) < 0 ||
          uv_ip4_addr (range[1] ? range[1] : range[0], 0, &to) < 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad address \"%s\"",
                       parts[i]);
          return FALSE;
        }
      a = g_ntohl (from.sin_addr.s_addr);
      z = g_ntohl (to.sin_addr.s_addr);
      for (guint32 x = a; x <= z; x++)
        {
          struct sockaddr_in addr = from;

          if ((x >> 24) != 127)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "not a loopback address in \"%s\"", parts[i]);
              return FALSE;
            }
          addr.sin_addr.s_addr = g_htonl (x);
          g_array_append_val (bench->local_addrs, addr);
        }
    }
  if (bench->local_addrs->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "no local addresses");
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
read_json_file (const char *path, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

static char *
id_string (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  return NULL;
}

static gboolean
load_inputs (Bench *bench, GError **error)
{
  g_autoptr (JsonNode)   tokens = NULL;
  g_autoptr (JsonNode)   graph = NULL;
  g_autoptr (GHashTable) index_of = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray)  contact_sets = NULL;
  JsonArray             *array;
  JsonObject            *object;
  JsonObjectIter         iter;
  const char            *member;
  JsonNode              *value;
  guint64                degree = 0;

  if (!(tokens = read_json_file (bench->tokens_path, error)) ||
      !(graph = read_json_file (bench->graph_path, error)))
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (tokens) || !JSON_NODE_HOLDS_OBJECT (graph))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "tokens must be [{\"id\",\"token\"}] and the graph {id: [ids]}");
      return FALSE;
    }
  array = json_node_get_array (tokens);
  if (bench->n == 0 || bench->n > json_array_get_length (array))
    bench->n = json_array_get_length (array);
  bench->conns = g_new0 (Conn, bench->n);
  contact_sets = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  for (guint i = 0; i < bench->n; i++)
    {
      JsonNode   *entry = json_array_get_element (array, i);
      JsonObject *t = JSON_NODE_HOLDS_OBJECT (entry) ? json_node_get_object (entry) : NULL;
      Conn       *conn = &bench->conns[i];

      if (t == NULL || !json_object_has_member (t, "id") || !json_object_has_member (t, "token") ||
          (conn->id = id_string (json_object_get_member (t, "id"))) == NULL)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "bad token entry %u", i);
          return FALSE;
        }
      conn->token = g_strdup (json_object_get_string_member (t, "token"));
      conn->bench = bench;
      conn->index = i;
      conn->dead_after_us = 45 * G_USEC_PER_SEC;
      g_hash_table_insert (index_of, conn->id, GUINT_TO_POINTER (i + 1));
      g_ptr_array_add (contact_sets, g_hash_table_new (NULL, NULL));
    }

  /* Friendship is mutual: make the lists symmetric, as the servers do. */
  object = json_node_get_object (graph);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &value))
    {
      guint      a = GPOINTER_TO_UINT (g_hash_table_lookup (index_of, member));
      JsonArray *list;

      if (a == 0 || !JSON_NODE_HOLDS_ARRAY (value))
        continue;
      list = json_node_get_array (value);
      for (guint j = 0; j < json_array_get_length (list); j++)
        {
          g_autofree char *other = id_string (json_array_get_element (list, j));
          guint            z = other ? GPOINTER_TO_UINT (g_hash_table_lookup (index_of, other)) : 0;

          if (z == 0 || z == a)
            continue;
          g_hash_table_add (contact_sets->pdata[a - 1], GUINT_TO_POINTER (z));
          g_hash_table_add (contact_sets->pdata[z - 1], GUINT_TO_POINTER (a));
        }
    }
  for (guint i = 0; i < bench->n; i++)
    {
      GHashTable    *set = contact_sets->pdata[i];
      Conn          *conn = &bench->conns[i];
      GHashTableIter it;
      gpointer       key;
      guint          c = 0;

      conn->n_contacts = g_hash_table_size (set);
      conn->contacts = g_new (guint, MAX (1, conn->n_contacts));
      g_hash_table_iter_init (&it, set);
      while (g_hash_table_iter_next (&it, &key, NULL))
        conn->contacts[c++] = GPOINTER_TO_UINT (key) - 1;
      degree += conn->n_contacts;
    }
  bench->k_mean_x1000 = bench->n ? degree * 1000 / bench->n : 0;
  return TRUE;
}

/* ---------------------------------------------------------------------------------------
 * main */

int
main (int argc, char **argv)
{
  Bench                     *bench = &bench_singleton;
  g_autoptr (GError)         error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autofree char           *statuses = NULL;
  int                        n = 0;
  int connect_timeout_ms = 20000, heartbeat_ms = 25000, settle_ms = 3000, idle_s = 5,
      drain_max_ms = 10000, hard_timeout_s = 0, concurrency = 200;
  GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &bench->host, "Server address [127.0.0.1]", "IPV4" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &bench->port, "Server port [3000]", "PORT" },
    { "path", 0, 0, G_OPTION_ARG_STRING, &bench->path, "Socket.IO path [/api/socket/]", "PATH" },
    { "graph", 'g', 0, G_OPTION_ARG_FILENAME, &bench->graph_path, "graph.json of gen-graph.js",
      "FILE" },
    { "tokens", 't', 0, G_OPTION_ARG_FILENAME, &bench->tokens_path, "tokens.json of gen-graph.js",
      "FILE" },
    { "users", 'n', 0, G_OPTION_ARG_INT, &n, "Sockets to open [all tokens]", "N" },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &bench->rate, "Status changes per second [200]", "R" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &bench->duration_s, "Churn seconds [20]", "S" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &bench->server_pid, "Server PID for /proc readings",
      "PID" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &bench->label, "Label in the report", "TEXT" },
    { "local-addrs", 0, 0, G_OPTION_ARG_STRING, &bench->local_spec,
      "Source addresses, round-robin [127.0.0.2-127.0.0.50]", "LIST" },
    { "connect-rate", 0, 0, G_OPTION_ARG_DOUBLE, &bench->connect_rate,
      "New sockets per second [1000]", "N" },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency, "Handshakes in flight [200]", "N" },
    { "connect-timeout", 0, 0, G_OPTION_ARG_INT, &connect_timeout_ms, "[20000]", "MS" },
    { "heartbeat", 0, 0, G_OPTION_ARG_INT, &heartbeat_ms, "Heartbeat period, 0 = none [25000]",
      "MS" },
    { "settle", 0, 0, G_OPTION_ARG_INT, &settle_ms, "Wait after the ramp [3000]", "MS" },
    { "idle", 0, 0, G_OPTION_ARG_INT, &idle_s, "Idle window for idle CPU [5]", "S" },
    { "drain-max", 0, 0, G_OPTION_ARG_INT, &drain_max_ms, "Wait for late deliveries [10000]",
      "MS" },
    { "hard-timeout", 0, 0, G_OPTION_ARG_INT, &hard_timeout_s, "Give up after [derived]", "S" },
    { "statuses", 0, 0, G_OPTION_ARG_STRING, &statuses, "The two churn statuses [away,online]",
      "A,B" },
    { NULL },
  };

  setvbuf (stdout, NULL, _IOLBF, 0);
  bench->t0_us = g_get_monotonic_time ();
  bench->port = 3000;
  bench->rate = 200;
  bench->duration_s = 20;
  bench->connect_rate = 1000;
  context = g_option_context_new ("- presence benchmark load generator");
  g_option_context_set_summary (
      context, "Opens N Socket.IO sockets over WebSocket with the tokens of load/gen-graph.js,\n"
               "drives R status changes per second and prints a summary and a JSON line.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-load: %s\n", error->message);
      return 2;
    }
  if (bench->graph_path == NULL || bench->tokens_path == NULL)
    {
      fprintf (stderr, "bench-load: --graph and --tokens are required\n");
      return 2;
    }
  if (bench->host == NULL)
    bench->host = g_strdup ("127.0.0.1");
  if (bench->path == NULL)
    bench->path = g_strdup ("/api/socket/");
  if (bench->local_spec == NULL)
    bench->local_spec = g_strdup ("127.0.0.2-127.0.0.50");
  bench->statuses = g_strsplit (statuses ? statuses : "away,online", ",", 2);
  if (g_strv_length (bench->statuses) != 2)
    {
      fprintf (stderr, "bench-load: --statuses wants two statuses, A,B\n");
      return 2;
    }
  bench->n = MAX (n, 0);
  bench->concurrency = MAX (concurrency, 1);
  bench->connect_timeout_ms = connect_timeout_ms;
  bench->heartbeat_ms = MAX (heartbeat_ms, 0);
  bench->settle_ms = settle_ms;
  bench->idle_s = idle_s;
  bench->drain_max_ms = drain_max_ms;
  clk_tck = sysconf (_SC_CLK_TCK);
  if (clk_tck <= 0)
    clk_tck = 100;

  if (uv_ip4_addr (bench->host, bench->port, &bench->server_addr) < 0 ||
      (g_ntohl (bench->server_addr.sin_addr.s_addr) >> 24) != 127)
    {
      fprintf (stderr, "bench-load: --host must be an IPv4 loopback address\n");
      return 2;
    }
  if (!parse_addresses (bench, &error) || !load_inputs (bench, &error))
    {
      fprintf (stderr, "bench-load: %s\n", error->message);
      return 2;
    }
  bench->hard_timeout_s =
      hard_timeout_s > 0 ? (guint) hard_timeout_s
                         : (guint) ceil (bench->n / bench->connect_rate * 3 +
                                         connect_timeout_ms / 1000.0 + settle_ms / 1000.0 + idle_s +
                                         bench->duration_s + drain_max_ms / 1000.0 + 30);
  {
    g_autofree char            *pong = NULL;
    g_autofree char            *heartbeat = NULL;
    g_autoptr (BeaconEioPacket) packet = beacon_eio_packet_new (BEACON_EIO_PONG, NULL);

    pong = beacon_eio_encode_text (packet);
    heartbeat = eio_event_text ("heartbeat", NULL);
    bench->pong_frame = g_bytes_new (pong, strlen (pong));
    bench->heartbeat_frame = g_bytes_new (heartbeat, strlen (heartbeat));
  }
  bench->connect_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bench->server_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bench->disconnects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  bench->latencies_us = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 1 << 20);

  bench->loop = uv_default_loop ();
  uv_timer_init (bench->loop, &bench->ramp_timer);
  uv_timer_init (bench->loop, &bench->sweep_timer);
  uv_timer_init (bench->loop, &bench->heartbeat_timer);
  uv_timer_init (bench->loop, &bench->phase_timer);
  uv_timer_init (bench->loop, &bench->churn_timer);
  uv_timer_init (bench->loop, &bench->hard_timer);
  bench->ramp_timer.data = bench->sweep_timer.data = bench->heartbeat_timer.data =
      bench->phase_timer.data = bench->churn_timer.data = bench->hard_timer.data = bench;

  bench->mem_before = proc_memory (bench->server_pid);
  bench->cpu_start = proc_cpu_seconds (bench->server_pid);
  log_progress (bench, "ramping %u sockets to %s:%d%s from %u source addresses at %.0f/s", bench->n,
                bench->host, bench->port, bench->path, bench->local_addrs->len,
                bench->connect_rate);
  bench->ramp_started_us = g_get_monotonic_time ();
  uv_timer_start (&bench->ramp_timer, on_ramp_tick, 0, 5);
  uv_timer_start (&bench->sweep_timer, on_sweep, 1000, 1000);
  uv_timer_start (&bench->hard_timer, on_hard_timeout, (guint64) bench->hard_timeout_s * 1000, 0);
  uv_run (bench->loop, UV_RUN_DEFAULT);
  return bench->exit_status;
}
