/* beacon-desktop.h: BeaconDesktop, how Beacon lives on the desktop: the tray icon and its
 * menu, notifications, idle auto-away, running in the background and starting at login. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-session.h"
#include "beacon-tray.h"

G_BEGIN_DECLS

#define BEACON_TYPE_DESKTOP (beacon_desktop_get_type ())

G_DECLARE_FINAL_TYPE (BeaconDesktop, beacon_desktop, BEACON, DESKTOP, GObject)

/* Adds app.status and app.toggle-window to app; app must be registered. */
BeaconDesktop *beacon_desktop_new (GtkApplication *app, GSettings *settings);
void           beacon_desktop_set_session (BeaconDesktop *self, BeaconSession *session);
/* The conversation the person is looking at (nullable): no notification for it. */
void beacon_desktop_set_visible_conversation (BeaconDesktop *self, const char *conversation_id);
/* Whether closing the window should only hide it: a tray icon is shown, or "run in
 * background" is on. */
gboolean beacon_desktop_get_hide_on_close (BeaconDesktop *self);
/* Hides the window (nullable: none yet) and keeps the app running (held once);
 * window_shown() lets go of that hold. */
void        beacon_desktop_hide_window (BeaconDesktop *self, GtkWindow *window);
void        beacon_desktop_window_shown (BeaconDesktop *self);
BeaconTray *beacon_desktop_get_tray (BeaconDesktop *self);

/* Where the XDG autostart entry goes (outside Flatpak). */
char *beacon_desktop_autostart_path (void);

G_END_DECLS
