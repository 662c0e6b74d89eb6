/* beacon-provider-row.h: BeaconProviderRow, one freelancer in the guest browser: avatar
 * with a green or gray badge, name, headline, and when they were last around. */

#pragma once

#include <gtk/gtk.h>

#include "beacon-provider.h"

G_BEGIN_DECLS

#define BEACON_TYPE_PROVIDER_ROW (beacon_provider_row_get_type ())

G_DECLARE_FINAL_TYPE (BeaconProviderRow, beacon_provider_row, BEACON, PROVIDER_ROW, GtkWidget)

GtkWidget      *beacon_provider_row_new (void);
BeaconProvider *beacon_provider_row_get_provider (BeaconProviderRow *self);
void beacon_provider_row_set_provider (BeaconProviderRow *self, BeaconProvider *provider);

G_END_DECLS
