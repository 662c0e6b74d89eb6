/* harness.c: starts beacon-server for integration tests and speaks to it: REST through
 * libsoup, Socket.IO as raw Engine.IO/Socket.IO frames over a libsoup WebSocket. */

#include "harness.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <string.h>

#include "beacon-eio.h"
#include "beacon-json.h"
#include "beacon-jwt.h"
#include "beacon-sio.h"

const char *test_default_world =
    "{\"users\":["
    "{\"id\":\"a\",\"email\":\"a@test\",\"name\":\"Ann\",\"role\":\"CLIENT\",\"password\":\"pw\"},"
    "{\"id\":\"b\",\"email\":\"b@test\",\"name\":\"Ben\",\"role\":\"CLIENT\",\"password\":\"pw\"},"
    "{\"id\":\"c\",\"email\":\"c@test\",\"name\":\"Cat\",\"role\":\"CLIENT\"},"
    "{\"id\":\"d\",\"email\":\"d@test\",\"name\":\"Dan\",\"role\":\"CLIENT\"},"
    "{\"id\":\"f\",\"email\":\"f@test\",\"name\":\"Fay\",\"role\":\"FREELANCER\",\"headline\":\"GTK developer\"},"
    "{\"id\":\"g\",\"email\":\"g@test\",\"name\":\"Gil\",\"role\":\"FREELANCER\",\"headline\":\"Translator\"}"
    "],\"friendships\":[[\"a\",\"b\"],[\"a\",\"c\"],[\"a\",\"f\"]]}";

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
test_wait_until (gboolean (*cond) (gpointer data), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint  id = g_timeout_add (10, tick, NULL);

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for a condition");
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (id);
}

static const char *
server_binary (void)
{
  const char *path = g_getenv ("BEACON_SERVER");

  if (path == NULL)
    g_error ("BEACON_SERVER must name the beacon-server binary");
  return path;
}

/* A test that fails aborts without stopping its server: the kernel does it then. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* The server's standard output goes to a file (never a pipe nobody drains); its first
 * line that says where it listens gives the port. */
static void
spawn_server (TestServer *server)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GError)              error = NULL;
  g_autofree char                *log = g_build_filename (server->dir, "stdout.log", NULL);
  gint64                          deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  const char                     *mark = NULL;

  g_unlink (log);
  g_subprocess_launcher_set_stdout_file_path (launcher, log);
  if (server->log_stderr)
    {
      g_autofree char *err_log = g_build_filename (server->dir, "stderr.log", NULL);

      g_unlink (err_log);
      g_subprocess_launcher_set_stderr_file_path (launcher, err_log);
    }
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "BEACON_PASSWORD_FAST", "1", TRUE);
  for (char **e = server->extra_env; e && *e; e++)
    {
      g_auto (GStrv) kv = g_strsplit (*e, "=", 2);
      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }
  server->process = g_subprocess_launcher_spawn (launcher, &error, server_binary (), "--listen",
                                                 "127.0.0.1:0", "--db", server->db,
                                                 "--jwt-secret-file", server->secret_file, NULL);
  g_assert_no_error (error);

  while (mark == NULL)
    {
      g_autofree char *out = NULL;

      if (g_file_get_contents (log, &out, NULL, NULL) &&
          (mark = strstr (out, "listening on http://127.0.0.1:")))
        server->port = atoi (mark + strlen ("listening on http://127.0.0.1:"));
      else if (g_get_monotonic_time () > deadline ||
               g_subprocess_get_identifier (server->process) == NULL)
        g_error ("beacon-server did not start (its output: %s)", out ? out : "(none)");
      else
        g_usleep (10000);
    }
  g_assert_cmpuint (server->port, >, 0);
  g_free (server->base_url);
  g_free (server->ws_url);
  server->base_url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  server->ws_url =
      g_strdup_printf ("ws://127.0.0.1:%u/api/socket/?EIO=4&transport=websocket", server->port);
}

TestServer *
test_server_start (const char *import_json, const char *const *env)
{
  return test_server_start_with (import_json, env, NULL);
}

TestServer *
test_server_start_with (const char              *import_json,
                        const char *const       *env,
                        const TestServerOptions *options)
{
  TestServer        *server = g_new0 (TestServer, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char   *import = NULL;
  g_autofree char   *secret = NULL;
  g_autofree char   *out = NULL;
  g_autofree char   *err = NULL;

  server->dir = g_dir_make_tmp ("beacon-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->db = g_build_filename (options && options->db_dir ? options->db_dir : server->dir,
                                 "beacon.db", NULL);
  server->secret_file = g_build_filename (server->dir, "secret", NULL);
  secret = g_strdup_printf ("test-secret-%08x%08x%08x", g_random_int (), g_random_int (),
                            g_random_int ());
  g_file_set_contents (server->secret_file, secret, -1, &error);
  g_assert_no_error (error);
  server->secret = g_bytes_new (secret, strlen (secret));
  server->extra_env = g_strdupv ((char **) env);
  server->log_stderr = options && options->log_stderr;

  import = g_build_filename (server->dir, "import.json", NULL);
  g_file_set_contents (import, import_json, -1, &error);
  g_assert_no_error (error);
  {
    const char *args[] = { "import", import, NULL };

    if (test_server_admin (server, args, &out, &err) != 0)
      g_error ("import failed: %s %s", out, err);
  }

  server->session = soup_session_new ();
  spawn_server (server);
  return server;
}

int
test_server_admin (TestServer *server, const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) envp = g_environ_setenv (g_get_environ (), "BEACON_PASSWORD_FAST", "1", TRUE);
  g_autoptr (GError) error = NULL;
  int                status;

  g_ptr_array_add (argv, (gpointer) server_binary ());
  g_ptr_array_add (argv, "admin");
  g_ptr_array_add (argv, "--db");
  g_ptr_array_add (argv, server->db);
  for (const char *const *a = args; *a; a++)
    g_ptr_array_add (argv, (gpointer) *a);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
                &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status)); /* a crash is never an answer */
  return WEXITSTATUS (status);
}

char *
test_server_log (TestServer *server)
{
  g_autofree char *path = g_build_filename (server->dir, "stderr.log", NULL);
  char            *text = NULL;

  g_assert_true (server->log_stderr);
  g_file_get_contents (path, &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

char *
test_server_metrics (TestServer *server)
{
  g_autofree char        *url = g_strconcat (server->base_url, "/metrics", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr (GError)      error = NULL;
  g_autoptr (GBytes)      text = soup_session_send_and_read (server->session, msg, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  return g_strndup (g_bytes_get_data (text, NULL), g_bytes_get_size (text));
}

void
test_server_stop (TestServer *server)
{
  g_autoptr (GError) error = NULL;

  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

void
test_server_restart (TestServer *server)
{
  test_server_stop (server);
  spawn_server (server);
}

void
test_server_crash_restart (TestServer *server)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_force_exit (server->process);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (server->process));
  g_clear_object (&server->process);
  spawn_server (server);
}

/* Removes @dir and the files in it (one level, as the tests make them). */
void
test_remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char      *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

void
test_server_free (TestServer *server)
{
  const char *const db_files[] = { "", "-wal", "-shm" };

  if (server->process)
    {
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
      g_clear_object (&server->process);
    }
  for (guint i = 0; i < G_N_ELEMENTS (db_files); i++)
    {
      g_autofree char *path = g_strconcat (server->db, db_files[i], NULL);
      g_unlink (path); /* the database may be outside dir (TestServerOptions.db_dir) */
    }
  test_remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->db);
  g_free (server->secret_file);
  g_free (server->base_url);
  g_free (server->ws_url);
  g_bytes_unref (server->secret);
  g_strfreev (server->extra_env);
  g_object_unref (server->session);
  g_free (server);
}

char *
test_server_token (TestServer *server, const char *user_id, gint64 lifetime_s)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  gint64                 now = g_get_real_time () / G_USEC_PER_SEC;

  json_object_set_string_member (claims, "sub", user_id);
  json_object_set_string_member (claims, "id", user_id);
  json_object_set_string_member (claims, "role", "CLIENT");
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + lifetime_s);
  return beacon_jwt_sign (claims, g_bytes_get_data (server->secret, NULL),
                          g_bytes_get_size (server->secret));
}

guint
test_rest (TestServer *server,
           const char *method,
           const char *path,
           const char *token,
           const char *json_body,
           JsonNode  **body)
{
  g_autofree char        *url = g_strconcat (server->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GError)      error = NULL;
  g_autoptr (GBytes)      answer = NULL;
  gsize                   len;
  const char             *data;

  g_assert_nonnull (msg);
  if (token)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  if (json_body)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (json_body, strlen (json_body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  answer = soup_session_send_and_read (server->session, msg, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (answer, &len);
  if (body)
    *body = len > 0 ? beacon_json_parse (data, len, NULL) : NULL;
  return soup_message_get_status (msg);
}

char *
test_conversation_open (TestServer *server, const char *token, const char *partner)
{
  g_autofree char     *body = g_strdup_printf ("{\"partner_id\":\"%s\"}", partner);
  g_autoptr (JsonNode) answer = NULL;

  g_assert_cmpuint (test_rest (server, "POST", "/api/conversations", token, body, &answer), ==,
                    200);
  return g_strdup (test_json_string (answer, "id"));
}

/* ------------------------------------------------------------------------------------- */

static void
send_text (TestClient *client, const char *text)
{
  soup_websocket_connection_send_text (client->ws, text);
}

static void
on_message (SoupWebsocketConnection *ws, int type, GBytes *message, gpointer user_data)
{
  TestClient                 *client = user_data;
  gsize                       len;
  const char                 *text = g_bytes_get_data (message, &len);
  g_autoptr (BeaconEioPacket) packet = NULL;
  g_autoptr (BeaconSioPacket) sio = NULL;
  const char                 *payload;
  gsize                       payload_len;

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_TEXT);
  packet = beacon_eio_decode_text (text, len, NULL);
  g_assert_nonnull (packet);
  switch (packet->type)
    {
    case BEACON_EIO_OPEN:
      {
        g_autofree char *connect = NULL;
        const char      *auth = g_object_get_data (G_OBJECT (ws), "auth");

        if (strcmp (client->nsp, "/") == 0)
          connect = g_strconcat ("40", auth ? auth : "", NULL);
        else
          connect = g_strconcat ("40", client->nsp, ",", auth ? auth : "", NULL);
        send_text (client, connect);
      }
      return;
    case BEACON_EIO_PING:
      client->pings++;
      if (client->answer_pings)
        send_text (client, "3");
      return;
    case BEACON_EIO_CLOSE: client->closed = TRUE; return;
    case BEACON_EIO_MESSAGE: break;
    default: return;
    }

  payload = beacon_eio_packet_get_text (packet, &payload_len);
  sio = beacon_sio_decode (payload, payload_len, NULL);
  g_assert_nonnull (sio);
  switch (sio->type)
    {
    case BEACON_SIO_CONNECT: client->connected = TRUE; break;
    case BEACON_SIO_CONNECT_ERROR: client->connect_error = json_node_ref (sio->data); break;
    case BEACON_SIO_EVENT: g_queue_push_tail (&client->events, json_node_ref (sio->data)); break;
    case BEACON_SIO_ACK:
      g_hash_table_insert (client->acks, g_memdup2 (&sio->id, sizeof sio->id),
                           json_node_ref (sio->data));
      break;
    case BEACON_SIO_DISCONNECT: client->connected = FALSE; break;
    default: break;
    }
}

static void
on_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  TestClient *client = user_data;

  client->closed = TRUE;
}

static void
on_ws_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TestClient        *client = user_data;
  g_autoptr (GError) error = NULL;

  client->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static gboolean
is_connected_or_refused (gpointer data)
{
  TestClient *client = data;

  return client->connected || client->connect_error != NULL || client->closed;
}

static gboolean
has_ws (gpointer data)
{
  return ((TestClient *) data)->ws != NULL;
}

TestClient *
test_client_connect (TestServer *server, const char *nsp, const char *auth_json)
{
  TestClient             *client = g_new0 (TestClient, 1);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", server->ws_url);

  client->server = server;
  client->nsp = g_strdup (nsp);
  client->answer_pings = TRUE;
  client->acks =
      g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, (GDestroyNotify) json_node_unref);
  g_queue_init (&client->events);

  soup_session_websocket_connect_async (server->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_ready, client);
  test_wait_until (has_ws, client);
  soup_websocket_connection_set_max_incoming_payload_size (client->ws, 0);
  g_object_set_data_full (G_OBJECT (client->ws), "auth", g_strdup (auth_json), g_free);
  g_signal_connect (client->ws, "message", G_CALLBACK (on_message), client);
  g_signal_connect (client->ws, "closed", G_CALLBACK (on_closed), client);
  test_wait_until (is_connected_or_refused, client);
  return client;
}

TestClient *
test_client_connect_user (TestServer *server, const char *user_id)
{
  g_autofree char *token = test_server_token (server, user_id, 3600);
  g_autofree char *auth = g_strdup_printf ("{\"token\":\"%s\"}", token);
  TestClient      *client = test_client_connect (server, "/", auth);

  g_assert_true (client->connected);
  return client;
}

void
test_client_free (TestClient *client)
{
  if (client->ws)
    {
      g_signal_handlers_disconnect_by_data (client->ws, client);
      if (soup_websocket_connection_get_state (client->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (client->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (client->ws);
    }
  g_queue_clear_full (&client->events, (GDestroyNotify) json_node_unref);
  g_hash_table_unref (client->acks);
  g_clear_pointer (&client->connect_error, json_node_unref);
  g_free (client->nsp);
  g_free (client);
}

void
test_client_send_raw (TestClient *client, const char *text)
{
  send_text (client, text);
}

gint64
test_client_emit (TestClient *client, const char *name, const char *arg_json, gboolean want_ack)
{
  g_autoptr (GString) text = g_string_new ("42");
  gint64              id = want_ack ? ++client->next_ack : -1;

  if (strcmp (client->nsp, "/") != 0)
    g_string_append_printf (text, "%s,", client->nsp);
  if (want_ack)
    g_string_append_printf (text, "%" G_GINT64_FORMAT, id);
  g_string_append (text, "[");
  beacon_json_write_string (text, name);
  if (arg_json)
    g_string_append_printf (text, ",%s", arg_json);
  g_string_append (text, "]");
  send_text (client, text->str);
  return id;
}

typedef struct
{
  TestClient *client;
  const char *name;
  JsonNode   *found;
  gint64      deadline;
} Waiting;

static gboolean
find_event (gpointer data)
{
  Waiting *w = data;

  for (GList *l = w->client->events.head; l; l = l->next)
    {
      JsonArray *array = json_node_get_array (l->data);

      if (strcmp (json_array_get_string_element (array, 0), w->name) == 0)
        {
          w->found = json_array_get_length (array) > 1
                         ? json_node_ref (json_array_get_element (array, 1))
                         : json_node_init_null (json_node_alloc ());
          json_node_unref (l->data);
          g_queue_delete_link (&w->client->events, l);
          return TRUE;
        }
    }
  return w->deadline > 0 && g_get_monotonic_time () > w->deadline;
}

JsonNode *
test_client_wait_event (TestClient *client, const char *name)
{
  Waiting w = { client, name, NULL, 0 };

  test_wait_until (find_event, &w);
  return w.found;
}

JsonNode *
test_client_try_event (TestClient *client, const char *name, guint timeout_ms)
{
  Waiting w = { client, name, NULL, g_get_monotonic_time () + timeout_ms * 1000 };

  test_wait_until (find_event, &w);
  return w.found;
}

typedef struct
{
  TestClient *client;
  gint64      id;
} AckWait;

static gboolean
has_ack (gpointer data)
{
  AckWait *w = data;

  return g_hash_table_contains (w->client->acks, &w->id);
}

JsonNode *
test_client_wait_ack (TestClient *client, gint64 id)
{
  AckWait   w = { client, id };
  JsonNode *array;

  test_wait_until (has_ack, &w);
  array = g_hash_table_lookup (client->acks, &id);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (array)), >=, 1);
  return json_node_ref (json_array_get_element (json_node_get_array (array), 0));
}

static gboolean
is_closed (gpointer data)
{
  return ((TestClient *) data)->closed;
}

void
test_client_wait_closed (TestClient *client)
{
  test_wait_until (is_closed, client);
}

void
test_client_wait_online (TestClient *viewer, const char *user_id)
{
  for (;;)
    {
      g_autoptr (JsonNode) record = test_client_wait_event (viewer, "presence_updated");

      if (g_strcmp0 (test_json_string (record, "user_id"), user_id) == 0 &&
          g_strcmp0 (test_json_string (record, "status"), "offline") != 0)
        return;
    }
}

JsonNode *
test_client_wait_status (TestClient *viewer, const char *user_id, const char *status)
{
  for (;;)
    {
      g_autoptr (JsonNode) record = test_client_wait_event (viewer, "presence_updated");

      if (g_strcmp0 (test_json_string (record, "user_id"), user_id) == 0 &&
          g_strcmp0 (test_json_string (record, "status"), status) == 0)
        return g_steal_pointer (&record);
    }
}

void
test_client_clear (TestClient *client, const char *name)
{
  GList *l = client->events.head;

  while (l)
    {
      GList *next = l->next;

      if (name == NULL ||
          strcmp (json_array_get_string_element (json_node_get_array (l->data), 0), name) == 0)
        {
          json_node_unref (l->data);
          g_queue_delete_link (&client->events, l);
        }
      l = next;
    }
}

const char *
test_json_string (JsonNode *node, const char *member)
{
  JsonNode *m = json_object_get_member (json_node_get_object (node), member);

  g_assert_nonnull (m);
  return JSON_NODE_HOLDS_NULL (m) ? NULL : json_node_get_string (m);
}

gboolean
test_json_bool (JsonNode *node, const char *member)
{
  JsonNode *m = json_object_get_member (json_node_get_object (node), member);

  g_assert_nonnull (m);
  return json_node_get_boolean (m);
}

const char *
test_json_error (JsonNode *node, const char *member)
{
  JsonObject *error = json_object_get_object_member (json_node_get_object (node), "error");

  g_assert_nonnull (error);
  return json_object_get_string_member (error, member);
}

gboolean
test_json_is_null (JsonNode *node, const char *member)
{
  JsonNode *m = json_object_get_member (json_node_get_object (node), member);

  g_assert_nonnull (m);
  return JSON_NODE_HOLDS_NULL (m);
}

char *
test_json_text (JsonNode *node)
{
  return beacon_json_to_string (node);
}

/* ---- the TCP relay ---- */

typedef struct
{
  TestRelay         *relay; /* valid while relay->cancel is not cancelled */
  GSocketConnection *downstream;
  GSocketConnection *upstream;
  GByteArray        *head;
  guint8             buffer[4096];
} RelayConnection;

static void
relay_connection_free (RelayConnection *conn)
{
  g_clear_object (&conn->downstream);
  g_clear_object (&conn->upstream);
  g_byte_array_unref (conn->head);
  g_free (conn);
}

static void
on_relay_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
on_relay_head_forwarded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RelayConnection *conn = user_data;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    g_io_stream_splice_async (G_IO_STREAM (conn->downstream), G_IO_STREAM (conn->upstream),
                              G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                              G_PRIORITY_DEFAULT, NULL, on_relay_spliced, NULL);
  relay_connection_free (conn);
}

static void
on_relay_upstream (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RelayConnection *conn = user_data;

  conn->upstream = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);
  if (conn->upstream == NULL)
    {
      relay_connection_free (conn); /* closes the client's side */
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (conn->upstream)),
                                   conn->head->data, conn->head->len, G_PRIORITY_DEFAULT,
                                   conn->relay->cancel, on_relay_head_forwarded, conn);
}

/* Closes with SO_LINGER 0: the peer gets a TCP reset, not an orderly end. */
static void
relay_reset (RelayConnection *conn)
{
  GSocket      *socket = g_socket_connection_get_socket (conn->downstream);
  struct linger linger = { 1, 0 };

  g_assert_cmpint (
      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger), ==, 0);
  g_socket_close (socket, NULL);
  relay_connection_free (conn);
}

static void
relay_forward (RelayConnection *conn)
{
  TestRelay       *relay = conn->relay;
  g_autofree char *text =
      g_ascii_strdown ((const char *) conn->head->data, (gssize) conn->head->len);
  char                      *line_end = strstr (text, "\r\n");
  g_autoptr (GSocketClient)  client = NULL;
  g_autoptr (GInetAddress)   loopback = NULL;
  g_autoptr (GSocketAddress) address = NULL;

  if (strstr (text, "\nupgrade: websocket") != NULL)
    {
      relay->upgrades++;
      *line_end = '\0';
      if (strstr (text, "sid=") != NULL)
        relay->probes++;
      if (relay->reset_upgrades)
        {
          relay_reset (conn);
          return;
        }
    }
  client = g_socket_client_new ();
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, relay->target);
  g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), relay->cancel,
                                 on_relay_upstream, conn);
}

static void relay_read_head (RelayConnection *conn);

static void
on_relay_head_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RelayConnection *conn = user_data;
  gssize           n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || conn->head->len + n > 65536)
    {
      relay_connection_free (conn);
      return;
    }
  g_byte_array_append (conn->head, conn->buffer, n);
  if (g_strstr_len ((const char *) conn->head->data, conn->head->len, "\r\n\r\n"))
    relay_forward (conn);
  else
    relay_read_head (conn);
}

static void
relay_read_head (RelayConnection *conn)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (conn->downstream)),
                             conn->buffer, sizeof conn->buffer, G_PRIORITY_DEFAULT,
                             conn->relay->cancel, on_relay_head_read, conn);
}

static gboolean
on_relay_incoming (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  RelayConnection *conn = g_new0 (RelayConnection, 1);

  conn->relay = user_data;
  conn->downstream = g_object_ref (connection);
  conn->head = g_byte_array_new ();
  relay_read_head (conn);
  return TRUE;
}

TestRelay *
test_relay_new (guint target)
{
  TestRelay                 *relay = g_new0 (TestRelay, 1);
  g_autoptr (GError)         error = NULL;
  g_autoptr (GInetAddress)   loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  relay->service = g_socket_service_new ();
  relay->cancel = g_cancellable_new ();
  relay->target = target;
  g_socket_listener_add_address (G_SOCKET_LISTENER (relay->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  relay->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  relay->url = g_strdup_printf ("http://127.0.0.1:%u", relay->port);
  g_signal_connect (relay->service, "incoming", G_CALLBACK (on_relay_incoming), relay);
  g_socket_service_start (relay->service);
  return relay;
}

/* Connections already spliced go on; those still being read or connected are dropped. */
void
test_relay_free (TestRelay *relay)
{
  g_cancellable_cancel (relay->cancel);
  g_socket_service_stop (relay->service);
  g_socket_listener_close (G_SOCKET_LISTENER (relay->service));
  g_signal_handlers_disconnect_by_data (relay->service, relay);
  g_object_unref (relay->service);
  g_object_unref (relay->cancel);
  g_free (relay->url);
  g_free (relay);
}
