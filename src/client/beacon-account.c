/* beacon-account.c: BeaconAccount: the token stored, found and cleared through libsecret
 * under the schema org.beaconim.Beacon.Token (attributes: server URL and email). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "beacon-account.h"
#include "beacon-jwt.h"

struct _BeaconAccount
{
  GObject parent_instance;

  char *server;
  char *email;
  char *token;
};

G_DEFINE_FINAL_TYPE (BeaconAccount, beacon_account, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SERVER,
  PROP_EMAIL,
  PROP_TOKEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * beacon_account_get_schema:
 *
 * The token is the secret; `server` (the server's URL) and `email` are the attributes
 * it is found by. The token itself is never an attribute: attributes are not secret.
 *
 * Returns: (transfer none): the schema `org.beaconim.Beacon.Token`
 */
const SecretSchema *
beacon_account_get_schema (void)
{
  static const SecretSchema schema = {
    "org.beaconim.Beacon.Token",
    SECRET_SCHEMA_NONE,
    {
        { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "email", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    },
  };

  return &schema;
}

/* The server's URL as stored: without trailing slashes, so that "https://example.org/"
 * and "https://example.org" find the same token. */
static char *
normalize_server (const char *server)
{
  gsize len = strlen (server);

  while (len > 1 && server[len - 1] == '/')
    len--;
  return g_strndup (server, len);
}

static GHashTable *
attributes_new (const char *server, const char *email)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server);
  if (email != NULL)
    g_hash_table_insert (attributes, (gpointer) "email", (gpointer) email);
  return attributes;
}

static void
beacon_account_finalize (GObject *object)
{
  BeaconAccount *self = BEACON_ACCOUNT (object);

  g_free (self->server);
  g_free (self->email);
  if (self->token != NULL)
    {
      memset (self->token, 0, strlen (self->token));
      g_free (self->token);
    }

  G_OBJECT_CLASS (beacon_account_parent_class)->finalize (object);
}

static void
beacon_account_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconAccount *self = BEACON_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER: g_value_set_string (value, self->server); break;
    case PROP_EMAIL: g_value_set_string (value, self->email); break;
    case PROP_TOKEN: g_value_set_string (value, self->token); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_account_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BeaconAccount *self = BEACON_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_SERVER: self->server = normalize_server (g_value_get_string (value)); break;
    case PROP_EMAIL: self->email = g_value_dup_string (value); break;
    case PROP_TOKEN: self->token = g_value_dup_string (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_account_class_init (BeaconAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = beacon_account_finalize;
  object_class->get_property = beacon_account_get_property;
  object_class->set_property = beacon_account_set_property;

  properties[PROP_SERVER] = g_param_spec_string ("server", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties[PROP_TOKEN] = g_param_spec_string ("token", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_account_init (BeaconAccount *self)
{
}

/**
 * beacon_account_new:
 * @server: the server's URL, as in `https://beacon.example.org`
 * @email: the email the user signed in with
 * @token: the token the server gave
 *
 * Returns: (transfer full): an account, not stored yet
 */
BeaconAccount *
beacon_account_new (const char *server, const char *email, const char *token)
{
  g_return_val_if_fail (server != NULL && *server != '\0', NULL);
  g_return_val_if_fail (email != NULL, NULL);
  g_return_val_if_fail (token != NULL, NULL);

  return g_object_new (BEACON_TYPE_ACCOUNT, "server", server, "email", email, "token", token, NULL);
}

const char *
beacon_account_get_server (BeaconAccount *self)
{
  g_return_val_if_fail (BEACON_IS_ACCOUNT (self), NULL);
  return self->server;
}

const char *
beacon_account_get_email (BeaconAccount *self)
{
  g_return_val_if_fail (BEACON_IS_ACCOUNT (self), NULL);
  return self->email;
}

const char *
beacon_account_get_token (BeaconAccount *self)
{
  g_return_val_if_fail (BEACON_IS_ACCOUNT (self), NULL);
  return self->token;
}

/**
 * beacon_account_dup_label:
 * @self: an account
 *
 * Returns: (transfer full): what the keyring shows for the token: "Beacon token for
 *   EMAIL on SERVER"
 */
char *
beacon_account_dup_label (BeaconAccount *self)
{
  g_return_val_if_fail (BEACON_IS_ACCOUNT (self), NULL);

  /* Translators: the name of the token in the keyring (Seahorse shows it); the first %s
   * is an email address, the second the server's URL. */
  return g_strdup_printf (_ ("Beacon token for %s on %s"), self->email, self->server);
}

/**
 * beacon_account_token_expires_at:
 * @self: an account
 *
 * Reads the token's `exp` claim without checking the signature (the client treats the
 * token as opaque otherwise): enough to warn before it runs out, never to trust it.
 *
 * Returns: (transfer full) (nullable): when the token expires (UTC), or %NULL when it
 *   is not a readable JWT or has no `exp`
 */
GDateTime *
beacon_account_token_expires_at (BeaconAccount *self)
{
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  JsonNode              *exp;
  gint64                 seconds;

  g_return_val_if_fail (BEACON_IS_ACCOUNT (self), NULL);

  if (!(claims = beacon_jwt_peek_claims (self->token, &error)))
    {
      g_debug ("The token's claims cannot be read: %s", error->message);
      return NULL;
    }
  if (!(exp = json_object_get_member (claims, "exp")) || !JSON_NODE_HOLDS_VALUE (exp))
    return NULL;
  if (json_node_get_value_type (exp) == G_TYPE_INT64)
    seconds = json_node_get_int (exp);
  else if (json_node_get_value_type (exp) == G_TYPE_DOUBLE)
    seconds = (gint64) json_node_get_double (exp);
  else
    return NULL;
  return g_date_time_new_from_unix_utc (seconds);
}

/* Storing */

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)  task = user_data;
  g_autoptr (GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * beacon_account_store_token_async:
 * @self: an account
 * @cancellable: (nullable): a cancellable
 * @callback: called when it is stored
 * @user_data: for @callback
 *
 * Stores the token in the default collection of the Secret Service (unlocking it if
 * needed), replacing any token stored before for the same server and email.
 */
void
beacon_account_store_token_async (BeaconAccount      *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  g_autoptr (GTask)      task = NULL;
  g_autoptr (GHashTable) attributes = NULL;
  g_autofree char       *label = NULL;

  g_return_if_fail (BEACON_IS_ACCOUNT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_account_store_token_async);

  attributes = attributes_new (self->server, self->email);
  label = beacon_account_dup_label (self);
  secret_password_storev (beacon_account_get_schema (), attributes, SECRET_COLLECTION_DEFAULT,
                          label, self->token, cancellable, on_stored, g_steal_pointer (&task));
}

/**
 * beacon_account_store_token_finish:
 * @self: an account
 * @result: the result
 * @error: where a failure of the Secret Service goes
 *
 * Returns: %TRUE if the token is stored
 */
gboolean
beacon_account_store_token_finish (BeaconAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Looking up */

typedef struct
{
  char *server;
  char *email;
} LookupData;

static void
lookup_data_free (LookupData *data)
{
  g_free (data->server);
  g_free (data->email);
  g_free (data);
}

static void
on_secret_retrieved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)       task = user_data;
  g_autoptr (GError)      error = NULL;
  g_autoptr (SecretValue) value = NULL;
  LookupData             *data = g_task_get_task_data (task);
  const char             *token;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (value == NULL || !(token = secret_value_get_text (value)) || *token == '\0')
    {
      g_debug ("The token stored for %s is empty or not text: ignored", data->server);
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  g_task_return_pointer (task, beacon_account_new (data->server, data->email, token),
                         g_object_unref);
}

static void
on_searched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)      task = user_data;
  g_autoptr (GError)     error = NULL;
  g_autolist (GObject)   items = NULL;
  g_autoptr (GHashTable) attributes = NULL;
  SecretRetrievable     *newest = NULL;
  LookupData            *data = g_task_get_task_data (task);
  GCancellable          *cancellable;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* One token per server is the rule; should several emails have one, the newest wins. */
  for (GList *l = items; l != NULL; l = l->next)
    if (newest == NULL ||
        secret_retrievable_get_modified (l->data) > secret_retrievable_get_modified (newest))
      newest = l->data;
  if (newest == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  attributes = secret_retrievable_get_attributes (newest);
  data->email = g_strdup (g_hash_table_lookup (attributes, "email"));
  if (data->email == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  cancellable = g_task_get_cancellable (task);
  secret_retrievable_retrieve_secret (newest, cancellable, on_secret_retrieved,
                                      g_steal_pointer (&task));
}

/**
 * beacon_account_lookup_async:
 * @server: the server's URL
 * @cancellable: (nullable): a cancellable
 * @callback: called with the answer
 * @user_data: for @callback
 *
 * Looks for the token stored for @server (unlocking the keyring if needed).
 */
void
beacon_account_lookup_async (const char         *server,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr (GTask)      task = NULL;
  g_autoptr (GHashTable) attributes = NULL;
  LookupData            *data;

  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_account_lookup_async);
  data = g_new0 (LookupData, 1);
  data->server = normalize_server (server);
  g_task_set_task_data (task, data, (GDestroyNotify) lookup_data_free);

  attributes = attributes_new (data->server, NULL);
  secret_password_searchv (beacon_account_get_schema (), attributes,
                           SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK, cancellable, on_searched,
                           g_steal_pointer (&task));
}

/**
 * beacon_account_lookup_finish:
 * @result: the result
 * @error: where a failure of the Secret Service goes
 *
 * Returns: (transfer full) (nullable): the account with its token and email, or %NULL
 *   (@error unset) when no token is stored for the server
 */
BeaconAccount *
beacon_account_lookup_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Clearing */

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask)  task = user_data;
  g_autoptr (GError) error = NULL;

  /* FALSE without an error: there was nothing to clear, which is fine. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * beacon_account_clear_async:
 * @self: an account
 * @cancellable: (nullable): a cancellable
 * @callback: called when it is done
 * @user_data: for @callback
 *
 * Deletes the token stored for the account's server and email (on sign-out, or when
 * the server answers `token_invalid` or `token_expired`). Nothing stored is no error.
 */
void
beacon_account_clear_async (BeaconAccount      *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  g_autoptr (GTask)      task = NULL;
  g_autoptr (GHashTable) attributes = NULL;

  g_return_if_fail (BEACON_IS_ACCOUNT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, beacon_account_clear_async);

  attributes = attributes_new (self->server, self->email);
  secret_password_clearv (beacon_account_get_schema (), attributes, cancellable, on_cleared,
                          g_steal_pointer (&task));
}

/**
 * beacon_account_clear_finish:
 * @self: an account
 * @result: the result
 * @error: where a failure of the Secret Service goes
 *
 * Returns: %TRUE if no token is stored for the account any more
 */
gboolean
beacon_account_clear_finish (BeaconAccount *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
