/* beacon-account.h: BeaconAccount, a signed-in user's token for one server, kept in the
 * Secret Service (libsecret) and never in a plain file. */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

#define BEACON_TYPE_ACCOUNT (beacon_account_get_type ())

G_DECLARE_FINAL_TYPE (BeaconAccount, beacon_account, BEACON, ACCOUNT, GObject)

const SecretSchema *beacon_account_get_schema (void);

BeaconAccount *beacon_account_new (const char *server, const char *email, const char *token);
const char    *beacon_account_get_server (BeaconAccount *self);
const char    *beacon_account_get_email (BeaconAccount *self);
const char    *beacon_account_get_token (BeaconAccount *self);
char          *beacon_account_dup_label (BeaconAccount *self);
GDateTime     *beacon_account_token_expires_at (BeaconAccount *self);

void beacon_account_store_token_async (BeaconAccount      *self,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean
beacon_account_store_token_finish (BeaconAccount *self, GAsyncResult *result, GError **error);

void           beacon_account_lookup_async (const char         *server,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
BeaconAccount *beacon_account_lookup_finish (GAsyncResult *result, GError **error);

void     beacon_account_clear_async (BeaconAccount      *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data);
gboolean beacon_account_clear_finish (BeaconAccount *self, GAsyncResult *result, GError **error);

G_END_DECLS
