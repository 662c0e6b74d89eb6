/* sio-fixture.c: a Socket.IO v5 server on beacon-server's network and Socket.IO layers for the
 * official socket.io-protocol test suite: emits "auth" on connect, echoes and acknowledges. */

#include "bs-metrics.h"
#include "bs-net.h"
#include "bs-sio.h"

#include <stdlib.h>
#include <string.h>

/* The suite's expected server (its Readme, "Test suite"):
 *   io.on ("connection", socket => {
 *     socket.emit ("auth", socket.handshake.auth);
 *     socket.on ("message", (...args) => socket.emit ("message-back", ...args));
 *     socket.on ("message-with-ack", (...args) => { const ack = args.pop (); ack (...args); });
 *   });
 *   io.of ("/custom").on ("connection", socket => socket.emit ("auth", socket.handshake.auth));
 * Here /custom echoes as well, which the suite does not exercise. */

typedef struct
{
  uv_loop_t *loop;
  BsNet     *net;
  BsSio     *sio;
} Fixture;

/* How long "auth" waits after the CONNECT answer (see connected_cb). */
#define AUTH_DELAY_MS 5

/* What each socket keeps: its handshake auth, and the timer that emits it. */
typedef struct
{
  BsSioSocket *socket;
  JsonNode    *auth;
  uv_timer_t  *timer;
} Connection;

static gboolean
authorize_cb (BsEioSocket *eio,
              JsonNode    *auth,
              gpointer    *socket_data,
              JsonNode   **error_data,
              gpointer     user_data)
{
  Connection *connection = g_new0 (Connection, 1);

  /* The handshake auth, kept for the "auth" event: {} when the CONNECT had none. */
  if (auth)
    connection->auth = json_node_copy (auth);
  else
    {
      g_autoptr (JsonObject) empty = json_object_new ();

      connection->auth = json_node_init_object (json_node_alloc (), empty);
    }
  *socket_data = connection;
  return TRUE;
}

static void
emit_auth (uv_timer_t *timer)
{
  Connection *connection = timer->data;

  bs_sio_socket_emit (connection->socket, "auth", connection->auth);
}

/* "auth" goes AUTH_DELAY_MS after the CONNECT answer, not in the same write burst. The suite
 * awaits one frame at a time and adds its next listener only once the previous promise has
 * resolved, while its ws@8.5 client emits every frame of one TCP read at once: two frames
 * read together lose the second. Timing only, not protocol: the reference socket.io 4.8
 * server, whose two writes are spaced by its write callback alone, fails 2 to 5 of the 32
 * tests here for that reason; a loop turn (timer 0) or 1 ms was not enough either. */
static void
connected_cb (BsSioSocket *socket, gpointer user_data)
{
  Connection *connection = bs_sio_socket_get_data (socket);
  Fixture    *fixture = user_data;

  connection->socket = socket;
  connection->timer = g_new0 (uv_timer_t, 1);
  uv_timer_init (fixture->loop, connection->timer);
  connection->timer->data = connection;
  uv_timer_start (connection->timer, emit_auth, AUTH_DELAY_MS, 0);
}

static void
echo (BsSioSocket *socket, const char *name, JsonArray *args, GPtrArray *attachments, gint64 ack_id)
{
  if (strcmp (name, "message") == 0)
    bs_sio_socket_emit_args (socket, "message-back", args, attachments);
  else if (strcmp (name, "message-with-ack") == 0)
    bs_sio_socket_ack_args (socket, ack_id, args, attachments);
}

static void
event_cb (BsSioSocket *socket, const char *name, JsonArray *args, gint64 ack_id, gpointer user_data)
{
  echo (socket, name, args, NULL, ack_id);
}

static void
binary_event_cb (BsSioSocket *socket,
                 const char  *name,
                 JsonArray   *args,
                 GPtrArray   *attachments,
                 gint64       ack_id,
                 gpointer     user_data)
{
  echo (socket, name, args, attachments, ack_id);
}

static void
free_timer (uv_handle_t *handle)
{
  g_free (handle);
}

static void
disconnected_cb (BsSioSocket *socket, const char *reason, gpointer user_data)
{
  Connection *connection = bs_sio_socket_get_data (socket);

  if (connection->timer)
    uv_close ((uv_handle_t *) connection->timer, free_timer);
  json_node_unref (connection->auth);
  g_free (connection);
}

static void
on_eio_open (BsEioSocket *socket, gpointer user_data)
{
  Fixture *fixture = user_data;

  bs_sio_on_eio_open (fixture->sio, socket);
}

static void
on_eio_message (BsEioSocket *socket, const char *text, gsize len, gpointer user_data)
{
  Fixture *fixture = user_data;

  bs_sio_on_eio_message (fixture->sio, socket, text, len);
}

static void
on_eio_binary (BsEioSocket *socket, GBytes *data, gpointer user_data)
{
  Fixture *fixture = user_data;

  bs_sio_on_eio_binary (fixture->sio, socket, data);
}

static void
on_eio_close (BsEioSocket *socket, const char *reason, gpointer user_data)
{
  Fixture *fixture = user_data;

  bs_sio_on_eio_close (fixture->sio, socket, reason);
}

static void
on_http (BsHttpRequest *request, gpointer user_data)
{
  bs_http_request_respond_error (request, 404, "not_found", "Not found");
}

static void
on_done (gpointer data)
{
  uv_signal_t *signals = data;

  uv_close ((uv_handle_t *) &signals[0], NULL);
  uv_close ((uv_handle_t *) &signals[1], NULL);
}

static void
on_signal (uv_signal_t *handle, int signum)
{
  Fixture *fixture = handle->data;

  bs_net_shutdown (fixture->net, on_done, handle->loop->data);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  uv_loop_t         *loop = uv_default_loop ();
  uv_signal_t        signals[2];
  Fixture            fixture = { 0 };
  char              *any_origin[] = { "*", NULL };
  BsNetConfig        net_config = {
           .host = argc > 2 ? argv[2] : "::",
           .port = argc > 1 ? (guint) atoi (argv[1]) : 3000,
           .socket_path = "/socket.io/",
           .ping_interval_ms = 300,
           .ping_timeout_ms = 200,
           .upgrade_timeout_ms = 10000,
           .max_payload = 1000000,
           .max_http_body = 1000000,
           .cors_origins = any_origin,
  };
  BsSioConfig sio_config = {
    .connect_timeout_ms = 1000,
    /* The reference server has no rate limit: one the suite never reaches. */
    .rate_per_s = 10000,
    .rate_burst = 10000,
    .rate_disconnect_ms = 10000,
    .max_attachment_bytes = 10 * 1000000,
  };
  BsNetHandlers net_handlers = {
    .http_request = on_http,
    .eio_open = on_eio_open,
    .eio_message = on_eio_message,
    .eio_close = on_eio_close,
    .eio_binary = on_eio_binary,
  };
  BsSioNamespaceHandlers nsp_handlers = {
    .authorize = authorize_cb,
    .connected = connected_cb,
    .event = event_cb,
    .binary_event = binary_event_cb,
    .disconnected = disconnected_cb,
  };

  bs_metrics_init ();
  fixture.loop = loop;
  fixture.sio = bs_sio_new (loop, &sio_config);
  bs_sio_add_namespace (fixture.sio, "/", &nsp_handlers, &fixture);
  bs_sio_add_namespace (fixture.sio, "/custom", &nsp_handlers, &fixture);
  fixture.net = bs_net_new (loop, &net_config, &net_handlers, &fixture, &error);
  if (fixture.net == NULL)
    {
      g_printerr ("sio-fixture: %s\n", error->message);
      bs_sio_free (fixture.sio);
      return 1;
    }
  g_print ("listening on port %u\n", bs_net_get_port (fixture.net));

  loop->data = signals;
  for (int i = 0; i < 2; i++)
    {
      uv_signal_init (loop, &signals[i]);
      signals[i].data = &fixture;
      uv_signal_start (&signals[i], on_signal, i == 0 ? SIGINT : SIGTERM);
    }
  uv_run (loop, UV_RUN_DEFAULT);
  bs_net_free (fixture.net);
  bs_sio_free (fixture.sio);
  uv_loop_close (loop);
  return 0;
}
