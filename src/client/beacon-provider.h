/* beacon-provider.h: BeaconProvider, one freelancer as a guest sees them: name, headline,
 * online or not, and "last seen" when their privacy settings show it to everyone. */
#pragma once

#include <gio/gio.h>

#include "beacon-clock.h"

G_BEGIN_DECLS

#define BEACON_TYPE_PROVIDER (beacon_provider_get_type ())

G_DECLARE_FINAL_TYPE (BeaconProvider, beacon_provider, BEACON, PROVIDER, GObject)

BeaconProvider *beacon_provider_new (const char *id, BeaconClock *clock);

const char  *beacon_provider_get_id (BeaconProvider *self);
const char  *beacon_provider_get_name (BeaconProvider *self);
void         beacon_provider_set_name (BeaconProvider *self, const char *name);
const char  *beacon_provider_get_headline (BeaconProvider *self);
void         beacon_provider_set_headline (BeaconProvider *self, const char *headline);
gboolean     beacon_provider_get_online (BeaconProvider *self);
void         beacon_provider_set_online (BeaconProvider *self, gboolean online);
GDateTime   *beacon_provider_get_last_seen (BeaconProvider *self);
void         beacon_provider_set_last_seen (BeaconProvider *self, GDateTime *last_seen);
const char  *beacon_provider_get_last_seen_label (BeaconProvider *self);
BeaconClock *beacon_provider_get_clock (BeaconProvider *self);

G_END_DECLS
