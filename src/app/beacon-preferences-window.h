/* beacon-preferences-window.h: BeaconPreferencesWindow, the preferences (GSettings):
 * server, notifications, background running, auto-away, and signing out. */

#pragma once

#include <adwaita.h>

#include "beacon-session.h"

G_BEGIN_DECLS

#define BEACON_TYPE_PREFERENCES_WINDOW (beacon_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (BeaconPreferencesWindow,
                      beacon_preferences_window,
                      BEACON,
                      PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* session: nullable; shows who is signed in, and offers to sign out. */
GtkWidget *beacon_preferences_window_new (BeaconSession *session);

G_END_DECLS
