/* beacon-contact-row.c: BeaconContactRow: a template whose widgets follow the contact's
 * properties through bindings, rebound when the list view recycles the row. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "beacon-app-private.h"
#include "beacon-contact-row.h"
#include "beacon-status-badge.h"

struct _BeaconContactRow
{
  GtkWidget parent_instance;

  BeaconContact *contact;
  GPtrArray     *bindings;

  AdwAvatar         *avatar;
  BeaconStatusBadge *badge;
  GtkLabel          *name_label;
  GtkLabel          *status_label;
  GtkLabel          *unread_label;
};

G_DEFINE_FINAL_TYPE (BeaconContactRow, beacon_contact_row, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_CONTACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
beacon_contact_row_new (void)
{
  return g_object_new (BEACON_TYPE_CONTACT_ROW, NULL);
}

static gboolean
unread_to_label (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  guint count = g_value_get_uint (from);

  g_value_take_string (to, count > 99 ? g_strdup ("99+") : g_strdup_printf ("%u", count));
  return TRUE;
}

static gboolean
unread_to_visible (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  g_value_set_boolean (to, g_value_get_uint (from) > 0);
  return TRUE;
}

/* A contact without a name yet (the contact list has not come) shows its id. */
static gboolean
name_or_id (GBinding *binding, const GValue *from, GValue *to, gpointer user_data)
{
  BeaconContact *contact = BEACON_CONTACT (g_binding_dup_source (binding));
  const char    *name = g_value_get_string (from);

  g_value_set_string (to, name != NULL && *name != '\0' ? name : beacon_contact_get_id (contact));
  g_object_unref (contact);
  return TRUE;
}

static void
update_accessible (BeaconContactRow *self)
{
  g_autofree char *label = NULL;
  guint            unread;

  if (self->contact == NULL)
    return;
  unread = beacon_contact_get_unread_count (self->contact);
  if (unread > 0)
    label = g_strdup_printf (
        ngettext ("%s, %s, %u unread message", "%s, %s, %u unread messages", unread),
        gtk_label_get_text (self->name_label), gtk_label_get_text (self->status_label), unread);
  else
    label = g_strdup_printf ("%s, %s", gtk_label_get_text (self->name_label),
                             gtk_label_get_text (self->status_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
unbind (BeaconContactRow *self)
{
  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);
  if (self->contact != NULL)
    g_signal_handlers_disconnect_by_func (self->contact, update_accessible, self);
  g_clear_object (&self->contact);
}

static void
bind (BeaconContactRow *self, const char *source, GObject *target, const char *property)
{
  GBinding *binding =
      g_object_bind_property (self->contact, source, target, property, G_BINDING_SYNC_CREATE);

  g_ptr_array_add (self->bindings, binding);
}

static void
bind_full (BeaconContactRow     *self,
           const char           *source,
           GObject              *target,
           const char           *property,
           GBindingTransformFunc transform)
{
  GBinding *binding = g_object_bind_property_full (
      self->contact, source, target, property, G_BINDING_SYNC_CREATE, transform, NULL, NULL, NULL);

  g_ptr_array_add (self->bindings, binding);
}

BeaconContact *
beacon_contact_row_get_contact (BeaconContactRow *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT_ROW (self), NULL);
  return self->contact;
}

void
beacon_contact_row_set_contact (BeaconContactRow *self, BeaconContact *contact)
{
  g_return_if_fail (BEACON_IS_CONTACT_ROW (self));
  g_return_if_fail (contact == NULL || BEACON_IS_CONTACT (contact));

  if (self->contact == contact)
    return;

  unbind (self);
  if (contact != NULL)
    {
      self->contact = g_object_ref (contact);
      bind_full (self, "name", G_OBJECT (self->avatar), "text", name_or_id);
      bind_full (self, "name", G_OBJECT (self->name_label), "label", name_or_id);
      bind (self, "status-label", G_OBJECT (self->status_label), "label");
      bind (self, "badge", G_OBJECT (self->badge), "badge");
      bind (self, "status", G_OBJECT (self->badge), "status");
      bind_full (self, "unread-count", G_OBJECT (self->unread_label), "label", unread_to_label);
      bind_full (self, "unread-count", G_OBJECT (self->unread_label), "visible", unread_to_visible);
      g_signal_connect_swapped (contact, "notify::status-label", G_CALLBACK (update_accessible),
                                self);
      g_signal_connect_swapped (contact, "notify::unread-count", G_CALLBACK (update_accessible),
                                self);
      update_accessible (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT]);
}

static void
beacon_contact_row_dispose (GObject *object)
{
  BeaconContactRow *self = BEACON_CONTACT_ROW (object);

  unbind (self);
  beacon_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_CONTACT_ROW);

  G_OBJECT_CLASS (beacon_contact_row_parent_class)->dispose (object);
}

static void
beacon_contact_row_finalize (GObject *object)
{
  BeaconContactRow *self = BEACON_CONTACT_ROW (object);

  g_ptr_array_unref (self->bindings);

  G_OBJECT_CLASS (beacon_contact_row_parent_class)->finalize (object);
}

static void
beacon_contact_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconContactRow *self = BEACON_CONTACT_ROW (object);

  switch (prop_id)
    {
    case PROP_CONTACT: g_value_set_object (value, self->contact); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_contact_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BeaconContactRow *self = BEACON_CONTACT_ROW (object);

  switch (prop_id)
    {
    case PROP_CONTACT: beacon_contact_row_set_contact (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_contact_row_class_init (BeaconContactRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_contact_row_dispose;
  object_class->finalize = beacon_contact_row_finalize;
  object_class->get_property = beacon_contact_row_get_property;
  object_class->set_property = beacon_contact_row_set_property;

  properties[PROP_CONTACT] =
      g_param_spec_object ("contact", NULL, NULL, BEACON_TYPE_CONTACT,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (BEACON_TYPE_STATUS_BADGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-contact-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconContactRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactRow, badge);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactRow, unread_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "contactrow");
}

static void
beacon_contact_row_init (BeaconContactRow *self)
{
  self->bindings = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}
