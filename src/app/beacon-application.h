/* beacon-application.h: BeaconApplication, the AdwApplication of the desktop app: its
 * actions, accelerators and windows. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BEACON_TYPE_APPLICATION (beacon_application_get_type ())

G_DECLARE_FINAL_TYPE (BeaconApplication, beacon_application, BEACON, APPLICATION, AdwApplication)

BeaconApplication *beacon_application_new (void);

G_END_DECLS
