/* bs-rest.c: beacon-server's REST routes: login (argon2id off the loop, throttled), the
 * user, friends, presence, settings, providers and conversation routes, health, metrics. */

#include "bs-rest.h"

#include <string.h>

#include "beacon-json.h"
#include "bs-json.h"
#include "bs-metrics.h"
#include "bs-password.h"

#define MAX_LIMIT     100
#define DEFAULT_LIMIT 50

struct _BsRest
{
  uv_loop_t   *loop;
  BsHub       *hub;
  BsStore     *store;
  BsRestConfig config;
  GHashTable  *attempts; /* "addr:..." / "email:..." -> Attempts */
  char        *dummy_hash;
  guint        pending;
  gboolean     freed;
};

typedef struct
{
  guint64 window_start;
  guint   count;
} Attempts;

typedef struct
{
  uv_work_t      work;
  BsRest        *rest;
  BsHttpRequest *request;
  char          *hash;
  char          *password;
  char          *user_id;
  gboolean       ok;
} Login;

static void
respond_node (BsHttpRequest *request, guint status, JsonNode *node)
{
  g_autofree char *text = beacon_json_to_string (node);

  bs_http_request_respond_json (request, status, text);
}

static guint
status_for (const GError *error)
{
  if (error->domain == BS_HUB_ERROR)
    switch (error->code)
      {
      case BS_HUB_ERROR_BAD_REQUEST: return 400;
      case BS_HUB_ERROR_NOT_FOUND: return 404;
      case BS_HUB_ERROR_FORBIDDEN: return 403;
      default: break;
      }
  return 500;
}

static void
respond_result (BsHttpRequest *request, JsonNode *node, GError *error)
{
  if (node)
    respond_node (request, 200, node);
  else
    bs_http_request_respond_error (request, status_for (error), bs_hub_error_code (error),
                                   error->message);
}

BsRest *
bs_rest_new (uv_loop_t *loop, BsHub *hub, BsStore *store, const BsRestConfig *config)
{
  BsRest *rest = g_new0 (BsRest, 1);

  rest->loop = loop;
  rest->hub = hub;
  rest->store = store;
  rest->config = *config;
  rest->attempts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* Logins for unknown emails are checked against this, so they take as long as others. */
  rest->dummy_hash = bs_password_hash ("beacon-no-such-user");
  return rest;
}

static void
rest_destroy (BsRest *rest)
{
  g_hash_table_unref (rest->attempts);
  g_free (rest->dummy_hash);
  g_free (rest);
}

void
bs_rest_free (BsRest *rest)
{
  if (rest == NULL)
    return;
  rest->freed = TRUE;
  if (rest->pending == 0)
    rest_destroy (rest);
}

/* Counts an attempt under key; FALSE when over the limit for this minute. */
static gboolean
throttle (BsRest *rest, const char *key)
{
  guint64   now = uv_now (rest->loop);
  Attempts *attempts = g_hash_table_lookup (rest->attempts, key);

  if (g_hash_table_size (rest->attempts) > 100000)
    {
      GHashTableIter iter;
      gpointer       value;

      g_hash_table_iter_init (&iter, rest->attempts);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (now - ((Attempts *) value)->window_start >= 60000)
          g_hash_table_iter_remove (&iter);
    }
  if (attempts == NULL)
    {
      attempts = g_new0 (Attempts, 1);
      g_hash_table_insert (rest->attempts, g_strdup (key), attempts);
    }
  if (now - attempts->window_start >= 60000)
    {
      attempts->window_start = now;
      attempts->count = 0;
    }
  attempts->count++;
  return attempts->count <= rest->config.login_per_minute;
}

static void
login_work (uv_work_t *work)
{
  Login *login = work->data;

  login->ok = bs_password_verify (login->hash, login->password) && login->user_id != NULL;
}

static void
login_done (uv_work_t *work, int status)
{
  Login  *login = work->data;
  BsRest *rest = login->rest;

  rest->pending--;
  if (!rest->freed && bs_http_request_is_alive (login->request))
    {
      if (status == 0 && login->ok && bs_hub_user_exists (rest->hub, login->user_id))
        {
          g_autofree char        *token = bs_hub_issue_token (rest->hub, login->user_id);
          g_autoptr (JsonNode)    me = bs_hub_me_json (rest->hub, login->user_id);
          JsonObject             *user = json_node_get_object (me);
          g_autoptr (JsonBuilder) builder = json_builder_new ();
          g_autoptr (JsonNode)    answer = NULL;

          json_builder_begin_object (builder);
          bs_json_member_string (builder, "token", token);
          json_builder_set_member_name (builder, "user");
          json_builder_begin_object (builder);
          for (const char *const *k = (const char *const[]){ "id", "name", "email", "role", NULL };
               *k; k++)
            {
              json_builder_set_member_name (builder, *k);
              json_builder_add_string_value (builder, json_object_get_string_member (user, *k));
            }
          json_builder_end_object (builder);
          json_builder_end_object (builder);
          answer = json_builder_get_root (builder);
          respond_node (login->request, 200, answer);
        }
      else
        bs_http_request_respond_error (login->request, 401, "invalid_credentials",
                                       "wrong email or password");
    }
  bs_http_request_unref (login->request);
  memset (login->password, 0, strlen (login->password));
  g_free (login->password);
  g_free (login->hash);
  g_free (login->user_id);
  g_free (login);
  if (rest->freed && rest->pending == 0)
    rest_destroy (rest);
}

static JsonNode *
parse_body (BsHttpRequest *request)
{
  gsize       len;
  const char *body = bs_http_request_get_body (request, &len);
  JsonNode   *node;

  if (body == NULL || len == 0 || !(node = beacon_json_parse (body, len, NULL)))
    {
      bs_metrics_rejected ("bad_request");
      bs_http_request_respond_error (request, 400, "bad_request", "the body must be JSON");
      return NULL;
    }
  return node;
}

static void
handle_login (BsRest *rest, BsHttpRequest *request)
{
  g_autoptr (JsonNode) body = parse_body (request);
  g_autoptr (BsUser)   user = NULL;
  g_autofree char     *addr_key = NULL;
  g_autofree char     *email_key = NULL;
  g_autofree char     *email = NULL;
  const char          *password;
  JsonObject          *object;
  Login               *login;
  gboolean             addr_ok;
  gboolean             email_ok;

  if (body == NULL)
    return;
  if (!JSON_NODE_HOLDS_OBJECT (body))
    {
      bs_http_request_respond_error (request, 400, "bad_request", "the body must be an object");
      return;
    }
  object = json_node_get_object (body);
  if (!json_object_has_member (object, "email") || !json_object_has_member (object, "password") ||
      json_node_get_value_type (json_object_get_member (object, "email")) != G_TYPE_STRING ||
      json_node_get_value_type (json_object_get_member (object, "password")) != G_TYPE_STRING)
    {
      bs_http_request_respond_error (request, 400, "bad_request",
                                     "email and password must be strings");
      return;
    }
  email = g_utf8_strdown (json_object_get_string_member (object, "email"), -1);
  g_strstrip (email);
  password = json_object_get_string_member (object, "password");

  addr_key = g_strconcat ("addr:", bs_http_request_get_remote_addr (request), NULL);
  email_key = g_strconcat ("email:", email, NULL);
  /* Both counters count every attempt, whichever refuses it. */
  addr_ok = throttle (rest, addr_key);
  email_ok = throttle (rest, email_key);
  if (!addr_ok || !email_ok)
    {
      bs_metrics_rejected ("login_throttled");
      bs_http_request_respond_error (request, 429, "rate_limited",
                                     "too many sign-in attempts; wait a minute");
      return;
    }

  user = bs_store_user_by_email (rest->store, email, NULL);
  login = g_new0 (Login, 1);
  login->work.data = login;
  login->rest = rest;
  login->request = bs_http_request_ref (request);
  login->password = g_strdup (password);
  login->hash = g_strdup (user && user->password_hash ? user->password_hash : rest->dummy_hash);
  login->user_id = user && user->password_hash ? g_strdup (user->id) : NULL;
  rest->pending++;
  uv_queue_work (rest->loop, &login->work, login_work, login_done);
}

/* Milliseconds from "30s", "15m", "1h", "24h", "7d"; -1 when absent, -2 when malformed. */
static gint64
parse_duration (const char *text)
{
  char  *end = NULL;
  gint64 n;

  if (text == NULL || *text == '\0')
    return -1;
  n = g_ascii_strtoll (text, &end, 10);
  if (end == text || n < 0 || n > 10000 || end[0] == '\0' || end[1] != '\0')
    return -2;
  switch (*end)
    {
    case 's': return n * 1000;
    case 'm': return n * 60000;
    case 'h': return n * 3600000;
    case 'd': return n * 86400000;
    default: return -2;
    }
}

static gboolean
parse_uint (const char *text, guint fallback, guint max, guint *out)
{
  guint64 value;

  if (text == NULL || *text == '\0')
    {
      *out = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &value, NULL))
    return FALSE;
  *out = value;
  return TRUE;
}

static void
handle_providers (BsRest *rest, BsHttpRequest *request)
{
  const char *online = bs_http_request_get_query (request, "online_status");
  gint64      active = parse_duration (bs_http_request_get_query (request, "active_within"));
  gint64      seen = parse_duration (bs_http_request_get_query (request, "last_seen"));
  const char *q = bs_http_request_get_query (request, "q");
  guint       limit, offset;
  g_autoptr (JsonNode) answer = NULL;

  if (online && *online == '\0')
    online = NULL;
  if ((online && strcmp (online, "online") != 0 && strcmp (online, "offline") != 0) ||
      active == -2 || seen == -2 ||
      !parse_uint (bs_http_request_get_query (request, "limit"), DEFAULT_LIMIT, MAX_LIMIT,
                   &limit) ||
      !parse_uint (bs_http_request_get_query (request, "offset"), 0, G_MAXINT, &offset) ||
      (q && strlen (q) > 200))
    {
      bs_http_request_respond_error (
          request, 400, "bad_request",
          "online_status must be online or offline, durations like 30s, 15m, 1h, "
          "24h or 7d, limit 0 to 100");
      return;
    }
  answer = bs_hub_providers_json (rest->hub, online, active, seen, q, limit, offset);
  respond_node (request, 200, answer);
}

static gboolean
is_loopback (const char *addr)
{
  return addr && (g_str_has_prefix (addr, "127.") || strcmp (addr, "::1") == 0 ||
                  g_str_has_prefix (addr, "::ffff:127."));
}

/* The signed-in user of a request, or NULL after answering 401. */
static char *
authenticate (BsRest *rest, BsHttpRequest *request)
{
  const char *header = bs_http_request_get_header (request, "authorization");
  const char *token = NULL;
  const char *code = "token_missing";
  char       *user_id;

  if (header && g_ascii_strncasecmp (header, "Bearer ", 7) == 0)
    token = header + 7;
  if ((user_id = bs_hub_authenticate (rest->hub, token, &code)))
    return user_id;
  bs_metrics_rejected (code);
  bs_http_request_respond_error (request, 401, code,
                                 "sign in first: the token is missing, invalid or expired");
  return NULL;
}

void
bs_rest_handle (BsRest *rest, BsHttpRequest *request)
{
  const char *method = bs_http_request_get_method (request);
  const char *path = bs_http_request_get_path (request);
  g_auto (GStrv) parts = NULL;
  guint                n;
  gboolean             get = strcmp (method, "GET") == 0 || strcmp (method, "HEAD") == 0;
  gboolean             post = strcmp (method, "POST") == 0;
  gboolean             patch = strcmp (method, "PATCH") == 0;
  g_autofree char     *me = NULL;
  g_autoptr (GError)   error = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (JsonNode) body = NULL;

  if (strcmp (path, "/healthz") == 0 && get)
    {
      bs_http_request_respond_json (request, 200, "{\"ok\":true}");
      return;
    }
  if (strcmp (path, "/metrics") == 0 && get)
    {
      g_autofree char *text = NULL;

      if (!rest->config.metrics_public && !is_loopback (bs_http_request_get_remote_addr (request)))
        {
          bs_http_request_respond_error (request, 403, "forbidden",
                                         "metrics are served to loopback only");
          return;
        }
      text = bs_metrics_render ();
      bs_http_request_respond (request, 200, "text/plain; version=0.0.4; charset=utf-8", text,
                               strlen (text));
      return;
    }
  if (strcmp (path, "/api/auth/login") == 0)
    {
      if (post)
        handle_login (rest, request);
      else
        bs_http_request_respond_error (request, 405, "bad_request", "use POST");
      return;
    }
  if (strcmp (path, "/api/providers") == 0 && get)
    {
      handle_providers (rest, request);
      return;
    }
  if (!g_str_has_prefix (path, "/api/"))
    {
      bs_http_request_respond_error (request, 404, "not_found", "no such resource");
      return;
    }

  parts = g_strsplit (path + 5, "/", 0);
  n = g_strv_length (parts);
  if (n > 0 && *parts[n - 1] == '\0')
    {
      g_free (parts[n - 1]);
      parts[--n] = NULL;
    }

  if (!(me = authenticate (rest, request)))
    return;

  if (n == 1 && strcmp (parts[0], "me") == 0 && get)
    answer = bs_hub_me_json (rest->hub, me);
  else if (n == 1 && strcmp (parts[0], "friends") == 0 && get)
    answer = bs_hub_friends_json (rest->hub, me);
  else if (n == 2 && strcmp (parts[0], "friends") == 0 && strcmp (parts[1], "online-status") == 0 &&
           get)
    answer = bs_hub_online_status_json (rest->hub, me);
  else if (n == 3 && strcmp (parts[0], "users") == 0 && strcmp (parts[1], "presence") == 0 &&
           strcmp (parts[2], "status") == 0 && patch)
    {
      if (!(body = parse_body (request)))
        return;
      answer = bs_hub_set_status (rest->hub, me, body, &error);
    }
  else if (n == 3 && strcmp (parts[0], "users") == 0 && strcmp (parts[1], "presence") == 0 &&
           strcmp (parts[2], "settings") == 0 && (get || patch))
    {
      if (get)
        answer = bs_hub_settings_json (rest->hub, me);
      else if (!(body = parse_body (request)))
        return;
      else
        answer = bs_hub_set_settings (rest->hub, me, body, &error);
    }
  else if (n == 3 && strcmp (parts[0], "users") == 0 && strcmp (parts[1], "presence") == 0 && get)
    answer = bs_hub_presence_json (rest->hub, parts[2], me, &error);
  else if (n == 1 && strcmp (parts[0], "conversations") == 0 && get)
    answer = bs_hub_conversations_json (rest->hub, me, &error);
  else if (n == 1 && strcmp (parts[0], "conversations") == 0 && post)
    {
      g_autofree char *partner = NULL;

      if (!(body = parse_body (request)))
        return;
      if (JSON_NODE_HOLDS_OBJECT (body))
        {
          JsonNode *p = json_object_get_member (json_node_get_object (body), "partner_id");

          if (p && JSON_NODE_HOLDS_VALUE (p) && json_node_get_value_type (p) == G_TYPE_STRING)
            partner = g_strdup (json_node_get_string (p));
          else if (p && JSON_NODE_HOLDS_VALUE (p) && json_node_get_value_type (p) == G_TYPE_INT64)
            partner = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (p));
        }
      if (partner == NULL)
        {
          bs_http_request_respond_error (request, 400, "bad_request",
                                         "partner_id must be a user id");
          return;
        }
      answer = bs_hub_open_conversation (rest->hub, me, partner, &error);
    }
  else if (n == 3 && strcmp (parts[0], "conversations") == 0 &&
           strcmp (parts[2], "messages") == 0 && get)
    {
      guint limit;

      if (!parse_uint (bs_http_request_get_query (request, "limit"), DEFAULT_LIMIT, MAX_LIMIT,
                       &limit))
        {
          bs_http_request_respond_error (request, 400, "bad_request", "limit must be 0 to 100");
          return;
        }
      answer = bs_hub_messages_json (rest->hub, me, parts[1],
                                     bs_http_request_get_query (request, "before"), limit, &error);
    }
  else
    {
      bs_http_request_respond_error (request, 404, "not_found", "no such resource");
      return;
    }
  respond_result (request, answer, error);
}
