/* beacon-window.h: BeaconWindow, the main window of the desktop app (a GtkBuilder
 * template in the app's GResource). */
#pragma once

#include <adwaita.h>

#include "beacon-application.h"

G_BEGIN_DECLS

#define BEACON_TYPE_WINDOW (beacon_window_get_type ())

G_DECLARE_FINAL_TYPE (BeaconWindow, beacon_window, BEACON, WINDOW, AdwApplicationWindow)

BeaconWindow *beacon_window_new (BeaconApplication *app);

G_END_DECLS
