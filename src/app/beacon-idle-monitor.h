/* beacon-idle-monitor.h: BeaconIdleMonitor, whether the user has left the computer: no
 * input for some minutes, or the screen locked, as the desktop's services tell it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BEACON_TYPE_IDLE_MONITOR (beacon_idle_monitor_get_type ())

G_DECLARE_FINAL_TYPE (BeaconIdleMonitor, beacon_idle_monitor, BEACON, IDLE_MONITOR, GObject)

BeaconIdleMonitor *beacon_idle_monitor_new (GDBusConnection *session_bus);

gboolean beacon_idle_monitor_get_idle (BeaconIdleMonitor *self);
guint    beacon_idle_monitor_get_idle_minutes (BeaconIdleMonitor *self);
void     beacon_idle_monitor_set_idle_minutes (BeaconIdleMonitor *self, guint minutes);

G_END_DECLS
