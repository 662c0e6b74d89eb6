/* test-rest.c: integration tests of beacon-server's REST API (PROTOCOL.md 6): login and
 * its throttle, bearer errors, friends, hydration, presence, providers, health, metrics. */

#include "harness.h"

#include <string.h>

static void
test_login (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  g_autoptr (JsonNode) body = NULL;
  g_autoptr (JsonNode) me = NULL;
  g_autoptr (JsonNode) wrong = NULL;
  JsonObject          *user;
  g_autofree char     *token = NULL;

  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL,
                               "{\"email\":\" A@Test \",\"password\":\"pw\"}", &body),
                    ==, 200);
  token = g_strdup (test_json_string (body, "token"));
  user = json_object_get_object_member (json_node_get_object (body), "user");
  g_assert_cmpstr (json_object_get_string_member (user, "id"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (user, "role"), ==, "CLIENT");

  g_assert_cmpuint (test_rest (server, "GET", "/api/me", token, NULL, &me), ==, 200);
  g_assert_cmpstr (test_json_string (me, "email"), ==, "a@test");
  g_assert_cmpstr (test_json_string (me, "status"), ==, "online");

  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL,
                               "{\"email\":\"a@test\",\"password\":\"nope\"}", &wrong),
                    ==, 401);
  g_assert_cmpstr (test_json_error (wrong, "code"), ==, "invalid_credentials");
  /* A user without a password and an unknown email fail the same way. */
  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL,
                               "{\"email\":\"c@test\",\"password\":\"\"}", NULL),
                    ==, 401);
  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL,
                               "{\"email\":\"x@test\",\"password\":\"pw\"}", NULL),
                    ==, 401);
  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL, "{\"email\":1}", NULL), ==,
                    400);
  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL, "not json", NULL), ==, 400);

  test_server_free (server);
}

static void
test_login_throttle (void)
{
  TestServer *server = test_server_start (test_default_world, NULL);
  guint       status = 0;
  guint       i;

  for (i = 0; i < 20; i++)
    {
      status = test_rest (server, "POST", "/api/auth/login", NULL,
                          "{\"email\":\"b@test\",\"password\":\"bad\"}", NULL);
      if (status == 429)
        break;
      g_assert_cmpuint (status, ==, 401);
    }
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpuint (i, ==, 10);
  /* Throttled even with the right password now. */
  g_assert_cmpuint (test_rest (server, "POST", "/api/auth/login", NULL,
                               "{\"email\":\"b@test\",\"password\":\"pw\"}", NULL),
                    ==, 429);
  test_server_free (server);
}

static void
test_bearer_errors (void)
{
  TestServer      *server = test_server_start (test_default_world, NULL);
  g_autofree char *expired = test_server_token (server, "a", -10);
  g_autofree char *ghost = test_server_token (server, "ghost", 3600);
  g_autofree char *good = test_server_token (server, "a", 3600);
  g_autofree char *tampered = g_strdup (good);
  const struct
  {
    const char *token;
    const char *code;
  } cases[] = {
    { NULL, "token_missing" },   { "garbage", "token_invalid" }, { expired, "token_expired" },
    { ghost, "user_not_found" }, { tampered, "token_invalid" },
  };

  tampered[strlen (tampered) - 2] = tampered[strlen (tampered) - 2] == 'A' ? 'B' : 'A';
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonNode) body = NULL;

      g_assert_cmpuint (test_rest (server, "GET", "/api/friends", cases[i].token, NULL, &body), ==,
                        401);
      g_assert_cmpstr (test_json_error (body, "code"), ==, cases[i].code);
    }
  /* The same codes reach a socket as CONNECT_ERROR data. */
  for (guint i = 1; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *auth = g_strdup_printf ("{\"token\":\"%s\"}", cases[i].token);
      TestClient      *client = test_client_connect (server, "/", auth);
      JsonObject      *error;

      g_assert_false (client->connected);
      g_assert_nonnull (client->connect_error);
      error = json_node_get_object (client->connect_error);
      g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "unauthorized");
      g_assert_cmpstr (
          json_object_get_string_member (json_object_get_object_member (error, "data"), "code"), ==,
          cases[i].code);
      test_client_free (client);
    }
  {
    TestClient *client = test_client_connect (server, "/", NULL);
    g_assert_nonnull (client->connect_error);
    g_assert_cmpstr (
        json_object_get_string_member (
            json_object_get_object_member (json_node_get_object (client->connect_error), "data"),
            "code"),
        ==, "token_missing");
    test_client_free (client);
  }
  test_server_free (server);
}

static void
test_friends_and_hydration (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  g_autofree char     *token = test_server_token (server, "a", 3600);
  TestClient          *b = test_client_connect_user (server, "b");
  g_autoptr (JsonNode) friends = NULL;
  g_autoptr (JsonNode) hydration = NULL;
  JsonArray           *list;
  JsonObject          *data;

  g_assert_cmpuint (test_rest (server, "GET", "/api/friends", token, NULL, &friends), ==, 200);
  list = json_object_get_array_member (
      json_object_get_object_member (json_node_get_object (friends), "data"), "friends");
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "name"),
                   ==, "Ben");

  g_assert_cmpuint (
      test_rest (server, "GET", "/api/friends/online-status", token, NULL, &hydration), ==, 200);
  g_assert_true (test_json_bool (hydration, "success"));
  data = json_object_get_object_member (json_node_get_object (hydration), "data");
  g_assert_true (
      json_object_get_boolean_member (json_object_get_object_member (data, "statuses"), "b"));
  g_assert_false (
      json_object_get_boolean_member (json_object_get_object_member (data, "statuses"), "c"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (data, "presence")), ==, 3);

  /* Not a contact: 404, as if there were nobody. */
  g_assert_cmpuint (test_rest (server, "GET", "/api/users/presence/d", token, NULL, NULL), ==, 404);
  g_assert_cmpuint (test_rest (server, "GET", "/api/users/presence/b", token, NULL, NULL), ==, 200);

  test_client_free (b);
  test_server_free (server);
}

static void
test_status_route (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  g_autofree char     *token = test_server_token (server, "b", 3600);
  TestClient          *a = test_client_connect_user (server, "a");
  TestClient          *b = test_client_connect_user (server, "b");
  g_autoptr (JsonNode) record = NULL;
  g_autoptr (JsonNode) seen = NULL;

  test_client_wait_online (a, "b");
  g_assert_cmpuint (test_rest (server, "PATCH", "/api/users/presence/status", token,
                               "{\"status\":\"away\",\"custom_message\":\"Back at 3\"}", &record),
                    ==, 200);
  g_assert_cmpstr (test_json_string (record, "status"), ==, "away");
  seen = test_client_wait_event (a, "presence_updated");
  g_assert_cmpstr (test_json_string (seen, "custom_message"), ==, "Back at 3");
  {
    g_autoptr (GString) longer = g_string_new ("{\"status\":\"away\",\"custom_message\":\"");
    for (guint i = 0; i < 101; i++)
      g_string_append (longer, "é");
    g_string_append (longer, "\"}");
    g_assert_cmpuint (
        test_rest (server, "PATCH", "/api/users/presence/status", token, longer->str, NULL), ==,
        400);
  }
  test_client_free (b);
  test_client_free (a);
  test_server_free (server);
}

static void
test_providers (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  TestClient          *f = test_client_connect_user (server, "f");
  g_autoptr (JsonNode) all = NULL;
  g_autoptr (JsonNode) online = NULL;
  g_autoptr (JsonNode) search = NULL;
  JsonObject          *data;
  JsonArray           *providers;

  g_assert_cmpuint (test_rest (server, "GET", "/api/providers", NULL, NULL, &all), ==, 200);
  data = json_object_get_object_member (json_node_get_object (all), "data");
  g_assert_cmpint (json_object_get_int_member (data, "total"), ==, 2);
  providers = json_object_get_array_member (data, "providers");
  g_assert_cmpstr (
      json_object_get_string_member (json_array_get_object_element (providers, 0), "name"), ==,
      "Fay");
  g_assert_true (
      json_object_get_boolean_member (json_array_get_object_element (providers, 0), "is_online"));
  g_assert_false (json_object_has_member (json_array_get_object_element (providers, 0), "email"));

  g_assert_cmpuint (
      test_rest (server, "GET", "/api/providers?online_status=online", NULL, NULL, &online), ==,
      200);
  data = json_object_get_object_member (json_node_get_object (online), "data");
  g_assert_cmpint (json_object_get_int_member (data, "total"), ==, 1);

  g_assert_cmpuint (
      test_rest (server, "GET", "/api/providers?q=translat&limit=1", NULL, NULL, &search), ==, 200);
  data = json_object_get_object_member (json_node_get_object (search), "data");
  g_assert_cmpint (json_object_get_int_member (data, "total"), ==, 1);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_array_get_object_element (json_object_get_array_member (data, "providers"), 0),
          "id"),
      ==, "g");

  g_assert_cmpuint (
      test_rest (server, "GET", "/api/providers?online_status=maybe", NULL, NULL, NULL), ==, 400);
  g_assert_cmpuint (test_rest (server, "GET", "/api/providers?active_within=3w", NULL, NULL, NULL),
                    ==, 400);
  g_assert_cmpuint (
      test_rest (server, "GET", "/api/providers?active_within=24h&limit=1000", NULL, NULL, NULL),
      ==, 400);
  g_assert_cmpuint (test_rest (server, "GET", "/api/providers?active_within=24h", NULL, NULL, NULL),
                    ==, 200);

  test_client_free (f);
  test_server_free (server);
}

static void
test_health_metrics_errors (void)
{
  TestServer          *server = test_server_start (test_default_world, NULL);
  g_autoptr (JsonNode) health = NULL;
  g_autoptr (JsonNode) missing = NULL;
  g_autofree char     *token = test_server_token (server, "a", 3600);

  g_assert_cmpuint (test_rest (server, "GET", "/healthz", NULL, NULL, &health), ==, 200);
  g_assert_true (test_json_bool (health, "ok"));
  g_assert_cmpuint (test_rest (server, "GET", "/api/nothing-here", token, NULL, &missing), ==, 404);
  g_assert_cmpstr (test_json_error (missing, "code"), ==, "not_found");
  g_assert_cmpuint (test_rest (server, "GET", "/index.html", NULL, NULL, NULL), ==, 404);

  {
    TestClient          *a = test_client_connect_user (server, "a");
    g_autoptr (JsonNode) ack = NULL;
    g_autofree char     *text = NULL;

    test_client_emit (a, "no_such_event", NULL, FALSE);
    ack = test_client_wait_ack (a, test_client_emit (a, "heartbeat", NULL, TRUE));
    g_assert_true (test_json_bool (ack, "ok"));
    text = test_server_metrics (server);
    g_assert_nonnull (strstr (text, "beacon_connections{namespace=\"/\"} 1"));
    g_assert_nonnull (strstr (text, "beacon_events_in_total{event=\"heartbeat\"} 1"));
    g_assert_nonnull (strstr (text, "beacon_rejected_inputs_total{reason=\"unknown_event\"} 1"));
    test_client_free (a);
  }
  test_server_free (server);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rest/login", test_login);
  g_test_add_func ("/rest/login-throttle", test_login_throttle);
  g_test_add_func ("/rest/bearer-errors", test_bearer_errors);
  g_test_add_func ("/rest/friends-and-hydration", test_friends_and_hydration);
  g_test_add_func ("/rest/status", test_status_route);
  g_test_add_func ("/rest/providers", test_providers);
  g_test_add_func ("/rest/health-metrics-errors", test_health_metrics_errors);

  return g_test_run ();
}
