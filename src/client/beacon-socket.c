/* beacon-socket.c: BeaconSocket, Socket.IO 4 over an Engine.IO v4 session (WebSocket, or
 * long-polling with upgrade): heartbeats, dead-server detection, namespaces, acks, queue,
 * reconnection. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "beacon-backoff.h"
#include "beacon-eio.h"
#include "beacon-json.h"
#include "beacon-sio.h"
#include "beacon-socket.h"

#define DEFAULT_PATH "/api/socket/"
/* A probe that has not become the session's transport by then is given up (the server's
 * upgradeTimeout). */
#define PROBE_TIMEOUT_MS 10000
/* Failed probes are tried again after a backoff delay up to this. */
#define PROBE_RETRY_MAX_MS 60000

G_DEFINE_ENUM_TYPE (BeaconSocketState,
                    beacon_socket_state,
                    G_DEFINE_ENUM_VALUE (BEACON_SOCKET_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (BEACON_SOCKET_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (BEACON_SOCKET_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (BEACON_SOCKET_STATE_RECONNECTING, "reconnecting"))

typedef struct
{
  JsonNode *auth;      /* nullable */
  gboolean  connected; /* CONNECT answered on this session */
  gboolean  failed;    /* CONNECT_ERROR: waits for a new join */
} Namespace;

typedef struct
{
  char *nsp;
  char *text; /* the encoded Socket.IO packet */
} Queued;

typedef struct
{
  BeaconSocket *self; /* unowned */
  gint64        id;
  GTask        *task;
  GSource      *timeout;
  GSource      *cancel;
} PendingAck;

struct _BeaconSocket
{
  GObject parent_instance;

  char                    *url;
  char                    *path;
  GHashTable              *headers; /* name -> value */
  SoupSession             *session;
  SoupWebsocketConnection *ws;
  GCancellable            *connecting;
  gboolean                 websocket_enabled; /* FALSE: long-polling only */
  gboolean                 polling;           /* a long-polling session is under way */
  char                    *sid;               /* its Engine.IO session id */
  GPtrArray               *outbox;            /* BeaconEioPacket waiting for a POST */
  gboolean                 posting;           /* one POST at a time, in order */
  gboolean                 getting;           /* the GET that brings the server's packets */

  /* Upgrade of a long-polling session (Engine.IO v4): a WebSocket with the same sid is
   * probed (2probe, 3probe); then polling pauses (no new GET or POST, the outstanding ones
   * return) and the session goes on over the WebSocket (5). */
  SoupWebsocketConnection *probe;
  GCancellable            *probing;     /* the probe's handshake */
  gboolean                 pausing;     /* the probe answered: polling winds down */
  guint                    probe_timer; /* the next probe, or the deadline of this one */
  BeaconBackoff            probe_backoff;
  BeaconSocketState        state;
  gboolean                 wanted; /* connect() called and no disconnect() since */

  GHashTable *namespaces; /* nsp -> Namespace */
  GQueue      queue;      /* Queued */
  GHashTable *acks;       /* &id -> PendingAck */
  gint64      next_ack;

  guint        ping_interval_ms;
  guint        ping_timeout_ms;
  gint64       last_ping_mono; /* µs */
  gint64       last_ping_real; /* µs, the clock's real time: advances across suspend */
  guint        dead_timer;     /* pingInterval + pingTimeout after the last ping */
  BeaconClock *clock;          /* its ticks (each minute, on resume) look at the real time */
  gulong       clock_handler;

  BeaconBackoff    backoff;
  guint            retry_source;
  guint            countdown_source;
  gint64           retry_at;      /* monotonic µs */
  gint64           retry_at_real; /* the same on the clock's real time (µs) */
  guint            next_retry_in;
  GNetworkMonitor *monitor;
  gulong           monitor_handler;
  gboolean         network_available;
};

G_DEFINE_FINAL_TYPE (BeaconSocket, beacon_socket, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_URL,
  PROP_PATH,
  PROP_STATE,
  PROP_NEXT_RETRY_IN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_EVENT,
  SIGNAL_CONNECT_ERROR,
  SIGNAL_NAMESPACE_CONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void drop_connection (BeaconSocket *self, gboolean polite);
static void schedule_reconnect (BeaconSocket *self);
static void start_connect (BeaconSocket *self);
static void start_polling (BeaconSocket *self);
static void kick_post (BeaconSocket *self);
static void poll_once (BeaconSocket *self);
static void start_probe (BeaconSocket *self);
static void finish_upgrade (BeaconSocket *self);
static void fail_probe (BeaconSocket *self, const char *why);

static void
namespace_free (Namespace *ns)
{
  g_clear_pointer (&ns->auth, json_node_unref);
  g_free (ns);
}

static void
queued_free (Queued *q)
{
  g_free (q->nsp);
  g_free (q->text);
  g_free (q);
}

static void
pending_ack_free (PendingAck *ack)
{
  if (ack->timeout)
    {
      g_source_destroy (ack->timeout);
      g_source_unref (ack->timeout);
    }
  if (ack->cancel)
    {
      g_source_destroy (ack->cancel);
      g_source_unref (ack->cancel);
    }
  g_clear_object (&ack->task);
  g_free (ack);
}

static gboolean
replace_str (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
set_state (BeaconSocket *self, BeaconSocketState state)
{
  if (self->state == state)
    return;
  g_debug ("socket %s: state %d -> %d", self->url, self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_next_retry_in (BeaconSocket *self, guint seconds)
{
  if (self->next_retry_in == seconds)
    return;
  self->next_retry_in = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NEXT_RETRY_IN]);
}

static void
send_eio (BeaconSocket *self, BeaconEioType type, const char *text)
{
  g_autoptr (BeaconEioPacket) packet = beacon_eio_packet_new (type, text);
  g_autofree char            *frame = beacon_eio_encode_text (packet);

  if (self->ws && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (self->ws, frame);
  else if (self->polling && self->sid)
    {
      g_ptr_array_add (self->outbox, g_steal_pointer (&packet));
      kick_post (self);
    }
}

static void
send_sio (BeaconSocket *self, const BeaconSioPacket *packet)
{
  g_autofree char *text = beacon_sio_encode (packet);

  send_eio (self, BEACON_EIO_MESSAGE, text);
}

static gboolean
session_open (BeaconSocket *self)
{
  return (self->ws != NULL || self->polling) && self->state == BEACON_SOCKET_STATE_CONNECTED;
}

static void
send_namespace_connect (BeaconSocket *self, const char *nsp, Namespace *ns)
{
  g_autoptr (BeaconSioPacket) packet = beacon_sio_packet_new (
      BEACON_SIO_CONNECT, nsp, -1, ns->auth ? json_node_copy (ns->auth) : NULL);

  send_sio (self, packet);
}

/* Sends what waited for this namespace, in order. */
static void
flush_queue (BeaconSocket *self, const char *nsp)
{
  GList *l = self->queue.head;

  while (l)
    {
      GList  *next = l->next;
      Queued *q = l->data;

      if (g_str_equal (q->nsp, nsp))
        {
          send_eio (self, BEACON_EIO_MESSAGE, q->text);
          g_queue_delete_link (&self->queue, l);
          queued_free (q);
        }
      l = next;
    }
}

static gboolean
any_namespace_active (BeaconSocket *self)
{
  GHashTableIter iter;
  Namespace     *ns;

  g_hash_table_iter_init (&iter, self->namespaces);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ns))
    if (!ns->failed)
      return TRUE;
  return FALSE;
}

/* Dead-server detection: the timer stalls across suspend, the wall clock does not, so the
 * shared clock's ticks (each minute, and on resume) also read it: no wake-up of our own. */
static void
declare_dead (BeaconSocket *self)
{
  g_debug ("socket %s: no ping for %u ms, the server is gone", self->url,
           self->ping_interval_ms + self->ping_timeout_ms);
  drop_connection (self, FALSE);
  schedule_reconnect (self);
}

static gboolean
on_dead_timer (gpointer user_data)
{
  BeaconSocket *self = user_data;

  self->dead_timer = 0;
  declare_dead (self);
  return G_SOURCE_REMOVE;
}

static gint64
clock_real_time (BeaconSocket *self)
{
  g_autoptr (GDateTime) now = beacon_clock_get_now (self->clock);

  return g_date_time_to_unix (now) * G_USEC_PER_SEC + g_date_time_get_microsecond (now);
}

static void cancel_retry (BeaconSocket *self);

/* A tick that finds a retry overdue by the real time: resumed from suspend (the retry's
 * timer stood still meanwhile), so the attempt is made now. A session is checked for a
 * silent server. */
static void
on_clock_tick (BeaconSocket *self)
{
  gint64 limit = (gint64) (self->ping_interval_ms + self->ping_timeout_ms) * 1000;

  if (self->retry_source != 0 && clock_real_time (self) >= self->retry_at_real)
    {
      g_debug ("socket %s: resumed, reconnecting now", self->url);
      cancel_retry (self);
      start_connect (self);
      return;
    }
  if (self->dead_timer == 0)
    return; /* no session to watch */
  if (clock_real_time (self) - self->last_ping_real > limit ||
      g_get_monotonic_time () - self->last_ping_mono > limit)
    declare_dead (self);
}

static void
restart_ping_watch (BeaconSocket *self)
{
  guint limit = self->ping_interval_ms + self->ping_timeout_ms;

  self->last_ping_mono = g_get_monotonic_time ();
  self->last_ping_real = clock_real_time (self);
  g_clear_handle_id (&self->dead_timer, g_source_remove);
  self->dead_timer = g_timeout_add (limit, on_dead_timer, self);
}

/* The open packet lists "websocket" in its "upgrades". */
static gboolean
offers_websocket (JsonObject *open)
{
  JsonNode  *upgrades = json_object_get_member (open, "upgrades");
  JsonArray *array;

  if (upgrades == NULL || !JSON_NODE_HOLDS_ARRAY (upgrades))
    return FALSE;
  array = json_node_get_array (upgrades);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *name = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (name) && g_strcmp0 (json_node_get_string (name), "websocket") == 0)
        return TRUE;
    }
  return FALSE;
}

static void
handle_open (BeaconSocket *self, const char *text, gsize len)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) node = beacon_json_parse (text, len, &error);
  JsonObject          *obj;
  GHashTableIter       iter;
  const char          *nsp;
  Namespace           *ns;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_warning ("socket %s: bad open packet", self->url);
      drop_connection (self, FALSE);
      schedule_reconnect (self);
      return;
    }
  obj = json_node_get_object (node);
  g_free (self->sid);
  self->sid = g_strdup (json_object_get_string_member_with_default (obj, "sid", ""));
  self->ping_interval_ms = json_object_get_int_member_with_default (obj, "pingInterval", 25000);
  self->ping_timeout_ms = json_object_get_int_member_with_default (obj, "pingTimeout", 20000);
  beacon_backoff_reset (&self->backoff);
  beacon_backoff_reset (&self->probe_backoff);
  set_state (self, BEACON_SOCKET_STATE_CONNECTED);
  restart_ping_watch (self);
  /* On long-polling, a server that offers the WebSocket gets probed at once; one that
   * offers none ("upgrades":[]) never. */
  if (self->polling && self->websocket_enabled && offers_websocket (obj))
    start_probe (self);

  g_hash_table_iter_init (&iter, self->namespaces);
  while (g_hash_table_iter_next (&iter, (gpointer *) &nsp, (gpointer *) &ns))
    if (!ns->failed)
      send_namespace_connect (self, nsp, ns);
}

static void
complete_ack (BeaconSocket *self, gint64 id, JsonNode *data)
{
  PendingAck *ack = g_hash_table_lookup (self->acks, &id);
  JsonArray  *args;

  if (ack == NULL)
    return;
  if (data && JSON_NODE_HOLDS_ARRAY (data))
    args = json_array_ref (json_node_get_array (data));
  else
    args = json_array_new ();
  g_task_return_pointer (ack->task, args, (GDestroyNotify) json_array_unref);
  g_hash_table_remove (self->acks, &id);
}

static void
handle_sio (BeaconSocket *self, const char *text, gsize len)
{
  g_autoptr (GError)          error = NULL;
  g_autoptr (BeaconSioPacket) packet = beacon_sio_decode (text, len, &error);
  Namespace                  *ns;

  if (packet == NULL)
    {
      g_warning ("socket %s: bad Socket.IO packet: %s", self->url, error->message);
      return;
    }
  ns = g_hash_table_lookup (self->namespaces, packet->nsp);

  switch (packet->type)
    {
    case BEACON_SIO_CONNECT:
      if (ns == NULL || ns->failed)
        return;
      ns->connected = TRUE;
      flush_queue (self, packet->nsp);
      g_signal_emit (self, signals[SIGNAL_NAMESPACE_CONNECTED], 0, packet->nsp);
      break;

    case BEACON_SIO_CONNECT_ERROR:
      if (ns == NULL)
        return;
      ns->connected = FALSE;
      ns->failed = TRUE;
      g_clear_pointer (&ns->auth, json_node_unref);
      g_signal_emit (self, signals[SIGNAL_CONNECT_ERROR], 0, packet->nsp, packet->data);
      /* As socket.io-client: no namespace left, no session, and no retry. */
      if (!any_namespace_active (self))
        {
          self->wanted = FALSE;
          drop_connection (self, TRUE);
          set_state (self, BEACON_SOCKET_STATE_DISCONNECTED);
        }
      break;

    case BEACON_SIO_DISCONNECT:
      /* A server going down says so before it closes: the namespace stays joined and is
       * connected again on the next session (only a CONNECT_ERROR needs a new auth). */
      if (ns)
        ns->connected = FALSE;
      break;

    case BEACON_SIO_EVENT:
      {
        g_autoptr (JsonArray) args = json_array_new ();
        JsonArray            *array = json_node_get_array (packet->data);
        const char           *name = beacon_sio_packet_get_event_name (packet);

        if (ns == NULL || name == NULL)
          return;
        for (guint i = 1; i < json_array_get_length (array); i++)
          json_array_add_element (args, json_node_copy (json_array_get_element (array, i)));
        g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (name), packet->nsp, name,
                       args);
        break;
      }

    case BEACON_SIO_ACK: complete_ack (self, packet->id, packet->data); break;

    case BEACON_SIO_BINARY_EVENT:
    case BEACON_SIO_BINARY_ACK:
    default: g_debug ("socket %s: binary packet ignored", self->url); break;
    }
}

static void handle_eio (BeaconSocket *self, BeaconEioPacket *packet);

static void
on_ws_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  BeaconSocket               *self = user_data;
  g_autoptr (GError)          error = NULL;
  g_autoptr (BeaconEioPacket) packet = NULL;
  const char                 *text;
  gsize                       len;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  text = g_bytes_get_data (message, &len);
  packet = beacon_eio_decode_text (text, len, &error);
  if (packet == NULL)
    {
      g_warning ("socket %s: bad Engine.IO packet: %s", self->url, error->message);
      return;
    }
  handle_eio (self, packet);
}

static void
handle_eio (BeaconSocket *self, BeaconEioPacket *packet)
{
  const char *text;
  gsize       len;

  text = beacon_eio_packet_get_text (packet, &len);

  switch (packet->type)
    {
    case BEACON_EIO_OPEN: handle_open (self, text, len); break;
    case BEACON_EIO_PING:
      restart_ping_watch (self);
      send_eio (self, BEACON_EIO_PONG, len ? text : NULL);
      break;
    case BEACON_EIO_MESSAGE: handle_sio (self, text, len); break;
    case BEACON_EIO_CLOSE:
      drop_connection (self, FALSE);
      schedule_reconnect (self);
      break;
    default: break;
    }
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  BeaconSocket *self = user_data;

  g_debug ("socket %s: closed (code %u)", self->url, soup_websocket_connection_get_close_code (ws));
  drop_connection (self, FALSE);
  schedule_reconnect (self);
}

static void
close_ws (BeaconSocket *self, SoupWebsocketConnection **ws, gboolean polite)
{
  if (*ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (*ws, self);
  if (polite && soup_websocket_connection_get_state (*ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (*ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (ws);
}

static void
abandon_probe (BeaconSocket *self)
{
  g_cancellable_cancel (self->probing);
  g_clear_object (&self->probing);
  g_clear_handle_id (&self->probe_timer, g_source_remove);
  close_ws (self, &self->probe, TRUE);
}

/* Forgets the WebSocket and every per-session state; namespaces stay joined. */
static void
drop_connection (BeaconSocket *self, gboolean polite)
{
  GHashTableIter iter;
  Namespace     *ns;

  g_cancellable_cancel (self->connecting);
  g_clear_object (&self->connecting);
  g_clear_handle_id (&self->dead_timer, g_source_remove);
  abandon_probe (self);
  self->pausing = FALSE;
  self->polling = FALSE;
  self->posting = FALSE;
  self->getting = FALSE;
  g_clear_pointer (&self->sid, g_free);
  g_ptr_array_set_size (self->outbox, 0);
  close_ws (self, &self->ws, polite);
  g_hash_table_iter_init (&iter, self->namespaces);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ns))
    ns->connected = FALSE;
}

static gboolean
on_countdown (gpointer user_data)
{
  BeaconSocket *self = user_data;
  gint64        left = self->retry_at - g_get_monotonic_time ();

  set_next_retry_in (self, left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_retry (gpointer user_data)
{
  BeaconSocket *self = user_data;

  self->retry_source = 0;
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  set_next_retry_in (self, 0);
  start_connect (self);
  return G_SOURCE_REMOVE;
}

static void
cancel_retry (BeaconSocket *self)
{
  g_clear_handle_id (&self->retry_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  set_next_retry_in (self, 0);
}

static void
schedule_reconnect (BeaconSocket *self)
{
  guint delay;

  cancel_retry (self);
  if (!self->wanted)
    {
      set_state (self, BEACON_SOCKET_STATE_DISCONNECTED);
      return;
    }
  delay = beacon_backoff_next_delay (&self->backoff);
  g_debug ("socket %s: reconnecting in %u ms", self->url, delay);
  self->retry_at = g_get_monotonic_time () + (gint64) delay * 1000;
  self->retry_at_real = clock_real_time (self) + (gint64) delay * 1000;
  self->retry_source = g_timeout_add (delay, on_retry, self);
  self->countdown_source = g_timeout_add_seconds (1, on_countdown, self);
  set_next_retry_in (self, (delay + 999) / 1000);
  set_state (self, BEACON_SOCKET_STATE_RECONNECTING);
}

/* Nobody listens there (or no route to it): the server is down, not hidden by a proxy. */
static gboolean
server_unreachable (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
         error->domain == G_RESOLVER_ERROR;
}

/* ws becomes the session's transport. */
static void
attach_ws (BeaconSocket *self, SoupWebsocketConnection *ws)
{
  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, 1000000 + 1024);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconSocket            *self = user_data; /* not a reference: dispose cancels the attempt */
  g_autoptr (GError)       error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  /* Cancelled (also after completing, as GTask checks): self may be gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->connecting);
  if (ws == NULL && server_unreachable (error))
    {
      g_debug ("socket %s: connect failed: %s", self->url, error->message);
      schedule_reconnect (self);
      return;
    }
  if (ws == NULL)
    {
      /* The host answered, but no WebSocket came of it: an HTTP answer, or the handshake
       * cut off or timed out (a proxy in the way). Long-polling may still get through. */
      g_debug ("socket %s: no WebSocket (%s), long-polling", self->url, error->message);
      start_polling (self);
      return;
    }
  attach_ws (self, ws);
  /* The Engine.IO open packet moves the state to connected. */
}

static char *
build_uri (BeaconSocket *self, gboolean polling)
{
  const char      *rest = self->url;
  const char      *scheme = "ws";
  g_autofree char *base = NULL;

  if (g_str_has_prefix (rest, "http://"))
    rest += strlen ("http://");
  else if (g_str_has_prefix (rest, "https://"))
    rest += strlen ("https://"), scheme = "wss";
  else if (g_str_has_prefix (rest, "ws://"))
    rest += strlen ("ws://");
  else if (g_str_has_prefix (rest, "wss://"))
    rest += strlen ("wss://"), scheme = "wss";
  base = g_strdup (rest);
  if (g_str_has_suffix (base, "/"))
    base[strlen (base) - 1] = '\0';
  if (polling)
    scheme = g_str_equal (scheme, "wss") ? "https" : "http";
  /* With a session (long-polling, or a WebSocket probing to upgrade it), its sid. */
  return g_strdup_printf ("%s://%s%s%sEIO=4&transport=%s%s%s", scheme, base, self->path,
                          strchr (self->path, '?') ? "&" : "?", polling ? "polling" : "websocket",
                          self->sid ? "&sid=" : "", self->sid ? self->sid : "");
}

static SoupMessage *
new_message (BeaconSocket *self, const char *method, gboolean polling)
{
  g_autofree char *uri = build_uri (self, polling);
  SoupMessage     *msg = soup_message_new (method, uri);
  GHashTableIter   iter;
  const char      *name, *value;

  if (msg == NULL)
    return NULL;
  g_hash_table_iter_init (&iter, self->headers);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, (gpointer *) &value))
    soup_message_headers_replace (soup_message_get_request_headers (msg), name, value);
  return msg;
}

/* Long-polling: GET brings what the server has (the open packet first), POST sends. */
static void
on_polled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconSocket      *self = user_data; /* not a reference: drop_connection cancels */
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autoptr (GPtrArray) packets = NULL;
  SoupMessage          *msg;
  const char           *data;
  gsize                 len;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->getting = FALSE;
  msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  if (body == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_debug ("socket %s: poll failed: %s", self->url,
               error ? error->message : soup_message_get_reason_phrase (msg));
      drop_connection (self, FALSE);
      schedule_reconnect (self);
      return;
    }
  data = g_bytes_get_data (body, &len);
  packets = beacon_eio_decode_payload (data, len, 0, &error);
  if (packets == NULL)
    {
      g_warning ("socket %s: bad polling payload: %s", self->url, error->message);
      drop_connection (self, FALSE);
      schedule_reconnect (self);
      return;
    }
  for (guint i = 0; i < packets->len && self->polling; i++)
    handle_eio (self, g_ptr_array_index (packets, i));
  if (self->polling && !self->pausing)
    poll_once (self);
  else
    finish_upgrade (self);
}

static void
poll_once (BeaconSocket *self)
{
  g_autoptr (SoupMessage) msg = new_message (self, SOUP_METHOD_GET, TRUE);

  self->getting = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->connecting,
                                    on_polled, self);
}

static void
on_posted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconSocket      *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->posting = FALSE;
  if (body == NULL || soup_message_get_status (soup_session_get_async_result_message (
                          SOUP_SESSION (source), result)) != SOUP_STATUS_OK)
    {
      drop_connection (self, FALSE);
      schedule_reconnect (self);
      return;
    }
  kick_post (self);
  finish_upgrade (self);
}

static void
kick_post (BeaconSocket *self)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char        *payload = NULL;
  g_autoptr (GBytes)      bytes = NULL;

  if (self->posting || self->pausing || self->outbox->len == 0 || !self->polling)
    return;
  payload =
      beacon_eio_encode_payload ((BeaconEioPacket *const *) self->outbox->pdata, self->outbox->len);
  g_ptr_array_set_size (self->outbox, 0);
  bytes = g_bytes_new_take (payload, strlen (payload));
  payload = NULL;
  msg = new_message (self, SOUP_METHOD_POST, TRUE);
  soup_message_set_request_body_from_bytes (msg, "text/plain;charset=UTF-8", bytes);
  self->posting = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->connecting,
                                    on_posted, self);
}

/* Polling has wound down (no GET or POST out): the probe becomes the transport, and what
 * waited in the outbox goes over it, in order, after the upgrade packet. */
static void
finish_upgrade (BeaconSocket *self)
{
  if (!self->pausing || self->getting || self->posting)
    return;
  g_debug ("socket %s: upgraded to WebSocket, %u packets waited for it", self->url,
           self->outbox->len);
  g_clear_handle_id (&self->probe_timer, g_source_remove);
  g_signal_handlers_disconnect_by_data (self->probe, self);
  self->pausing = FALSE;
  self->polling = FALSE;
  g_clear_object (&self->connecting); /* nothing of polling is left in flight */
  attach_ws (self, g_steal_pointer (&self->probe));
  soup_websocket_connection_send_text (self->ws, "5");
  for (guint i = 0; i < self->outbox->len; i++)
    {
      g_autofree char *frame = beacon_eio_encode_text (g_ptr_array_index (self->outbox, i));

      soup_websocket_connection_send_text (self->ws, frame);
    }
  g_ptr_array_set_size (self->outbox, 0);
}

static gboolean
on_probe_timer (gpointer user_data)
{
  BeaconSocket *self = user_data;

  self->probe_timer = 0;
  if (self->probing || self->probe)
    {
      fail_probe (self, "timed out");
      return G_SOURCE_REMOVE;
    }
  start_probe (self);
  return G_SOURCE_REMOVE;
}

/* The session stays on long-polling (resumed if it had paused); a new probe later. */
static void
fail_probe (BeaconSocket *self, const char *why)
{
  guint delay = beacon_backoff_next_delay (&self->probe_backoff);

  g_debug ("socket %s: WebSocket probe failed (%s), next in %u ms", self->url, why, delay);
  abandon_probe (self);
  if (self->pausing)
    {
      self->pausing = FALSE;
      if (!self->getting)
        poll_once (self);
      kick_post (self);
    }
  self->probe_timer = g_timeout_add (delay, on_probe_timer, self);
}

static void
on_probe_message (SoupWebsocketConnection *ws, gint type, GBytes *message, gpointer user_data)
{
  BeaconSocket *self = user_data;
  gsize         len;
  const char   *text = g_bytes_get_data (message, &len);

  if (type != SOUP_WEBSOCKET_DATA_TEXT || self->pausing || len != strlen ("3probe") ||
      memcmp (text, "3probe", len) != 0)
    {
      fail_probe (self, "unexpected answer");
      return;
    }
  self->pausing = TRUE;
  finish_upgrade (self);
}

static void
on_probe_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  fail_probe (user_data, "closed");
}

static void
on_probe_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BeaconSocket            *self = user_data; /* not a reference: drop_connection cancels */
  g_autoptr (GError)       error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->probing);
  if (ws == NULL)
    {
      fail_probe (self, error->message);
      return;
    }
  self->probe = ws;
  g_signal_connect (ws, "message", G_CALLBACK (on_probe_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_probe_closed), self);
  soup_websocket_connection_send_text (ws, "2probe");
}

static void
start_probe (BeaconSocket *self)
{
  g_autoptr (SoupMessage) msg = new_message (self, SOUP_METHOD_GET, FALSE);

  g_debug ("socket %s: probing a WebSocket for session %s", self->url, self->sid);
  abandon_probe (self);
  self->probing = g_cancellable_new ();
  self->probe_timer = g_timeout_add (PROBE_TIMEOUT_MS, on_probe_timer, self);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->probing, on_probe_connected, self);
}

static void
start_polling (BeaconSocket *self)
{
  self->polling = TRUE;
  self->connecting = g_cancellable_new ();
  poll_once (self);
}

static void
start_connect (BeaconSocket *self)
{
  g_autoptr (SoupMessage) msg = NULL;

  drop_connection (self, FALSE);
  msg = new_message (self, SOUP_METHOD_GET, FALSE);
  if (msg == NULL)
    {
      g_warning ("socket: bad URL %s", self->url);
      self->wanted = FALSE;
      set_state (self, BEACON_SOCKET_STATE_DISCONNECTED);
      return;
    }
  if (self->state != BEACON_SOCKET_STATE_RECONNECTING)
    set_state (self, BEACON_SOCKET_STATE_CONNECTING);
  if (!self->websocket_enabled)
    {
      start_polling (self);
      return;
    }
  self->connecting = g_cancellable_new ();
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        self->connecting, on_connected, self);
}

static void
on_network_changed (GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
  BeaconSocket *self = user_data;
  gboolean      was = self->network_available;

  self->network_available = available;
  if (available && !was && self->wanted && self->retry_source != 0)
    {
      g_debug ("socket %s: network back, reconnecting now", self->url);
      cancel_retry (self);
      start_connect (self);
    }
}

void
beacon_socket_connect (BeaconSocket *self)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));

  if (self->wanted && self->state != BEACON_SOCKET_STATE_DISCONNECTED)
    return;
  self->wanted = TRUE;
  cancel_retry (self);
  beacon_backoff_reset (&self->backoff);
  start_connect (self);
}

void
beacon_socket_disconnect (BeaconSocket *self)
{
  GHashTableIter iter;
  const char    *nsp;
  Namespace     *ns;

  g_return_if_fail (BEACON_IS_SOCKET (self));

  self->wanted = FALSE;
  cancel_retry (self);
  if (session_open (self))
    {
      g_hash_table_iter_init (&iter, self->namespaces);
      while (g_hash_table_iter_next (&iter, (gpointer *) &nsp, (gpointer *) &ns))
        if (ns->connected)
          {
            g_autoptr (BeaconSioPacket) packet =
                beacon_sio_packet_new (BEACON_SIO_DISCONNECT, nsp, -1, NULL);
            send_sio (self, packet);
          }
    }
  drop_connection (self, TRUE);
  set_state (self, BEACON_SOCKET_STATE_DISCONNECTED);
}

void
beacon_socket_join (BeaconSocket *self, const char *nsp, JsonNode *auth)
{
  Namespace *ns;

  g_return_if_fail (BEACON_IS_SOCKET (self));
  g_return_if_fail (nsp != NULL && nsp[0] == '/');

  ns = g_hash_table_lookup (self->namespaces, nsp);
  if (ns == NULL)
    {
      ns = g_new0 (Namespace, 1);
      g_hash_table_insert (self->namespaces, g_strdup (nsp), ns);
    }
  g_clear_pointer (&ns->auth, json_node_unref);
  ns->auth = auth ? json_node_copy (auth) : NULL;
  ns->failed = FALSE;
  if (session_open (self) && !ns->connected)
    send_namespace_connect (self, nsp, ns);
}

void
beacon_socket_leave (BeaconSocket *self, const char *nsp)
{
  Namespace *ns;

  g_return_if_fail (BEACON_IS_SOCKET (self));

  ns = g_hash_table_lookup (self->namespaces, nsp);
  if (ns == NULL)
    return;
  if (ns->connected && session_open (self))
    {
      g_autoptr (BeaconSioPacket) packet =
          beacon_sio_packet_new (BEACON_SIO_DISCONNECT, nsp, -1, NULL);
      send_sio (self, packet);
    }
  g_hash_table_remove (self->namespaces, nsp);
}

gboolean
beacon_socket_is_joined (BeaconSocket *self, const char *nsp)
{
  Namespace *ns;

  g_return_val_if_fail (BEACON_IS_SOCKET (self), FALSE);

  ns = g_hash_table_lookup (self->namespaces, nsp);
  return ns != NULL && ns->connected;
}

static BeaconSioPacket *
event_packet (const char *nsp, gint64 id, const char *name, JsonArray *args)
{
  JsonArray *array = json_array_new ();
  JsonNode  *node = json_node_new (JSON_NODE_ARRAY);

  json_array_add_string_element (array, name);
  for (guint i = 0; args && i < json_array_get_length (args); i++)
    json_array_add_element (array, json_node_copy (json_array_get_element (args, i)));
  json_node_take_array (node, array);
  return beacon_sio_packet_new (BEACON_SIO_EVENT, nsp, id, node);
}

/* Sends now, or queues; FALSE when the event was dropped. */
static gboolean
send_or_queue (BeaconSocket *self,
               const char   *nsp,
               gint64        id,
               const char   *name,
               JsonArray    *args,
               gboolean      is_volatile)
{
  g_autoptr (BeaconSioPacket) packet = event_packet (nsp, id, name, args);
  Queued                     *q;

  if (session_open (self) && beacon_socket_is_joined (self, nsp))
    {
      send_sio (self, packet);
      return TRUE;
    }
  if (is_volatile)
    {
      g_debug ("socket %s: volatile %s dropped while disconnected", self->url, name);
      return FALSE;
    }
  if (self->queue.length >= BEACON_SOCKET_MAX_QUEUE)
    {
      g_warning ("socket %s: send queue full, %s dropped", self->url, name);
      return FALSE;
    }
  q = g_new0 (Queued, 1);
  q->nsp = g_strdup (nsp);
  q->text = beacon_sio_encode (packet);
  g_queue_push_tail (&self->queue, q);
  return TRUE;
}

void
beacon_socket_emit (BeaconSocket *self, const char *nsp, const char *name, JsonArray *args)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));
  g_return_if_fail (nsp != NULL && name != NULL);

  send_or_queue (self, nsp, -1, name, args, FALSE);
}

void
beacon_socket_emit_volatile (BeaconSocket *self, const char *nsp, const char *name, JsonArray *args)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));
  g_return_if_fail (nsp != NULL && name != NULL);

  send_or_queue (self, nsp, -1, name, args, TRUE);
}

static gboolean
on_ack_timeout (gpointer user_data)
{
  PendingAck *ack = user_data;
  gint64      id = ack->id;

  g_task_return_new_error (ack->task, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           _ ("The server did not answer in time"));
  g_hash_table_remove (ack->self->acks, &id);
  return G_SOURCE_REMOVE;
}

static gboolean
on_ack_cancelled (GCancellable *cancellable, gpointer user_data)
{
  PendingAck *ack = user_data;
  gint64      id = ack->id;

  g_task_return_error_if_cancelled (ack->task);
  g_hash_table_remove (ack->self->acks, &id);
  return G_SOURCE_REMOVE;
}

void
beacon_socket_emit_with_ack_async (BeaconSocket       *self,
                                   const char         *nsp,
                                   const char         *name,
                                   JsonArray          *args,
                                   guint               timeout_ms,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  PendingAck       *ack;

  g_return_if_fail (BEACON_IS_SOCKET (self));
  g_return_if_fail (nsp != NULL && name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_socket_emit_with_ack_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  ack = g_new0 (PendingAck, 1);
  ack->self = self;
  ack->id = self->next_ack++;
  if (self->next_ack > BEACON_SIO_MAX_ACK_ID)
    self->next_ack = 0;
  if (!send_or_queue (self, nsp, ack->id, name, args, FALSE))
    {
      g_free (ack);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                               _ ("Too many messages are waiting for the connection"));
      return;
    }
  ack->task = g_steal_pointer (&task);
  ack->timeout = g_timeout_source_new (timeout_ms);
  g_source_set_callback (ack->timeout, on_ack_timeout, ack, NULL);
  g_source_attach (ack->timeout, g_main_context_get_thread_default ());
  if (cancellable)
    {
      ack->cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (ack->cancel, G_SOURCE_FUNC (on_ack_cancelled), ack, NULL);
      g_source_attach (ack->cancel, g_main_context_get_thread_default ());
    }
  g_hash_table_insert (self->acks, &ack->id, ack);
}

JsonArray *
beacon_socket_emit_with_ack_finish (BeaconSocket *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
beacon_socket_get_url (BeaconSocket *self)
{
  g_return_val_if_fail (BEACON_IS_SOCKET (self), NULL);
  return self->url;
}

void
beacon_socket_set_url (BeaconSocket *self, const char *url)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));

  if (replace_str (&self->url, url))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_URL]);
}

const char *
beacon_socket_get_path (BeaconSocket *self)
{
  g_return_val_if_fail (BEACON_IS_SOCKET (self), NULL);
  return self->path;
}

void
beacon_socket_set_path (BeaconSocket *self, const char *path)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));

  if (replace_str (&self->path, path ? path : DEFAULT_PATH))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
}

void
beacon_socket_set_header (BeaconSocket *self, const char *name, const char *value)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));

  if (value)
    g_hash_table_insert (self->headers, g_strdup (name), g_strdup (value));
  else
    g_hash_table_remove (self->headers, name);
}

/* FALSE: long-polling only (as when a proxy refuses WebSockets); from the next connect. */
void
beacon_socket_set_websocket_enabled (BeaconSocket *self, gboolean enabled)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));
  self->websocket_enabled = !!enabled;
}

const char *
beacon_socket_get_transport (BeaconSocket *self)
{
  g_return_val_if_fail (BEACON_IS_SOCKET (self), NULL);

  if (self->ws)
    return "websocket";
  if (self->polling)
    return "polling";
  return NULL;
}

BeaconSocketState
beacon_socket_get_state (BeaconSocket *self)
{
  g_return_val_if_fail (BEACON_IS_SOCKET (self), BEACON_SOCKET_STATE_DISCONNECTED);
  return self->state;
}

guint
beacon_socket_get_next_retry_in (BeaconSocket *self)
{
  g_return_val_if_fail (BEACON_IS_SOCKET (self), 0);
  return self->next_retry_in;
}

BeaconSocket *
beacon_socket_new (const char *url)
{
  return g_object_new (BEACON_TYPE_SOCKET, "url", url, NULL);
}

static void
beacon_socket_dispose (GObject *object)
{
  BeaconSocket  *self = BEACON_SOCKET (object);
  GHashTableIter iter;
  PendingAck    *ack;

  self->wanted = FALSE;
  cancel_retry (self);
  drop_connection (self, TRUE);
  if (self->monitor)
    {
      g_clear_signal_handler (&self->monitor_handler, self->monitor);
      g_clear_object (&self->monitor);
    }
  if (self->clock)
    {
      g_clear_signal_handler (&self->clock_handler, self->clock);
      g_clear_object (&self->clock);
    }
  if (self->acks)
    {
      g_hash_table_iter_init (&iter, self->acks);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ack))
        {
          if (!g_task_had_error (ack->task))
            g_task_return_new_error (ack->task, G_IO_ERROR, G_IO_ERROR_CLOSED,
                                     _ ("The connection was closed"));
          g_hash_table_iter_remove (&iter);
        }
    }
  g_clear_object (&self->session);

  G_OBJECT_CLASS (beacon_socket_parent_class)->dispose (object);
}

static void
beacon_socket_finalize (GObject *object)
{
  BeaconSocket *self = BEACON_SOCKET (object);

  g_queue_clear_full (&self->queue, (GDestroyNotify) queued_free);
  g_clear_pointer (&self->acks, g_hash_table_unref);
  g_clear_pointer (&self->namespaces, g_hash_table_unref);
  g_clear_pointer (&self->headers, g_hash_table_unref);
  g_clear_pointer (&self->outbox, g_ptr_array_unref);
  g_free (self->sid);
  g_free (self->url);
  g_free (self->path);

  G_OBJECT_CLASS (beacon_socket_parent_class)->finalize (object);
}

static void
beacon_socket_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconSocket *self = BEACON_SOCKET (object);

  switch (prop_id)
    {
    case PROP_URL: g_value_set_string (value, self->url); break;
    case PROP_PATH: g_value_set_string (value, self->path); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_NEXT_RETRY_IN: g_value_set_uint (value, self->next_retry_in); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_socket_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BeaconSocket *self = BEACON_SOCKET (object);

  switch (prop_id)
    {
    case PROP_URL: beacon_socket_set_url (self, g_value_get_string (value)); break;
    case PROP_PATH: beacon_socket_set_path (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_socket_class_init (BeaconSocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = beacon_socket_dispose;
  object_class->finalize = beacon_socket_finalize;
  object_class->get_property = beacon_socket_get_property;
  object_class->set_property = beacon_socket_set_property;

  properties[PROP_URL] =
      g_param_spec_string ("url", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATH] =
      g_param_spec_string ("path", NULL, NULL, DEFAULT_PATH,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_enum (
      "state", NULL, NULL, BEACON_TYPE_SOCKET_STATE, BEACON_SOCKET_STATE_DISCONNECTED,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NEXT_RETRY_IN] =
      g_param_spec_uint ("next-retry-in", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* event (nsp, name, args), detailed by the event name. */
  signals[SIGNAL_EVENT] = g_signal_new (
      "event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL,
      NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, JSON_TYPE_ARRAY);
  /* connect-error (nsp, data): the namespace waits for a new join. */
  signals[SIGNAL_CONNECT_ERROR] =
      g_signal_new ("connect-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_NODE);
  /* namespace-connected (nsp): CONNECT answered, after each (re)connect. */
  signals[SIGNAL_NAMESPACE_CONNECTED] =
      g_signal_new ("namespace-connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
beacon_socket_init (BeaconSocket *self)
{
  self->path = g_strdup (DEFAULT_PATH);
  self->websocket_enabled = TRUE;
  self->outbox = g_ptr_array_new_with_free_func ((GDestroyNotify) beacon_eio_packet_free);
  self->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->namespaces =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) namespace_free);
  self->acks =
      g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) pending_ack_free);
  g_queue_init (&self->queue);
  self->session = soup_session_new ();
  beacon_backoff_init (&self->backoff, NULL, NULL);
  beacon_backoff_init (&self->probe_backoff, NULL, NULL);
  self->probe_backoff.max_ms = PROBE_RETRY_MAX_MS;
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  self->monitor_handler =
      g_signal_connect (self->monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  beacon_socket_set_clock (self, NULL);
}

/**
 * beacon_socket_set_clock:
 * @self: a socket
 * @clock: (nullable): the clock whose ticks check the real time since the last ping;
 *   %NULL for beacon_clock_get_default()
 */
void
beacon_socket_set_clock (BeaconSocket *self, BeaconClock *clock)
{
  g_return_if_fail (BEACON_IS_SOCKET (self));

  if (clock == NULL)
    clock = beacon_clock_get_default ();
  if (self->clock == clock)
    return;
  if (self->clock)
    g_clear_signal_handler (&self->clock_handler, self->clock);
  g_set_object (&self->clock, clock);
  self->clock_handler = g_signal_connect_swapped (clock, "tick", G_CALLBACK (on_clock_tick), self);
  self->last_ping_real = clock_real_time (self);
}
