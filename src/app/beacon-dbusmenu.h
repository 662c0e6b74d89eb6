/* beacon-dbusmenu.h: BeaconDbusmenu, a GMenuModel exported on D-Bus as a
 * com.canonical.dbusmenu menu, its items' "app." actions resolved in a GActionGroup. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BEACON_TYPE_DBUSMENU (beacon_dbusmenu_get_type ())

G_DECLARE_FINAL_TYPE (BeaconDbusmenu, beacon_dbusmenu, BEACON, DBUSMENU, GObject)

BeaconDbusmenu *beacon_dbusmenu_new (GMenuModel *menu, GActionGroup *actions);

gboolean beacon_dbusmenu_export (BeaconDbusmenu  *self,
                                 GDBusConnection *connection,
                                 const char      *object_path,
                                 GError         **error);
void     beacon_dbusmenu_unexport (BeaconDbusmenu *self);
guint    beacon_dbusmenu_get_revision (BeaconDbusmenu *self);

G_END_DECLS
