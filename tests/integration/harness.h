/* harness.h: test harness for beacon-server integration tests: starts the real server on
 * a free loopback port with a temporary database, and drives REST and Socket.IO clients. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  char        *dir;
  char        *db;
  char        *secret_file;
  char        *base_url;
  char        *ws_url;
  guint        port;
  GSubprocess *process;
  SoupSession *session;
  GBytes      *secret;
  char       **extra_env;
  gboolean     log_stderr;
} TestServer;

typedef struct
{
  TestServer              *server;
  SoupWebsocketConnection *ws;
  char                    *nsp;
  GQueue                   events; /* JsonNode arrays [name, args...] */
  GHashTable              *acks;   /* id -> JsonNode (the ack's array) */
  gint64                   next_ack;
  JsonNode                *connect_error;
  gboolean                 connected;
  gboolean                 closed;
  gboolean                 answer_pings;
  guint                    pings;
} TestClient;

/* Imports users and friendships ({"users":[...],"friendships":[...]}) into a new database
 * and starts beacon-server on it. env: extra NAME=VALUE pairs, NULL-terminated, or NULL. */
TestServer *test_server_start (const char *import_json, const char *const *env);

typedef struct
{
  const char *db_dir;     /* the database goes in this directory; NULL: the server's own */
  gboolean    log_stderr; /* the server's standard error goes to a file, for test_server_log */
} TestServerOptions;

/* As test_server_start, with options (NULL: the defaults). */
TestServer *test_server_start_with (const char              *import_json,
                                    const char *const       *env,
                                    const TestServerOptions *options);
/* What the server wrote to its standard error since it last started (with log_stderr). */
char *test_server_log (TestServer *server);
/* The text of /metrics. */
char *test_server_metrics (TestServer *server);
/* Runs "beacon-server admin --db DB ARGS..." (args NULL-terminated) to its end; returns its
 * exit status, and fills *out and *err (nullable) with what it printed. */
int test_server_admin (TestServer *server, const char *const *args, char **out, char **err);
/* Stops the server with SIGTERM and checks it exits 0. */
void test_server_stop (TestServer *server);
/* Starts it again on the same database and port range (a new port). */
void test_server_restart (TestServer *server);
/* The same after a crash: SIGKILL, no shutdown. */
void  test_server_crash_restart (TestServer *server);
void  test_server_free (TestServer *server);
void  test_remove_tree (const char *dir);
char *test_server_token (TestServer *server, const char *user_id, gint64 lifetime_s);

/* REST: answers the status and fills *body (parsed JSON, or NULL when not JSON). */
guint test_rest (TestServer *server,
                 const char *method,
                 const char *path,
                 const char *token,
                 const char *json_body,
                 JsonNode  **body);

/* POST /api/conversations as the token's user with partner: the conversation's id (the
 * answer must be 200). */
char *test_conversation_open (TestServer *server, const char *token, const char *partner);

/* Socket.IO over a plain WebSocket (the same frames socket.io-client sends). auth_json may
 * be NULL; for "/" pass {"token":...}. Returns once CONNECT or CONNECT_ERROR arrived. */
TestClient *test_client_connect (TestServer *server, const char *nsp, const char *auth_json);
TestClient *test_client_connect_user (TestServer *server, const char *user_id);
void        test_client_free (TestClient *client);
void        test_client_send_raw (TestClient *client, const char *text);
/* Emits [name, arg] (arg_json may be NULL); with want_ack, returns the ack id. */
gint64
test_client_emit (TestClient *client, const char *name, const char *arg_json, gboolean want_ack);
/* Waits (iterating the main context, up to 10 s) for the next event with this name;
 * returns its first argument (transfer full), failing the test on timeout. Events with
 * other names that arrive first are kept in order. */
JsonNode *test_client_wait_event (TestClient *client, const char *name);
/* Like wait_event, but returns NULL when none came within timeout_ms. */
JsonNode *test_client_try_event (TestClient *client, const char *name, guint timeout_ms);
JsonNode *test_client_wait_ack (TestClient *client, gint64 id);
void      test_client_wait_closed (TestClient *client);
/* Waits for a presence_updated that shows user_id online (earlier records are dropped). */
void test_client_wait_online (TestClient *viewer, const char *user_id);
/* Waits for a presence_updated of user_id with this status and returns it (earlier dropped). */
JsonNode *test_client_wait_status (TestClient *viewer, const char *user_id, const char *status);
/* Drops queued events with this name (NULL: all). */
void test_client_clear (TestClient *client, const char *name);

/* Waits until cond(data) is TRUE, iterating the main context (fails after 10 s). */
void test_wait_until (gboolean (*cond) (gpointer data), gpointer data);

/* A TCP relay on a loopback port to the loopback port target (changeable at any time, for a
 * server that comes back on another port). It reads the head of each connection's first
 * request before it forwards anything; with reset_upgrades, a connection whose request asks
 * for a WebSocket is reset (RST), as some proxies do, and plain HTTP still goes through. */
typedef struct
{
  GSocketService *service;
  GCancellable   *cancel;
  guint           port;
  guint           target;
  char           *url; /* http://127.0.0.1:port */
  gboolean        reset_upgrades;
  guint           upgrades; /* connections asking for a WebSocket */
  guint           probes;   /* of these, upgrades of a session (a sid in the query) */
} TestRelay;

TestRelay *test_relay_new (guint target);
void       test_relay_free (TestRelay *relay);

/* JSON conveniences for assertions. */
const char *test_json_string (JsonNode *node, const char *member);
gboolean    test_json_bool (JsonNode *node, const char *member);
/* A string of the error object of a REST error body or a refused ack: "code", "message". */
const char *test_json_error (JsonNode *node, const char *member);
gboolean    test_json_is_null (JsonNode *node, const char *member);
char       *test_json_text (JsonNode *node);

/* The default world: "a" and "b" friends, "c" friend of "a" only, "f" a freelancer friend
 * of "a", "g" a freelancer nobody knows, "d" a client with no friends. Password "pw". */
extern const char *test_default_world;

G_END_DECLS
