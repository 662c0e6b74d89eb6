/* beacon-window.h: BeaconWindow, the main window of the desktop app (a GtkBuilder
 * template in the app's GResource): start, sign-in, guest and signed-in pages. */

#pragma once

#include <adwaita.h>

#include "beacon-application.h"
#include "beacon-session.h"

G_BEGIN_DECLS

#define BEACON_TYPE_WINDOW (beacon_window_get_type ())

G_DECLARE_FINAL_TYPE (BeaconWindow, beacon_window, BEACON, WINDOW, AdwApplicationWindow)

BeaconWindow  *beacon_window_new (BeaconApplication *app);
BeaconSession *beacon_window_get_session (BeaconWindow *self);
void           beacon_window_set_session (BeaconWindow *self, BeaconSession *session);
/* The page shown: "loading", "welcome", "sign-in", "guest" or "main". */
const char *beacon_window_get_page (BeaconWindow *self);
/* Opens the chat with this contact (a user id, or a conversation id). */
gboolean beacon_window_open_chat (BeaconWindow *self, const char *id);
/* The conversation shown in a chat the person is looking at (window active), or NULL. */
BeaconConversation *beacon_window_get_seen_conversation (BeaconWindow *self);

G_END_DECLS
