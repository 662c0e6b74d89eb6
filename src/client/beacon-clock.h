/* beacon-clock.h: BeaconClock, the one shared tick at each minute boundary (and on resume
 * from suspend) that relabels every "last seen"; tests inject the time instead. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BEACON_TYPE_CLOCK (beacon_clock_get_type ())

G_DECLARE_FINAL_TYPE (BeaconClock, beacon_clock, BEACON, CLOCK, GObject)

BeaconClock *beacon_clock_get_default (void);
BeaconClock *beacon_clock_new (void);
BeaconClock *beacon_clock_new_for_testing (GDateTime *now);
GDateTime   *beacon_clock_get_now (BeaconClock *self);
void         beacon_clock_set_now (BeaconClock *self, GDateTime *now);
gboolean     beacon_clock_is_testing (BeaconClock *self);

G_END_DECLS
