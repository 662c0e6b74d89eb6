/* beacon-application.h: BeaconApplication, the AdwApplication of the desktop app: its
 * actions, accelerators, windows, and the session with the server. */

#pragma once

#include <adwaita.h>

#include "beacon-desktop.h"
#include "beacon-session.h"

G_BEGIN_DECLS

#define BEACON_TYPE_APPLICATION (beacon_application_get_type ())

G_DECLARE_FINAL_TYPE (BeaconApplication, beacon_application, BEACON, APPLICATION, AdwApplication)

BeaconApplication *beacon_application_new (void);
BeaconClock       *beacon_application_get_clock (BeaconApplication *self);
/* The session (property "session"); replaced by beacon_application_use_server(). */
BeaconSession *beacon_application_get_session (BeaconApplication *self);
/* Makes the session talk to url, replacing it (signed out) when it talked to another. */
BeaconSession *beacon_application_use_server (BeaconApplication *self, const char *url);

/* The tray icon, notifications and auto-away (after startup). */
BeaconDesktop *beacon_application_get_desktop (BeaconApplication *self);
/* The conversation the person is looking at, or NULL: notifications leave it alone. */
void beacon_application_set_visible_conversation (BeaconApplication *self,
                                                  const char        *conversation_id);
/* TRUE when --server chose the server for this run: the preference is left alone. */
gboolean beacon_application_get_server_overridden (BeaconApplication *self);
/* The sign-in asked for on the command line (--email, BEACON_PASSWORD), once. */
gboolean beacon_application_take_sign_in (BeaconApplication *self, char **email, char **password);

G_END_DECLS
