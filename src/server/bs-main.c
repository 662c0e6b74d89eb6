/* bs-main.c: the beacon-server program: options (command line and environment), start-up
 * (store, secret, hub, network), the flush timer, clean shutdown, and "admin". */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "bs-admin.h"
#include "bs-demo.h"
#include "bs-hub.h"
#include "bs-metrics.h"
#include "bs-net.h"
#include "bs-password.h"
#include "bs-rest.h"
#include "bs-sio.h"
#include "bs-store.h"

#define FLUSH_WARN_INTERVAL_US (60 * G_USEC_PER_SEC)

typedef struct
{
  char    *listen;
  char    *db;
  char    *secret_file;
  gboolean demo;
  char   **cors_origins;
  char   **trusted_proxies;
  int      heartbeat_timeout_ms;
  int      ping_interval_ms;
  int      ping_timeout_ms;
  int      connect_timeout_ms;
  double   rate_per_s;
  double   rate_burst;
  int      guest_coalesce_ms;
  int      max_payload;
  gboolean metrics_public;
  gboolean version;
} Options;

typedef struct
{
  uv_loop_t  *loop;
  Options    *options;
  BsStore    *store;
  BsStore    *writer; /* a second connection, for the flushes on a worker thread */
  BsSio      *sio;
  BsHub      *hub;
  BsRest     *rest;
  BsNet      *net;
  uv_timer_t  flush_timer;
  uv_work_t   flush_work;
  BsHubFlush *flushing;        /* the snapshot being written, NULL when none */
  GError     *flush_error;     /* why writing it failed (set on the worker thread) */
  guint       flush_failures;  /* in a row */
  gint64      flush_warned_at; /* monotonic µs */
  gboolean    flush_on_done;   /* shutting down: flush the rest once that one is written */
  uv_signal_t sigint;
  uv_signal_t sigterm;
  gboolean    stopping;
  int         status;
} Server;

static void
options_clear (Options *options)
{
  g_clear_pointer (&options->listen, g_free);
  g_clear_pointer (&options->db, g_free);
  g_clear_pointer (&options->secret_file, g_free);
  g_clear_pointer (&options->cors_origins, g_strfreev);
  g_clear_pointer (&options->trusted_proxies, g_strfreev);
}

static void
env_string (const char *name, char **target)
{
  const char *value = g_getenv (name);

  if (value && *value)
    {
      g_free (*target);
      *target = g_strdup (value);
    }
}

static gboolean
env_int (const char *name, int *target, GError **error)
{
  const char *value = g_getenv (name);
  gint64      n;

  if (value == NULL || *value == '\0')
    return TRUE;
  if (!g_ascii_string_to_signed (value, 10, 0, G_MAXINT, &n, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s must be a whole number, not \"%s\"", name, value);
      return FALSE;
    }
  *target = n;
  return TRUE;
}

static gboolean
env_double (const char *name, double *target, GError **error)
{
  const char *value = g_getenv (name);
  char       *end = NULL;
  double      d;

  if (value == NULL || *value == '\0')
    return TRUE;
  d = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || !(d > 0))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s must be a positive number, not \"%s\"", name, value);
      return FALSE;
    }
  *target = d;
  return TRUE;
}

static void
env_list (const char *name, char ***target)
{
  const char *value = g_getenv (name);

  if (value && *value)
    {
      g_strfreev (*target);
      *target = g_strsplit (value, ",", 0);
    }
}

static gboolean
parse_listen (const char *listen, char **host, guint *port, GError **error)
{
  const char *colon = strrchr (listen, ':');
  guint64     p;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &p, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen wants HOST:PORT (e.g. 127.0.0.1:8080), not \"%s\"", listen);
      return FALSE;
    }
  *host = g_strndup (listen, colon - listen);
  if (**host == '[' && (*host)[strlen (*host) - 1] == ']')
    {
      char *inner = g_strndup (*host + 1, strlen (*host) - 2);

      g_free (*host);
      *host = inner;
    }
  *port = p;
  return TRUE;
}

/* The JWT secret: read from the file, or generated into it (mode 0600) on first start. */
static GBytes *
load_secret (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize            len;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!g_file_get_contents (path, &contents, &len, error))
        return NULL;
      while (len > 0 && (contents[len - 1] == '\n' || contents[len - 1] == '\r'))
        len--;
      if (len < 16)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "the secret in %s is shorter than 16 bytes: use a long random one", path);
          return NULL;
        }
      return g_bytes_new (contents, len);
    }
  else
    {
      guint8           raw[32];
      g_autofree char *hex = NULL;
      gssize           written;
      int              fd, saved;

      if (getrandom (raw, sizeof raw, 0) != sizeof raw)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                       "no random bytes for a new secret");
          return NULL;
        }
      hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, raw, sizeof raw);
      fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0)
        {
          saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "could not create a new secret in %s: %s", path, g_strerror (saved));
          return NULL;
        }
      /* on disk before any token is signed with it: a crash must not leave an empty file */
      written = write (fd, hex, strlen (hex));
      saved = written < 0 ? errno : ENOSPC; /* a short write: the file system is full */
      if (written == (gssize) strlen (hex) && fsync (fd) != 0)
        {
          saved = errno;
          written = -1;
        }
      if (close (fd) != 0 && written == (gssize) strlen (hex))
        {
          saved = errno;
          written = -1;
        }
      if (written != (gssize) strlen (hex))
        {
          g_unlink (path);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "could not write a new secret to %s: %s", path, g_strerror (saved));
          return NULL;
        }
      g_message ("generated a new token secret in %s", path);
      return g_bytes_new (hex, strlen (hex));
    }
}

static void
on_http_request (BsHttpRequest *request, gpointer user_data)
{
  Server *server = user_data;

  bs_rest_handle (server->rest, request);
}

static void
on_eio_open (BsEioSocket *socket, gpointer user_data)
{
  Server *server = user_data;

  bs_sio_on_eio_open (server->sio, socket);
}

static void
on_eio_message (BsEioSocket *socket, const char *text, gsize len, gpointer user_data)
{
  Server *server = user_data;

  bs_sio_on_eio_message (server->sio, socket, text, len);
}

static void
on_eio_binary (BsEioSocket *socket, GBytes *data, gpointer user_data)
{
  Server *server = user_data;

  bs_sio_on_eio_binary (server->sio, socket, data);
}

static void
on_eio_close (BsEioSocket *socket, const char *reason, gpointer user_data)
{
  Server *server = user_data;

  bs_sio_on_eio_close (server->sio, socket, reason);
}

/* On the loop thread: how a flush went. One that fails (a full disk) is tried again every
 * second with everything kept: warned about at the first failure and then at most once a
 * minute, not every second, and the recovery is said once. */
static void
flush_report (Server *server, const GError *error)
{
  gint64 now = g_get_monotonic_time ();

  if (error == NULL)
    {
      if (server->flush_failures > 0)
        g_message ("saving presence works again, after %u failed tries", server->flush_failures);
      server->flush_failures = 0;
      return;
    }
  bs_metrics_flush_failed ();
  if (server->flush_failures++ == 0 || now - server->flush_warned_at >= FLUSH_WARN_INTERVAL_US)
    {
      g_warning ("saving presence failed (kept for the next try, %u tries so far; warned again "
                 "at most once a minute): %s",
                 server->flush_failures, error->message);
      server->flush_warned_at = now;
    }
}

/* On the loop thread, whatever is due, at once: at shutdown (final: there is no next try,
 * so a failure loses what was not saved and says so), or when no worker can do it. */
static void
flush (Server *server, gboolean final)
{
  g_autoptr (GError) error = NULL;

  if (!bs_hub_flush (server->hub, &error) && final)
    g_warning ("saving presence at shutdown failed, the changes not saved yet are lost: %s",
               error->message);
  else
    flush_report (server, error);
}

static void
flush_work (uv_work_t *req)
{
  Server *server = req->data;

  bs_hub_flush_write (server->flushing, server->writer, &server->flush_error);
}

static void
flush_work_done (uv_work_t *req, int status)
{
  Server *server = req->data;

  bs_hub_flush_done (server->hub, g_steal_pointer (&server->flushing));
  flush_report (server, server->flush_error);
  g_clear_error (&server->flush_error);
  if (server->flush_on_done)
    flush (server, TRUE);
}

/* Once a second: what changed is written by a worker thread on its own connection, so the
 * loop never waits for SQLite; at most one flush is under way, and a crash loses at most
 * the last second or so. */
static void
on_flush_timer (uv_timer_t *timer)
{
  Server *server = timer->data;

  if (server->writer == NULL)
    {
      flush (server, FALSE);
      return;
    }
  if (server->flushing || !(server->flushing = bs_hub_flush_take (server->hub)))
    return;
  server->flush_work.data = server;
  if (uv_queue_work (server->loop, &server->flush_work, flush_work, flush_work_done) < 0)
    {
      bs_hub_flush_done (server->hub, g_steal_pointer (&server->flushing));
      flush (server, FALSE);
    }
}

static void
on_net_shut (gpointer data)
{
  Server *server = data;

  if (server->flushing)
    server->flush_on_done = TRUE; /* after the one under way */
  else
    flush (server, TRUE);
  uv_close ((uv_handle_t *) &server->flush_timer, NULL);
  uv_close ((uv_handle_t *) &server->sigint, NULL);
  uv_close ((uv_handle_t *) &server->sigterm, NULL);
  g_message ("stopped");
}

static void
on_signal (uv_signal_t *handle, int signum)
{
  Server *server = handle->data;

  if (server->stopping)
    return;
  server->stopping = TRUE;
  g_message ("%s: closing connections and saving", signum == SIGINT ? "SIGINT" : "SIGTERM");
  uv_timer_stop (&server->flush_timer);
  if (server->options->demo)
    bs_demo_stop ();
  bs_net_shutdown (server->net, on_net_shut, server);
}

static void
print_version (void)
{
  printf ("beacon-server %s\n", PACKAGE_VERSION);
}

int
main (int argc, char *argv[])
{
  Options options = {
    .heartbeat_timeout_ms = 60000,
    .ping_interval_ms = 25000,
    .ping_timeout_ms = 20000,
    .connect_timeout_ms = 45000,
    .rate_per_s = 20,
    .rate_burst = 50,
    .guest_coalesce_ms = 1000,
    .max_payload = 1000000,
  };
  /* Strings from the command line land here first: GOption overwrites without freeing. */
  Options      cli = { 0 };
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &cli.listen, "Address to listen on [BEACON_LISTEN]",
      "HOST:PORT" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &cli.db,
      "SQLite database file, created if missing [BEACON_DB]", "PATH" },
    { "jwt-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &cli.secret_file,
      "Token secret; generated beside the database when absent [BEACON_JWT_SECRET_FILE]", "FILE" },
    { "demo", 0, 0, G_OPTION_ARG_NONE, &options.demo,
      "Seed a demo world and drive it [BEACON_DEMO=1]", NULL },
    { "cors-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli.cors_origins,
      "Allowed CORS origin, repeatable, * for any [BEACON_CORS_ORIGINS, comma-separated]",
      "ORIGIN" },
    { "trusted-proxy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli.trusted_proxies,
      "Proxy address whose X-Forwarded-For is believed [BEACON_TRUSTED_PROXIES]", "ADDR" },
    { "heartbeat-timeout", 0, 0, G_OPTION_ARG_INT, &options.heartbeat_timeout_ms,
      "Disconnect devices silent this long [BEACON_HEARTBEAT_TIMEOUT_MS]", "MS" },
    { "ping-interval", 0, 0, G_OPTION_ARG_INT, &options.ping_interval_ms,
      "[BEACON_PING_INTERVAL_MS]", "MS" },
    { "ping-timeout", 0, 0, G_OPTION_ARG_INT, &options.ping_timeout_ms, "[BEACON_PING_TIMEOUT_MS]",
      "MS" },
    { "connect-timeout", 0, 0, G_OPTION_ARG_INT, &options.connect_timeout_ms,
      "Close sessions that join no namespace in time [BEACON_CONNECT_TIMEOUT_MS]", "MS" },
    { "rate-limit", 0, 0, G_OPTION_ARG_DOUBLE, &options.rate_per_s,
      "Events per second per socket [BEACON_RATE_LIMIT_PER_S]", "N" },
    { "rate-burst", 0, 0, G_OPTION_ARG_DOUBLE, &options.rate_burst,
      "Burst per socket [BEACON_RATE_LIMIT_BURST]", "N" },
    { "guest-interval", 0, 0, G_OPTION_ARG_INT, &options.guest_coalesce_ms,
      "At most one guest list update per this many ms [BEACON_GUEST_INTERVAL_MS]", "MS" },
    { "max-payload", 0, 0, G_OPTION_ARG_INT, &options.max_payload,
      "Largest frame in bytes [BEACON_MAX_PAYLOAD]", "BYTES" },
    { "metrics-public", 0, 0, G_OPTION_ARG_NONE, &options.metrics_public,
      "Serve /metrics to any address, not just loopback [BEACON_METRICS_PUBLIC=1]", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options.version, "Print the version and exit", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError)         error = NULL;
  g_autoptr (GBytes)         secret = NULL;
  g_autofree char           *host = NULL;
  guint                      port;
  Server                     server = { 0 };

  if (argc > 1 && strcmp (argv[1], "admin") == 0)
    {
      options_clear (&options);
      return bs_admin_main (argc - 1, argv + 1);
    }

  /* The environment gives defaults; the command line wins. */
  env_string ("BEACON_LISTEN", &options.listen);
  env_string ("BEACON_DB", &options.db);
  env_string ("BEACON_JWT_SECRET_FILE", &options.secret_file);
  env_list ("BEACON_CORS_ORIGINS", &options.cors_origins);
  env_list ("BEACON_TRUSTED_PROXIES", &options.trusted_proxies);
  options.demo = g_strcmp0 (g_getenv ("BEACON_DEMO"), "1") == 0;
  options.metrics_public = g_strcmp0 (g_getenv ("BEACON_METRICS_PUBLIC"), "1") == 0;
  if (!env_int ("BEACON_HEARTBEAT_TIMEOUT_MS", &options.heartbeat_timeout_ms, &error) ||
      !env_int ("BEACON_PING_INTERVAL_MS", &options.ping_interval_ms, &error) ||
      !env_int ("BEACON_PING_TIMEOUT_MS", &options.ping_timeout_ms, &error) ||
      !env_int ("BEACON_CONNECT_TIMEOUT_MS", &options.connect_timeout_ms, &error) ||
      !env_int ("BEACON_GUEST_INTERVAL_MS", &options.guest_coalesce_ms, &error) ||
      !env_int ("BEACON_MAX_PAYLOAD", &options.max_payload, &error) ||
      !env_double ("BEACON_RATE_LIMIT_PER_S", &options.rate_per_s, &error) ||
      !env_double ("BEACON_RATE_LIMIT_BURST", &options.rate_burst, &error))
    goto fail;

  context = g_option_context_new ("- the Beacon presence server");
  g_option_context_set_summary (context,
                                "Serves the Beacon REST API and Socket.IO presence on one node.\n"
                                "Administration: beacon-server admin --db PATH COMMAND (see "
                                "beacon-server admin --help).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    goto fail;
#define TAKE(field, free_func)                      \
  if (cli.field)                                    \
    {                                               \
      free_func (options.field);                    \
      options.field = g_steal_pointer (&cli.field); \
    }
  TAKE (listen, g_free)
  TAKE (db, g_free)
  TAKE (secret_file, g_free)
  TAKE (cors_origins, g_strfreev)
  TAKE (trusted_proxies, g_strfreev)
#undef TAKE
  if (options.listen == NULL)
    options.listen = g_strdup ("127.0.0.1:8080");
  if (options.version)
    {
      print_version ();
      options_clear (&options);
      return 0;
    }
  if (options.db == NULL)
    options.db = g_strdup ("beacon.db");
  if (options.secret_file == NULL)
    options.secret_file = g_strconcat (options.db, ".secret", NULL);
  if (options.cors_origins == NULL && options.demo)
    options.cors_origins = g_strsplit ("*", ",", 0);
  if (options.heartbeat_timeout_ms <= 0 || options.ping_interval_ms <= 0 ||
      options.ping_timeout_ms <= 0 || options.max_payload <= 0 || options.connect_timeout_ms <= 0 ||
      options.rate_per_s <= 0 || options.rate_burst < 1)
    {
      g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "timeouts, limits and sizes must be positive");
      goto fail;
    }
  if (!parse_listen (options.listen, &host, &port, &error))
    goto fail;

  bs_metrics_init ();
  if (!bs_password_init ())
    {
      g_set_error_literal (&error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "libsodium failed to start");
      goto fail;
    }
  if (!(server.store = bs_store_open (options.db, &error)))
    goto fail;
  /* an in-memory database cannot be opened twice: it is flushed on the loop */
  if (!g_str_equal (options.db, ":memory:") &&
      !(server.writer = bs_store_open (options.db, &error)))
    goto fail;
  if (options.demo && !bs_demo_seed (server.store, &error))
    goto fail;
  if (!(secret = load_secret (options.secret_file, &error)))
    goto fail;

  server.loop = uv_default_loop ();
  server.options = &options;
  {
    BsSioConfig sio_config = {
      .connect_timeout_ms = options.connect_timeout_ms,
      .rate_per_s = options.rate_per_s,
      .rate_burst = options.rate_burst,
      .rate_disconnect_ms = 10000,
    };
    BsHubConfig hub_config = {
      .jwt_key = g_bytes_get_data (secret, NULL),
      .jwt_key_len = g_bytes_get_size (secret),
      .heartbeat_timeout_ms = options.heartbeat_timeout_ms,
      .guest_coalesce_ms = options.guest_coalesce_ms,
    };
    BsRestConfig rest_config = {
      .login_per_minute = 10,
      .metrics_public = options.metrics_public,
    };
    BsNetConfig net_config = {
      .host = host,
      .port = port,
      .socket_path = "/api/socket/",
      .ping_interval_ms = options.ping_interval_ms,
      .ping_timeout_ms = options.ping_timeout_ms,
      .upgrade_timeout_ms = 10000,
      .max_payload = options.max_payload,
      .max_http_body = 1024 * 1024,
      .cors_origins = options.cors_origins,
      .trusted_proxies = options.trusted_proxies,
    };
    static const BsNetHandlers handlers = {
      .http_request = on_http_request,
      .eio_open = on_eio_open,
      .eio_message = on_eio_message,
      .eio_close = on_eio_close,
      .eio_binary = on_eio_binary,
    };

    server.sio = bs_sio_new (server.loop, &sio_config);
    if (!(server.hub = bs_hub_new (server.loop, server.store, server.sio, &hub_config, &error)))
      goto fail;
    server.rest = bs_rest_new (server.loop, server.hub, server.store, &rest_config);
    if (!(server.net = bs_net_new (server.loop, &net_config, &handlers, &server, &error)))
      goto fail;
  }

  uv_timer_init (server.loop, &server.flush_timer);
  server.flush_timer.data = &server;
  uv_timer_start (&server.flush_timer, on_flush_timer, 1000, 1000);
  uv_signal_init (server.loop, &server.sigint);
  uv_signal_init (server.loop, &server.sigterm);
  server.sigint.data = server.sigterm.data = &server;
  uv_signal_start (&server.sigint, on_signal, SIGINT);
  uv_signal_start (&server.sigterm, on_signal, SIGTERM);
  signal (SIGPIPE, SIG_IGN);

  if (options.demo &&
      !bs_demo_start (server.loop, host, bs_net_get_port (server.net), server.store,
                      g_bytes_get_data (secret, NULL), g_bytes_get_size (secret), &error))
    goto fail;

  printf ("beacon-server %s listening on http://%s%s%s:%u/\n", PACKAGE_VERSION,
          strchr (host, ':') ? "[" : "", host, strchr (host, ':') ? "]" : "",
          bs_net_get_port (server.net));
  fflush (stdout);

  uv_run (server.loop, UV_RUN_DEFAULT);

  if (options.demo)
    bs_demo_stop ();
  bs_net_free (server.net);
  bs_rest_free (server.rest);
  bs_hub_free (server.hub);
  bs_sio_free (server.sio);
  uv_run (server.loop, UV_RUN_DEFAULT); /* lets the handles closed above finish */
  bs_store_close (server.writer);
  bs_store_close (server.store);
  uv_loop_close (server.loop);
  options_clear (&options);
  return 0;

fail:
  fprintf (stderr, "beacon-server: %s\n", error->message);
  options_clear (&cli);
  options_clear (&options);
  return 1;
}
