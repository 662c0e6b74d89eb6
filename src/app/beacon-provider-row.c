/* beacon-provider-row.c: BeaconProviderRow: a template bound to a BeaconProvider; a guest
 * sees green (online) or gray only. Its button asks the window to offer signing in. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "beacon-app-private.h"
#include "beacon-provider-row.h"
#include "beacon-status-badge.h"

struct _BeaconProviderRow
{
  GtkWidget parent_instance;

  BeaconProvider *provider;

  AdwAvatar         *avatar;
  BeaconStatusBadge *badge;
  GtkLabel          *name_label;
  GtkLabel          *headline_label;
  GtkLabel          *seen_label;
  GtkButton         *message_button;
};

G_DEFINE_FINAL_TYPE (BeaconProviderRow, beacon_provider_row, GTK_TYPE_WIDGET)

GtkWidget *
beacon_provider_row_new (void)
{
  return g_object_new (BEACON_TYPE_PROVIDER_ROW, NULL);
}

static void
update (BeaconProviderRow *self)
{
  BeaconProvider *provider = self->provider;
  const char     *name = beacon_provider_get_name (provider);
  const char     *headline = beacon_provider_get_headline (provider);
  gboolean        online = beacon_provider_get_online (provider);
  const char     *seen = beacon_provider_get_last_seen_label (provider);

  if (name == NULL || *name == '\0')
    name = beacon_provider_get_id (provider);
  adw_avatar_set_text (self->avatar, name);
  gtk_label_set_label (self->name_label, name);
  gtk_label_set_label (self->headline_label, headline != NULL ? headline : "");
  gtk_widget_set_visible (GTK_WIDGET (self->headline_label), headline != NULL && *headline != '\0');
  beacon_status_badge_set_badge (self->badge, online ? BEACON_BADGE_GREEN : BEACON_BADGE_GRAY);
  beacon_status_badge_set_status (self->badge,
                                  online ? BEACON_STATUS_ONLINE : BEACON_STATUS_OFFLINE);
  gtk_label_set_label (self->seen_label, online         ? _ ("Online now")
                                         : seen != NULL ? seen
                                                        : _ ("Offline"));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->message_button), "s",
                                    beacon_provider_get_id (provider));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->message_button), "win.message-provider");
}

BeaconProvider *
beacon_provider_row_get_provider (BeaconProviderRow *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER_ROW (self), NULL);
  return self->provider;
}

void
beacon_provider_row_set_provider (BeaconProviderRow *self, BeaconProvider *provider)
{
  g_return_if_fail (BEACON_IS_PROVIDER_ROW (self));

  if (self->provider == provider)
    return;
  if (self->provider != NULL)
    g_signal_handlers_disconnect_by_func (self->provider, update, self);
  g_set_object (&self->provider, provider);
  if (provider == NULL)
    return;
  g_signal_connect_swapped (provider, "notify", G_CALLBACK (update), self);
  update (self);
}

static void
beacon_provider_row_dispose (GObject *object)
{
  BeaconProviderRow *self = BEACON_PROVIDER_ROW (object);

  beacon_provider_row_set_provider (self, NULL);
  beacon_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_PROVIDER_ROW);

  G_OBJECT_CLASS (beacon_provider_row_parent_class)->dispose (object);
}

static void
beacon_provider_row_class_init (BeaconProviderRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_provider_row_dispose;

  g_type_ensure (BEACON_TYPE_STATUS_BADGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-provider-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconProviderRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, BeaconProviderRow, badge);
  gtk_widget_class_bind_template_child (widget_class, BeaconProviderRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconProviderRow, headline_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconProviderRow, seen_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconProviderRow, message_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
beacon_provider_row_init (BeaconProviderRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
