/* beacon-presence-store.h: BeaconPresenceStore, the signed-in user's contacts as a
 * GListModel of BeaconContact, fed by presence deltas, snapshots and REST hydration.
 * A contact whose badge or name changes is announced as items-changed (position, 1, 1),
 * with the same object, so that sorted and filtered views move that one row. */
#pragma once

#include <gio/gio.h>

#include "beacon-clock.h"
#include "beacon-contact.h"
#include "beacon-presence-record.h"

G_BEGIN_DECLS

/* One entry of the contact list (`GET /api/friends`): who, and what to call them. */
typedef struct
{
  char *id;
  char *name; /* nullable */
  char *role; /* nullable */
} BeaconContactInfo;

BeaconContactInfo *beacon_contact_info_new (const char *id, const char *name, const char *role);
void               beacon_contact_info_free (BeaconContactInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BeaconContactInfo, beacon_contact_info_free)

#define BEACON_TYPE_PRESENCE_STORE (beacon_presence_store_get_type ())

G_DECLARE_FINAL_TYPE (BeaconPresenceStore, beacon_presence_store, BEACON, PRESENCE_STORE, GObject)

BeaconPresenceStore *beacon_presence_store_new (BeaconClock *clock);

BeaconContact *beacon_presence_store_lookup (BeaconPresenceStore *self, const char *id);
gboolean
      beacon_presence_store_find (BeaconPresenceStore *self, const char *id, guint *out_position);
guint beacon_presence_store_get_online_count (BeaconPresenceStore *self);
gboolean beacon_presence_store_is_hydrating (BeaconPresenceStore *self);

BeaconContact *beacon_presence_store_apply_record (BeaconPresenceStore        *self,
                                                   const BeaconPresenceRecord *record);
void           beacon_presence_store_apply_records (BeaconPresenceStore *self, GPtrArray *records);
void
beacon_presence_store_apply_snapshot (BeaconPresenceStore *self, GPtrArray *records, gboolean full);
void beacon_presence_store_begin_hydration (BeaconPresenceStore *self);
void beacon_presence_store_finish_hydration (BeaconPresenceStore *self,
                                             GPtrArray           *records,
                                             GHashTable          *online);
void beacon_presence_store_abort_hydration (BeaconPresenceStore *self);
void beacon_presence_store_set_names (BeaconPresenceStore *self, GPtrArray *infos);
void beacon_presence_store_clear (BeaconPresenceStore *self);

G_END_DECLS
