/* test-socket.c: integration test of BeaconSocket against the real beacon-server (the
 * harness of tests/integration): namespaces, acks, reconnection, ping timeout, queue,
 * long-polling with its fallback and upgrade. */

#include "config.h"

#include <signal.h>

#include "beacon-socket.h"
#include "harness.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

typedef struct
{
  BeaconSocket *socket;
  GPtrArray    *events;        /* JsonArray [name, args...] in arrival order */
  JsonNode     *connect_error; /* its data */
  guint         joined;        /* namespace-connected count */
  guint         attempts;      /* state changes to connecting or reconnecting */
} Peer;

static void
on_event (BeaconSocket *socket, const char *nsp, const char *name, JsonArray *args, Peer *peer)
{
  JsonArray *entry = json_array_new ();

  json_array_add_string_element (entry, name);
  for (guint i = 0; i < json_array_get_length (args); i++)
    json_array_add_element (entry, json_node_copy (json_array_get_element (args, i)));
  g_ptr_array_add (peer->events, entry);
}

static void
on_connect_error (BeaconSocket *socket, const char *nsp, JsonNode *data, Peer *peer)
{
  g_clear_pointer (&peer->connect_error, json_node_unref);
  peer->connect_error = data ? json_node_copy (data) : json_node_new (JSON_NODE_NULL);
}

static void
on_joined (BeaconSocket *socket, const char *nsp, Peer *peer)
{
  peer->joined++;
}

static void
on_state (BeaconSocket *socket, GParamSpec *pspec, Peer *peer)
{
  if (beacon_socket_get_state (socket) == BEACON_SOCKET_STATE_CONNECTING)
    peer->attempts++;
}

static Peer *
peer_new (TestServer *server, const char *token)
{
  Peer *peer = g_new0 (Peer, 1);

  peer->socket = beacon_socket_new (server->base_url);
  peer->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_array_unref);
  g_signal_connect (peer->socket, "event", G_CALLBACK (on_event), peer);
  g_signal_connect (peer->socket, "connect-error", G_CALLBACK (on_connect_error), peer);
  g_signal_connect (peer->socket, "namespace-connected", G_CALLBACK (on_joined), peer);
  g_signal_connect (peer->socket, "notify::state", G_CALLBACK (on_state), peer);
  if (token)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode)    auth = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "token");
      json_builder_add_string_value (builder, token);
      json_builder_end_object (builder);
      auth = json_builder_get_root (builder);
      beacon_socket_join (peer->socket, "/", auth);
    }
  return peer;
}

static Peer *
peer_new_user (TestServer *server, const char *user)
{
  g_autofree char *token = test_server_token (server, user, 3600);

  return peer_new (server, token);
}

static void
peer_free (Peer *peer)
{
  g_signal_handlers_disconnect_by_data (peer->socket, peer);
  beacon_socket_disconnect (peer->socket);
  g_assert_finalize_object (peer->socket);
  g_ptr_array_unref (peer->events);
  g_clear_pointer (&peer->connect_error, json_node_unref);
  g_free (peer);
}

/* The first argument of the first event with this name whose first argument has
 * member == value (member NULL: any), or NULL. */
static JsonNode *
find_event (Peer *peer, const char *name, const char *member, const char *value)
{
  for (guint i = 0; i < peer->events->len; i++)
    {
      JsonArray *entry = g_ptr_array_index (peer->events, i);
      JsonNode  *arg;

      if (g_strcmp0 (json_array_get_string_element (entry, 0), name) != 0)
        continue;
      arg = json_array_get_length (entry) > 1 ? json_array_get_element (entry, 1) : NULL;
      if (member == NULL)
        return arg;
      if (arg && JSON_NODE_HOLDS_OBJECT (arg) &&
          g_strcmp0 (test_json_string (arg, member), value) == 0)
        return arg;
    }
  return NULL;
}

typedef struct
{
  Peer       *peer;
  const char *name;
  const char *member;
  const char *value;
  guint       count;
} EventWait;

static gboolean
has_event (gpointer data)
{
  EventWait *w = data;

  return find_event (w->peer, w->name, w->member, w->value) != NULL;
}

static JsonNode *
wait_event (Peer *peer, const char *name, const char *member, const char *value)
{
  EventWait w = { peer, name, member, value, 0 };

  test_wait_until (has_event, &w);
  return find_event (peer, name, member, value);
}

static gboolean
joined_at_least (gpointer data)
{
  EventWait *w = data;

  return w->peer->joined >= w->count;
}

static void
wait_joined (Peer *peer, guint count)
{
  EventWait w = { peer, NULL, NULL, NULL, count };

  test_wait_until (joined_at_least, &w);
}

static gboolean
has_connect_error (gpointer data)
{
  return ((Peer *) data)->connect_error != NULL;
}

static gboolean
not_connected (gpointer data)
{
  return beacon_socket_get_state (((Peer *) data)->socket) != BEACON_SOCKET_STATE_CONNECTED;
}

static gboolean
is_disconnected (gpointer data)
{
  return beacon_socket_get_state (((Peer *) data)->socket) == BEACON_SOCKET_STATE_DISCONNECTED;
}

/* Iterates the main context for ms (to see that something does NOT happen). */
static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;
  guint  id = g_timeout_add (50, wake, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
test_connect (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  Peer       *a = peer_new_user (server, "a");
  JsonNode   *hello;

  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_DISCONNECTED);
  beacon_socket_connect (a->socket);
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_CONNECTING);
  hello = wait_event (a, "presence:connected", NULL, NULL);
  g_assert_cmpstr (test_json_string (hello, "userId"), ==, "a");
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_CONNECTED);
  g_assert_true (beacon_socket_is_joined (a->socket, "/"));

  peer_free (a);
  test_server_free (server);
}

static void
test_connect_error (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  Peer       *a = peer_new (server, "not-a-token");
  JsonObject *data;

  beacon_socket_connect (a->socket);
  test_wait_until (has_connect_error, a);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (a->connect_error));
  g_assert_cmpstr (test_json_string (a->connect_error, "message"), ==, "unauthorized");
  data = json_object_get_object_member (json_node_get_object (a->connect_error), "data");
  g_assert_nonnull (data);
  g_assert_cmpstr (json_object_get_string_member (data, "code"), ==, "token_invalid");
  test_wait_until (is_disconnected, a);
  g_assert_cmpuint (a->attempts, ==, 1);

  /* No retry: longer than the longest backoff delay, nothing happens. */
  iterate_for (1500);
  g_assert_cmpuint (a->attempts, ==, 1);
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_DISCONNECTED);
  g_assert_cmpuint (beacon_socket_get_next_retry_in (a->socket), ==, 0);

  peer_free (a);
  test_server_free (server);
}

static void
on_ack (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static void
test_ack (void)
{
  TestServer              *server = test_server_start (test_default_world, NULL);
  Peer                    *a = peer_new_user (server, "a");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) late = NULL;
  g_autoptr (JsonArray)    args = NULL;
  g_autoptr (GError)       error = NULL;
  g_autoptr (BeaconSocket) idle = beacon_socket_new (server->base_url);

  beacon_socket_connect (a->socket);
  beacon_socket_emit_with_ack_async (a->socket, "/", "heartbeat", NULL, 5000, NULL, on_ack,
                                     &result);
  test_wait_until (has_result, &result);
  args = beacon_socket_emit_with_ack_finish (a->socket, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (args), ==, 1);
  g_assert_true (test_json_bool (json_array_get_element (args, 0), "ok"));
  g_assert_nonnull (test_json_string (json_array_get_element (args, 0), "serverTime"));

  /* Queued on a socket that never connects: the ack times out. */
  beacon_socket_emit_with_ack_async (idle, "/", "heartbeat", NULL, 100, NULL, on_ack, &late);
  test_wait_until (has_result, &late);
  g_assert_null (beacon_socket_emit_with_ack_finish (idle, late, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  g_clear_object (&result); /* it holds the socket */
  peer_free (a);
  test_server_free (server);
}

/* The server acks a heartbeat of this socket. */
static void
assert_heartbeat_acked (Peer *peer)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonArray)    args = NULL;
  g_autoptr (GError)       error = NULL;

  beacon_socket_emit_with_ack_async (peer->socket, "/", "heartbeat", NULL, 5000, NULL, on_ack,
                                     &result);
  test_wait_until (has_result, &result);
  args = beacon_socket_emit_with_ack_finish (peer->socket, result, &error);
  g_assert_no_error (error);
  g_assert_true (test_json_bool (json_array_get_element (args, 0), "ok"));
}

static void
test_presence_between_sockets (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  Peer                 *a = peer_new_user (server, "a");
  Peer                 *b = peer_new_user (server, "b");
  g_autoptr (JsonArray) args = json_array_new ();
  JsonNode             *record;

  beacon_socket_connect (b->socket);
  wait_event (b, "presence:connected", NULL, NULL);
  beacon_socket_connect (a->socket);
  wait_event (a, "presence:connected", NULL, NULL);

  json_array_add_string_element (args, "away");
  beacon_socket_emit (a->socket, "/", "update_status", args);
  record = wait_event (b, "presence_updated", "status", "away");
  g_assert_cmpstr (test_json_string (record, "user_id"), ==, "a");

  peer_free (a);
  peer_free (b);
  test_server_free (server);
}

static void
test_server_restarted (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  Peer       *a = peer_new_user (server, "a");

  beacon_socket_connect (a->socket);
  wait_event (a, "presence:connected", NULL, NULL);
  g_ptr_array_set_size (a->events, 0);
  test_server_restart (server);
  beacon_socket_set_url (a->socket, server->base_url);
  wait_joined (a, 2);
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_CONNECTED);
  wait_event (a, "presence:connected", NULL, NULL);

  peer_free (a);
  test_server_free (server);
}

static void
test_ping_timeout (void)
{
  const char *env[] = { "BEACON_PING_INTERVAL_MS=300", "BEACON_PING_TIMEOUT_MS=300", NULL };
  TestServer *server = test_server_start (test_default_world, env);
  Peer       *a = peer_new_user (server, "a");
  gint64      stopped;

  beacon_socket_connect (a->socket);
  wait_joined (a, 1);
  g_subprocess_send_signal (server->process, SIGSTOP);
  stopped = g_get_monotonic_time ();
  test_wait_until (not_connected, a);
  /* Detected by the ping watch, well before any TCP timeout. */
  g_assert_cmpint (g_get_monotonic_time () - stopped, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_RECONNECTING);
  g_assert_cmpuint (beacon_socket_get_next_retry_in (a->socket), >, 0);
  g_subprocess_send_signal (server->process, SIGCONT);
  wait_joined (a, 2);

  peer_free (a);
  test_server_free (server);
}

/* A suspend: the timers stood still while the real time went on. The clock's tick on
 * resume shows the last ping is older than pingInterval + pingTimeout: a new session at
 * once, not 45 s later. */
static void
test_resume_after_suspend (void)
{
  TestServer             *server = test_server_start (test_default_world, NULL);
  Peer                   *a = peer_new_user (server, "a");
  g_autoptr (GDateTime)   now = g_date_time_new_now_utc ();
  g_autoptr (BeaconClock) clock = beacon_clock_new_for_testing (now);
  g_autoptr (GDateTime)   later = NULL;

  beacon_socket_set_clock (a->socket, clock);
  beacon_socket_connect (a->socket);
  wait_joined (a, 1);

  /* A minute tick soon after the ping: nothing happens. */
  later = g_date_time_add_seconds (now, 30);
  beacon_clock_set_now (clock, later);
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_CONNECTED);

  /* Resumed an hour later. */
  g_clear_pointer (&later, g_date_time_unref);
  later = g_date_time_add_hours (now, 1);
  beacon_clock_set_now (clock, later);
  wait_joined (a, 2);

  peer_free (a);
  test_server_free (server);
}

static gboolean
is_reconnecting (gpointer data)
{
  return beacon_socket_get_state (((Peer *) data)->socket) == BEACON_SOCKET_STATE_RECONNECTING;
}

static void
test_queue_and_volatile (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  Peer                 *a = peer_new_user (server, "a");
  g_autoptr (JsonArray) away = json_array_new ();
  g_autoptr (JsonArray) busy = json_array_new ();
  TestClient           *viewer;
  JsonNode             *hello;
  JsonArray            *online;
  gboolean              seen = FALSE;

  beacon_socket_connect (a->socket);
  wait_joined (a, 1);
  test_server_stop (server);
  test_wait_until (is_reconnecting, a);

  json_array_add_string_element (away, "away");
  json_array_add_string_element (busy, "busy");
  beacon_socket_emit (a->socket, "/", "update_status", away);
  beacon_socket_emit_volatile (a->socket, "/", "update_status", busy);

  test_server_restart (server);
  beacon_socket_set_url (a->socket, server->base_url);
  wait_joined (a, 2);

  /* The queued "away" went out on re-join, the volatile "busy" did not. */
  viewer = test_client_connect_user (server, "b");
  hello = test_client_wait_event (viewer, "presence:connected");
  online = json_object_get_array_member (json_node_get_object (hello), "onlineUsers");
  for (guint i = 0; i < json_array_get_length (online); i++)
    {
      JsonNode *user = json_array_get_element (online, i);

      if (g_strcmp0 (test_json_string (user, "userId"), "a") == 0)
        {
          g_assert_cmpstr (test_json_string (user, "status"), ==, "away");
          seen = TRUE;
        }
    }
  g_assert_true (seen);

  json_node_unref (hello);
  test_client_free (viewer);
  peer_free (a);
  test_server_free (server);
}

static void
test_many_reconnects (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  Peer       *a = peer_new_user (server, "a");

  for (guint i = 1; i <= 200; i++)
    {
      beacon_socket_connect (a->socket);
      wait_joined (a, i);
      beacon_socket_disconnect (a->socket);
      g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_DISCONNECTED);
    }
  g_assert_cmpuint (a->joined, ==, 200);

  peer_free (a);
  test_server_free (server);
}

static void
on_hello (BeaconSocket *socket, const char *nsp, const char *name, JsonArray *args, GPtrArray *nsps)
{
  g_assert_cmpstr (name, ==, "presence:connected");
  g_ptr_array_add (nsps, g_strdup (nsp));
}

static gboolean
two_hellos (gpointer data)
{
  return ((GPtrArray *) data)->len >= 2;
}

/* Two namespaces on one session, each with its own auth: a CONNECT_ERROR on one leaves
 * the other alone, and the failed one connects again only with a new auth. */
static void
test_namespaces (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  Peer                 *a = peer_new (server, "not-a-token");
  g_autoptr (GPtrArray) nsps = g_ptr_array_new_with_free_func (g_free);
  g_autofree char      *token = test_server_token (server, "f", 3600);
  g_autoptr (JsonNode)  auth = NULL;
  JsonNode             *hello;

  g_signal_connect (a->socket, "event::presence:connected", G_CALLBACK (on_hello), nsps);
  beacon_socket_join (a->socket, "/presence", NULL);
  beacon_socket_connect (a->socket);
  test_wait_until (has_connect_error, a);
  wait_joined (a, 1);
  g_assert_true (beacon_socket_is_joined (a->socket, "/presence"));
  g_assert_false (beacon_socket_is_joined (a->socket, "/"));
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_CONNECTED);
  hello = wait_event (a, "presence:connected", NULL, NULL);
  g_assert_nonnull (
      json_object_get_array_member (json_node_get_object (hello), "onlineFreelancerIds"));

  auth = json_from_string ("{}", NULL);
  json_object_set_string_member (json_node_get_object (auth), "token", token);
  beacon_socket_join (a->socket, "/", auth);
  wait_joined (a, 2);
  g_assert_true (beacon_socket_is_joined (a->socket, "/"));
  test_wait_until (two_hellos, nsps);
  g_assert_cmpstr (g_ptr_array_index (nsps, 0), ==, "/presence");
  g_assert_cmpstr (g_ptr_array_index (nsps, 1), ==, "/");
  g_assert_cmpuint (a->attempts, ==, 1);

  g_signal_handlers_disconnect_by_data (a->socket, nsps);
  peer_free (a);
  test_server_free (server);
}

/* When the network comes back, the socket tries at once instead of waiting out its
 * backoff delay (the shortest is 500 ms). */
static void
test_network_back (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  Peer            *a = peer_new_user (server, "a");
  GNetworkMonitor *monitor = g_network_monitor_get_default ();
  gint64           start;

  beacon_socket_connect (a->socket);
  wait_joined (a, 1);
  test_server_stop (server);
  test_wait_until (is_reconnecting, a);
  g_assert_cmpuint (beacon_socket_get_next_retry_in (a->socket), >, 0);
  test_server_restart (server);
  beacon_socket_set_url (a->socket, server->base_url);

  start = g_get_monotonic_time ();
  g_signal_emit_by_name (monitor, "network-changed", FALSE);
  g_signal_emit_by_name (monitor, "network-changed", TRUE);
  g_assert_cmpuint (beacon_socket_get_next_retry_in (a->socket), ==, 0);
  wait_joined (a, 2);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 450 * 1000);

  peer_free (a);
  test_server_free (server);
}

/* HTTP long-polling only: the session lives across several pings (pongs go by POST),
 * acks come back, and events of another socket arrive by GET. */
static void
test_polling (void)
{
  const char *env[] = { "BEACON_PING_INTERVAL_MS=300", "BEACON_PING_TIMEOUT_MS=300", NULL };
  TestServer *server = test_server_start (test_default_world, env);
  Peer       *a = peer_new_user (server, "a");
  Peer       *b = peer_new_user (server, "b");
  g_autoptr (JsonArray) away = json_array_new ();
  JsonNode             *record;

  beacon_socket_set_websocket_enabled (a->socket, FALSE);
  beacon_socket_connect (a->socket);
  wait_event (a, "presence:connected", NULL, NULL);
  iterate_for (1500);
  g_assert_cmpuint (a->joined, ==, 1);
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_CONNECTED);

  assert_heartbeat_acked (a);

  beacon_socket_connect (b->socket);
  wait_joined (b, 1);
  json_array_add_string_element (away, "away");
  beacon_socket_emit (b->socket, "/", "update_status", away);
  record = wait_event (a, "presence_updated", "status", "away");
  g_assert_cmpstr (test_json_string (record, "user_id"), ==, "b");
  g_assert_cmpuint (a->joined, ==, 1);

  peer_free (a);
  peer_free (b);
  test_server_free (server);
}

/* A proxy in front of beacon-server that refuses WebSockets and forwards long-polling. */
typedef struct
{
  SoupServer   *server;
  SoupSession  *session;
  char         *target; /* the real server's base URL */
  char         *url;    /* the proxy's */
  GCancellable *cancel;
  guint         refused;
  guint         forwarded;
  guint         pending; /* requests waiting for the real server */
} Proxy;

typedef struct
{
  Proxy             *proxy;
  SoupServerMessage *msg;
} Forward;

static void
on_forwarded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Forward           *forward = user_data;
  SoupServerMessage *msg = forward->msg;
  SoupMessage *upstream = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  if (body)
    {
      soup_server_message_set_status (msg, soup_message_get_status (upstream), NULL);
      soup_server_message_set_response (msg, "text/plain; charset=UTF-8", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (body, NULL), g_bytes_get_size (body));
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_BAD_GATEWAY, NULL);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  forward->proxy->pending--;
  g_free (forward);
}

static void
proxy_handle (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Proxy                  *proxy = user_data;
  SoupMessageHeaders     *headers = soup_server_message_get_request_headers (msg);
  GUri                   *uri = soup_server_message_get_uri (msg);
  g_autofree char        *url = NULL;
  g_autoptr (SoupMessage) upstream = NULL;
  Forward                *forward;

  if (soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    {
      proxy->refused++;
      soup_server_message_set_status (msg, SOUP_STATUS_FORBIDDEN, NULL);
      return;
    }
  proxy->forwarded++;
  url = g_strdup_printf ("%s%s?%s", proxy->target, g_uri_get_path (uri), g_uri_get_query (uri));
  upstream = soup_message_new (soup_server_message_get_method (msg), url);
  if (g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      g_autoptr (GBytes) body =
          soup_message_body_flatten (soup_server_message_get_request_body (msg));

      soup_message_set_request_body_from_bytes (upstream, "text/plain;charset=UTF-8", body);
    }
  forward = g_new0 (Forward, 1);
  forward->proxy = proxy;
  forward->msg = g_object_ref (msg);
  proxy->pending++;
  soup_server_message_pause (msg);
  soup_session_send_and_read_async (proxy->session, upstream, G_PRIORITY_DEFAULT, proxy->cancel,
                                    on_forwarded, forward);
}

static Proxy *
proxy_new (const char *target)
{
  Proxy             *proxy = g_new0 (Proxy, 1);
  g_autoptr (GError) error = NULL;
  GSList            *uris;

  proxy->target = g_strdup (target);
  proxy->session = soup_session_new ();
  proxy->cancel = g_cancellable_new ();
  proxy->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (proxy->server, "/api/socket/", proxy_handle, proxy, NULL);
  soup_server_listen_local (proxy->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (proxy->server);
  proxy->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return proxy;
}

static gboolean
proxy_idle (gpointer data)
{
  return ((Proxy *) data)->pending == 0;
}

static void
proxy_free (Proxy *proxy)
{
  g_cancellable_cancel (proxy->cancel);
  test_wait_until (proxy_idle, proxy);
  soup_server_disconnect (proxy->server);
  g_clear_object (&proxy->cancel);
  g_assert_finalize_object (g_steal_pointer (&proxy->server));
  g_clear_object (&proxy->session);
  g_free (proxy->target);
  g_free (proxy->url);
  g_free (proxy);
}

/* Behind a proxy that refuses WebSockets, the socket falls back to long-polling. */
static void
test_polling_fallback (void)
{
  TestServer *server;
  Proxy      *proxy;
  Peer       *a;

#ifdef HAVE_ASAN
  /* libsoup 3.2's SoupServer (the test proxy) leaks every connection a client closes
   * (fixed in libsoup 3.3); the polling test above leak-checks the client's side. */
  g_test_skip ("SoupServer of libsoup 3.2 leaks closed connections under LeakSanitizer");
  return;
#endif
  server = test_server_start (test_default_world, NULL);
  proxy = proxy_new (server->base_url);
  a = peer_new_user (server, "a");

  beacon_socket_set_url (a->socket, proxy->url);
  beacon_socket_connect (a->socket);
  wait_event (a, "presence:connected", NULL, NULL);
  g_assert_cmpuint (proxy->refused, >=, 1);
  g_assert_cmpuint (proxy->forwarded, >=, 2);
  g_assert_cmpstr (beacon_socket_get_transport (a->socket), ==, "polling");

  peer_free (a);
  proxy_free (proxy);
  test_server_free (server);
}

static gboolean
retry_pending (gpointer data)
{
  return is_reconnecting (data) && beacon_socket_get_next_retry_in (((Peer *) data)->socket) > 0;
}

/* Waiting for a retry across a suspend: the retry's timer stood still, and the clock's
 * tick on resume shows it overdue by the real time, so the attempt is made at once. */
static void
test_resume_while_reconnecting (void)
{
  TestServer             *server = test_server_start (test_default_world, NULL);
  Peer                   *a = peer_new_user (server, "a");
  g_autoptr (GDateTime)   now = g_date_time_new_now_utc ();
  g_autoptr (BeaconClock) clock = beacon_clock_new_for_testing (now);
  g_autoptr (GDateTime)   later = g_date_time_add_hours (now, 1);

  beacon_socket_set_clock (a->socket, clock);
  beacon_socket_connect (a->socket);
  wait_joined (a, 1);
  test_server_stop (server);
  test_wait_until (retry_pending, a);

  /* Synchronous: no main-loop turn in between for the retry's own timer. */
  beacon_clock_set_now (clock, later);
  g_assert_cmpuint (beacon_socket_get_next_retry_in (a->socket), ==, 0);

  test_server_restart (server);
  beacon_socket_set_url (a->socket, server->base_url);
  wait_joined (a, 2);

  peer_free (a);
  test_server_free (server);
}

static gboolean
probed_twice (gpointer data)
{
  return ((TestRelay *) data)->probes >= 2;
}

/* Behind a proxy that resets every WebSocket upgrade (a TCP RST, no HTTP answer), the socket
 * falls back to long-polling, which works both ways; probes to upgrade the session keep
 * failing, and are tried again after a delay, not in a loop. */
static void
test_fallback_after_reset (void)
{
  TestServer           *server = test_server_start (test_default_world, NULL);
  TestRelay            *relay = test_relay_new (server->port);
  Peer                 *a = peer_new_user (server, "a");
  Peer                 *b = peer_new_user (server, "b");
  g_autoptr (JsonArray) away = json_array_new ();
  JsonNode             *record;

  relay->reset_upgrades = TRUE;
  beacon_socket_set_url (a->socket, relay->url);
  beacon_socket_connect (a->socket);
  wait_event (a, "presence:connected", NULL, NULL);
  g_assert_cmpstr (beacon_socket_get_transport (a->socket), ==, "polling");

  beacon_socket_connect (b->socket);
  wait_joined (b, 1);
  json_array_add_string_element (away, "away");
  beacon_socket_emit (b->socket, "/", "update_status", away);
  record = wait_event (a, "presence_updated", "status", "away");
  g_assert_cmpstr (test_json_string (record, "user_id"), ==, "b");
  assert_heartbeat_acked (a);

  /* The first probe went at the open packet, the next after 0.5 to 1.5 s, the third 1 to
   * 3 s after that. */
  test_wait_until (probed_twice, relay);
  iterate_for (900);
  g_assert_cmpuint (relay->probes, <=, 3);
  g_assert_cmpuint (a->joined, ==, 1);
  g_assert_cmpint (beacon_socket_get_state (a->socket), ==, BEACON_SOCKET_STATE_CONNECTED);
  g_assert_cmpstr (beacon_socket_get_transport (a->socket), ==, "polling");

  peer_free (a);
  peer_free (b);
  test_relay_free (relay);
  test_server_free (server);
}

/* The upgrade test: at each turn of the main loop, one message from the socket (on
 * whatever transport it has then) and one from a plain client to it, so that some go at
 * each step of the upgrade (probe, pause, switch); until five went on the WebSocket. */
#define BURST_MAX 300

typedef struct
{
  Peer       *a;
  TestClient *b;
  const char *conv;
  guint       sent; /* each way */
  guint       on_polling;
  guint       on_websocket;
} Burst;

static void
burst_emit (Burst *burst)
{
  g_autofree char *from_a =
      g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"a%u\"}", burst->conv, burst->sent);
  g_autofree char *from_b =
      g_strdup_printf ("{\"conversationId\":\"%s\",\"content\":\"b%u\"}", burst->conv, burst->sent);
  g_autoptr (JsonArray) args = json_array_new ();

  if (g_strcmp0 (beacon_socket_get_transport (burst->a->socket), "websocket") == 0)
    burst->on_websocket++;
  else
    burst->on_polling++;
  json_array_add_element (args, json_from_string (from_a, NULL));
  beacon_socket_emit (burst->a->socket, "/", "send_message", args);
  test_client_emit (burst->b, "send_message", from_b, FALSE);
  burst->sent++;
}

static guint
count_events (Peer *peer, const char *name)
{
  guint n = 0;

  for (guint i = 0; i < peer->events->len; i++)
    if (g_strcmp0 (json_array_get_string_element (g_ptr_array_index (peer->events, i), 0), name) ==
        0)
      n++;
  return n;
}

static gboolean
all_messages_in (gpointer data)
{
  Burst *burst = data;

  return count_events (burst->a, "new_message") >= burst->sent;
}

static gboolean
probed_once (gpointer data)
{
  return ((TestRelay *) data)->probes >= 1;
}

/* A session on long-polling upgrades to a WebSocket (the same session: no second join), and
 * events going both ways meanwhile all arrive, once each, in order. A relay resets the
 * WebSockets until the socket has joined on long-polling; the next probe gets through. */
static void
test_upgrade (void)
{
  const char *env[] = { "BEACON_RATE_LIMIT_PER_S=10000", "BEACON_RATE_LIMIT_BURST=10000", NULL };
  TestServer *server = test_server_start (test_default_world, env);
  g_autofree char     *token_a = test_server_token (server, "a", 3600);
  Peer                *a = peer_new (server, token_a);
  TestClient          *b = test_client_connect_user (server, "b");
  TestRelay           *relay = test_relay_new (server->port);
  g_autoptr (JsonNode) conv = NULL;
  Burst                burst = { a, b };
  guint                n = 0;
  guint                wake_id;

  g_assert_cmpuint (
      test_rest (server, "POST", "/api/conversations", token_a, "{\"partner_id\":\"b\"}", &conv),
      ==, 200);
  burst.conv = test_json_string (conv, "id");
  relay->reset_upgrades = TRUE;
  beacon_socket_set_url (a->socket, relay->url);
  beacon_socket_connect (a->socket);
  wait_joined (a, 1);
  test_wait_until (probed_once, relay);
  g_assert_cmpstr (beacon_socket_get_transport (a->socket), ==, "polling");
  relay->reset_upgrades = FALSE;
  test_wait_until (probed_twice, relay);
  wake_id = g_timeout_add (10, wake, NULL);
  while (burst.on_websocket < 5 && burst.sent < BURST_MAX)
    {
      burst_emit (&burst);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake_id);
  g_assert_cmpuint (burst.on_polling, >, 0);
  g_assert_cmpuint (burst.on_websocket, >, 0);

  /* Socket to client: every message once, in order. */
  for (guint i = 0; i < burst.sent; i++)
    {
      g_autoptr (JsonNode) received = test_client_wait_event (b, "new_message");
      g_autofree char     *expected = g_strdup_printf ("a%u", i);
      JsonObject          *message =
          json_object_get_object_member (json_node_get_object (received), "message");

      g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, expected);
    }
  g_assert_null (test_client_try_event (b, "new_message", 300));

  /* Client to socket: the same; an ack after them shows nothing more is on its way. */
  test_wait_until (all_messages_in, &burst);
  assert_heartbeat_acked (a);
  for (guint i = 0; i < a->events->len; i++)
    {
      JsonArray       *entry = g_ptr_array_index (a->events, i);
      g_autofree char *expected = g_strdup_printf ("b%u", n);
      JsonObject      *message;

      if (g_strcmp0 (json_array_get_string_element (entry, 0), "new_message") != 0)
        continue;
      message = json_object_get_object_member (json_array_get_object_element (entry, 1), "message");
      g_assert_cmpstr (json_object_get_string_member (message, "content"), ==, expected);
      n++;
    }
  g_assert_cmpuint (n, ==, burst.sent);

  g_assert_cmpstr (beacon_socket_get_transport (a->socket), ==, "websocket");
  g_assert_cmpuint (a->joined, ==, 1);
  g_assert_cmpuint (a->attempts, ==, 1);

  test_client_free (b);
  peer_free (a);
  test_relay_free (relay);
  test_server_free (server);
}

/* A socket let go while its WebSocket handshake is under way finalizes at once. */
static void
test_free_while_connecting (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  Peer       *a = peer_new_user (server, "a");
  Peer       *b = peer_new_user (server, "b");

  beacon_socket_connect (a->socket);
  peer_free (a);
  /* The cancelled handshake completes without touching the freed socket. */
  beacon_socket_connect (b->socket);
  wait_joined (b, 1);

  peer_free (b);
  test_server_free (server);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/socket/connect", test_connect);
  g_test_add_func ("/socket/connect-error", test_connect_error);
  g_test_add_func ("/socket/ack", test_ack);
  g_test_add_func ("/socket/namespaces", test_namespaces);
  g_test_add_func ("/socket/presence-between-sockets", test_presence_between_sockets);
  g_test_add_func ("/socket/server-restarted", test_server_restarted);
  g_test_add_func ("/socket/ping-timeout", test_ping_timeout);
  g_test_add_func ("/socket/resume-after-suspend", test_resume_after_suspend);
  g_test_add_func ("/socket/queue-and-volatile", test_queue_and_volatile);
  g_test_add_func ("/socket/many-reconnects", test_many_reconnects);
  g_test_add_func ("/socket/free-while-connecting", test_free_while_connecting);
  g_test_add_func ("/socket/network-back", test_network_back);
  g_test_add_func ("/socket/polling", test_polling);
  g_test_add_func ("/socket/polling-fallback", test_polling_fallback);
  g_test_add_func ("/socket/resume-while-reconnecting", test_resume_while_reconnecting);
  g_test_add_func ("/socket/fallback-after-reset", test_fallback_after_reset);
  g_test_add_func ("/socket/upgrade", test_upgrade);

  return g_test_run ();
}
