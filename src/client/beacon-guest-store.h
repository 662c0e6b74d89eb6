/* beacon-guest-store.h: BeaconGuestStore, the freelancers a guest browses, as a GListModel
 * of BeaconProvider filled from GET /api/providers and flagged online from /presence. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "beacon-clock.h"
#include "beacon-provider.h"

G_BEGIN_DECLS

#define BEACON_TYPE_GUEST_STORE (beacon_guest_store_get_type ())

G_DECLARE_FINAL_TYPE (BeaconGuestStore, beacon_guest_store, BEACON, GUEST_STORE, GObject)

BeaconGuestStore *beacon_guest_store_new (BeaconClock *clock);

BeaconProvider *beacon_guest_store_lookup (BeaconGuestStore *self, const char *id);
gboolean beacon_guest_store_find (BeaconGuestStore *self, const char *id, guint *out_position);
guint    beacon_guest_store_get_online_count (BeaconGuestStore *self);

void beacon_guest_store_load (BeaconGuestStore *self, JsonArray *providers, gboolean replace);
void
beacon_guest_store_set_online_ids (BeaconGuestStore *self, GPtrArray *ids, GDateTime *timestamp);
gboolean beacon_guest_store_has_online_ids (BeaconGuestStore *self);
void     beacon_guest_store_forget_online_ids (BeaconGuestStore *self);

GPtrArray *
beacon_guest_parse_online_list (JsonNode *payload, GDateTime **out_timestamp, GError **error);

G_END_DECLS
