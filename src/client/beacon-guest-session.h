/* beacon-guest-session.h: BeaconGuestSession, browsing freelancers without signing in:
 * GET /api/providers with its filters, and live online flags from the /presence namespace. */
#pragma once

#include <gio/gio.h>

#include "beacon-api.h"
#include "beacon-clock.h"
#include "beacon-guest-store.h"
#include "beacon-socket.h"

G_BEGIN_DECLS

#define BEACON_TYPE_GUEST_SESSION (beacon_guest_session_get_type ())

G_DECLARE_FINAL_TYPE (BeaconGuestSession, beacon_guest_session, BEACON, GUEST_SESSION, GObject)

BeaconGuestSession *beacon_guest_session_new (const char *server_url, BeaconClock *clock);

const char       *beacon_guest_session_get_server_url (BeaconGuestSession *self);
BeaconGuestStore *beacon_guest_session_get_store (BeaconGuestSession *self);
BeaconApi        *beacon_guest_session_get_api (BeaconGuestSession *self);
BeaconSocket     *beacon_guest_session_get_socket (BeaconGuestSession *self);
BeaconSocketState beacon_guest_session_get_state (BeaconGuestSession *self);
guint             beacon_guest_session_get_next_retry_in (BeaconGuestSession *self);
const char       *beacon_guest_session_get_error_message (BeaconGuestSession *self);
guint             beacon_guest_session_get_total (BeaconGuestSession *self);

void beacon_guest_session_start (BeaconGuestSession *self);
void beacon_guest_session_stop (BeaconGuestSession *self);

/* GET /api/providers: online_status NULL, "online" or "offline"; active_within NULL or a
 * duration ("24h"); the first page replaces the store's providers. */
void beacon_guest_session_search_async (BeaconGuestSession *self,
                                        const char         *q,
                                        const char         *online_status,
                                        const char         *active_within,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean
beacon_guest_session_search_finish (BeaconGuestSession *self, GAsyncResult *result, GError **error);
/* The next page of the last search, appended; TRUE at once when none is left. */
void     beacon_guest_session_load_more_async (BeaconGuestSession *self,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean beacon_guest_session_load_more_finish (BeaconGuestSession *self,
                                                GAsyncResult       *result,
                                                GError            **error);

G_END_DECLS
