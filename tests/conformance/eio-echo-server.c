/* eio-echo-server.c: an Engine.IO v4 echo server on beacon-server's network layer, for the
 * official engine.io-protocol test suite: every message goes back to its sender. */

#include "bs-metrics.h"
#include "bs-net.h"

#include <stdlib.h>

static void
on_message (BsEioSocket *socket, const char *text, gsize len, gpointer user_data)
{
  GString *out = g_string_sized_new (len + 1);
  gsize    out_len;
  GBytes  *bytes;

  g_string_append_c (out, '4');
  g_string_append_len (out, text, len);
  out_len = out->len;
  bytes = g_bytes_new_take (g_string_free (out, FALSE), out_len);
  bs_eio_socket_send (socket, bytes);
  g_bytes_unref (bytes);
}

static void
on_binary (BsEioSocket *socket, GBytes *data, gpointer user_data)
{
  bs_eio_socket_send_binary (socket, data);
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
  BsNet *net = handle->data;

  bs_net_shutdown (net, on_done, handle->loop->data);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  uv_loop_t         *loop = uv_default_loop ();
  uv_signal_t        signals[2];
  BsNet             *net;
  BsNetConfig        config = {
           .host = argc > 2 ? argv[2] : "::",
           .port = argc > 1 ? (guint) atoi (argv[1]) : 3000,
           .socket_path = "/engine.io/",
           .ping_interval_ms = 300,
           .ping_timeout_ms = 200,
           .upgrade_timeout_ms = 10000,
           .max_payload = 1000000,
           .max_http_body = 1000000,
  };
  BsNetHandlers handlers = {
    .http_request = on_http,
    .eio_message = on_message,
    .eio_binary = on_binary,
  };

  bs_metrics_init ();
  net = bs_net_new (loop, &config, &handlers, NULL, &error);
  if (net == NULL)
    {
      g_printerr ("eio-echo-server: %s\n", error->message);
      return 1;
    }
  g_print ("listening on port %u\n", bs_net_get_port (net));

  loop->data = signals;
  for (int i = 0; i < 2; i++)
    {
      uv_signal_init (loop, &signals[i]);
      signals[i].data = net;
      uv_signal_start (&signals[i], on_signal, i == 0 ? SIGINT : SIGTERM);
    }
  uv_run (loop, UV_RUN_DEFAULT);
  bs_net_free (net);
  uv_loop_close (loop);
  return 0;
}
