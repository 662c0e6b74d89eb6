/* beacon-clock-private.h: what only the library and its tests see of BeaconClock: the
 * minute arithmetic and a clock listening for resume on a bus of the caller's choosing. */
#pragma once

#include "beacon-clock.h"

G_BEGIN_DECLS

guint        beacon_clock_ms_until_next_minute (gint64 real_time_us);
BeaconClock *beacon_clock_new_with_bus (GDBusConnection *bus);

G_END_DECLS
