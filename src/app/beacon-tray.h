/* beacon-tray.h: BeaconTray, the application's tray icon: a StatusNotifierItem with a
 * dbusmenu menu, registered with the desktop's StatusNotifierWatcher when it has a host. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BEACON_TYPE_TRAY (beacon_tray_get_type ())

G_DECLARE_FINAL_TYPE (BeaconTray, beacon_tray, BEACON, TRAY, GObject)

BeaconTray *beacon_tray_new (GApplication *app, GMenuModel *menu);

const char *beacon_tray_get_icon_name (BeaconTray *self);
void        beacon_tray_set_icon_name (BeaconTray *self, const char *icon_name);
gboolean    beacon_tray_get_attention (BeaconTray *self);
void        beacon_tray_set_attention (BeaconTray *self, gboolean attention);
const char *beacon_tray_get_tooltip_title (BeaconTray *self);
void        beacon_tray_set_tooltip_title (BeaconTray *self, const char *title);
const char *beacon_tray_get_tooltip_body (BeaconTray *self);
void        beacon_tray_set_tooltip_body (BeaconTray *self, const char *body);
gboolean    beacon_tray_get_visible (BeaconTray *self);

G_END_DECLS
