/* beacon-message-row.c: BeaconMessageRow: formats the day heading ("Today", "Yesterday",
 * a date), the time, and the delivery mark, following the message's state. */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-app-private.h"
#include "beacon-message-row.h"

struct _BeaconMessageRow
{
  GtkWidget parent_instance;

  BeaconMessage *message;

  GtkLabel  *day_label;
  GtkWidget *bubble_box;
  GtkWidget *bubble;
  GtkLabel  *content_label;
  GtkLabel  *meta_label;
};

G_DEFINE_FINAL_TYPE (BeaconMessageRow, beacon_message_row, GTK_TYPE_WIDGET)

GtkWidget *
beacon_message_row_new (void)
{
  return g_object_new (BEACON_TYPE_MESSAGE_ROW, NULL);
}

static char *
day_heading (GDateTime *when)
{
  g_autoptr (GDateTime) local = g_date_time_to_local (when);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  int days = g_date_time_get_day_of_year (now) - g_date_time_get_day_of_year (local);

  if (g_date_time_get_year (now) == g_date_time_get_year (local))
    {
      if (days == 0)
        return g_strdup (_ ("Today"));
      if (days == 1)
        return g_strdup (_ ("Yesterday"));
      if (days > 1 && days < 7)
        return g_date_time_format (local, "%A");
      /* TRANSLATORS: a day heading in a chat, this year; see strftime(3). */
      return g_date_time_format (local, _ ("%e %B"));
    }
  /* TRANSLATORS: a day heading in a chat, another year; see strftime(3). */
  return g_date_time_format (local, _ ("%e %B %Y"));
}

static gboolean
same_day (GDateTime *a, GDateTime *b)
{
  g_autoptr (GDateTime) la = g_date_time_to_local (a);
  g_autoptr (GDateTime) lb = g_date_time_to_local (b);

  return g_date_time_get_year (la) == g_date_time_get_year (lb) &&
         g_date_time_get_day_of_year (la) == g_date_time_get_day_of_year (lb);
}

const char *
beacon_message_row_get_mark (BeaconMessageRow *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_ROW (self), NULL);

  if (self->message == NULL || !beacon_message_get_outgoing (self->message))
    return "";
  switch (beacon_message_get_state (self->message))
    {
    case BEACON_MESSAGE_PENDING: return _ ("Sending…");
    case BEACON_MESSAGE_SENT: return _ ("Sent");
    case BEACON_MESSAGE_DELIVERED: return _ ("Delivered");
    case BEACON_MESSAGE_READ: return _ ("Read");
    case BEACON_MESSAGE_FAILED: return _ ("Not sent");
    default: return "";
    }
}

static void
update_meta (BeaconMessageRow *self)
{
  GDateTime       *created = beacon_message_get_created_at (self->message);
  g_autofree char *time = NULL;
  g_autofree char *meta = NULL;
  const char      *mark = beacon_message_row_get_mark (self);

  if (created != NULL)
    {
      g_autoptr (GDateTime) local = g_date_time_to_local (created);

      time = g_date_time_format (local, "%R");
    }
  if (*mark != '\0' && time != NULL)
    /* TRANSLATORS: a message's time and its delivery mark, e.g. "14:05 · Read" */
    meta = g_strdup_printf (_ ("%s · %s"), time, mark);
  else
    meta = g_strdup (*mark != '\0' ? mark : time != NULL ? time : "");
  gtk_label_set_label (self->meta_label, meta);
  if (beacon_message_get_state (self->message) == BEACON_MESSAGE_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->meta_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->meta_label), "error");
}

BeaconMessage *
beacon_message_row_get_message (BeaconMessageRow *self)
{
  g_return_val_if_fail (BEACON_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

void
beacon_message_row_set_message (BeaconMessageRow *self,
                                BeaconMessage    *message,
                                BeaconMessage    *previous)
{
  GDateTime *created;
  gboolean   outgoing;

  g_return_if_fail (BEACON_IS_MESSAGE_ROW (self));

  if (self->message != NULL)
    g_signal_handlers_disconnect_by_func (self->message, update_meta, self);
  g_set_object (&self->message, message);
  if (message == NULL)
    return;

  created = beacon_message_get_created_at (message);
  outgoing = beacon_message_get_outgoing (message);
  gtk_label_set_label (self->content_label, beacon_message_get_content (message));
  gtk_widget_set_halign (self->bubble_box, outgoing ? GTK_ALIGN_END : GTK_ALIGN_START);
  if (outgoing)
    gtk_widget_add_css_class (self->bubble, "outgoing");
  else
    gtk_widget_remove_css_class (self->bubble, "outgoing");
  gtk_label_set_xalign (self->meta_label, outgoing ? 1.0 : 0.0);

  if (created != NULL && (previous == NULL || beacon_message_get_created_at (previous) == NULL ||
                          !same_day (beacon_message_get_created_at (previous), created)))
    {
      g_autofree char *heading = day_heading (created);

      gtk_label_set_label (self->day_label, heading);
      gtk_widget_set_visible (GTK_WIDGET (self->day_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->day_label), FALSE);

  g_signal_connect_swapped (message, "notify::state", G_CALLBACK (update_meta), self);
  g_signal_connect_swapped (message, "notify::created-at", G_CALLBACK (update_meta), self);
  update_meta (self);
}

static void
beacon_message_row_dispose (GObject *object)
{
  BeaconMessageRow *self = BEACON_MESSAGE_ROW (object);

  beacon_message_row_set_message (self, NULL, NULL);
  beacon_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (beacon_message_row_parent_class)->dispose (object);
}

static void
beacon_message_row_class_init (BeaconMessageRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_message_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconMessageRow, day_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconMessageRow, bubble_box);
  gtk_widget_class_bind_template_child (widget_class, BeaconMessageRow, bubble);
  gtk_widget_class_bind_template_child (widget_class, BeaconMessageRow, content_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconMessageRow, meta_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "messagerow");
}

static void
beacon_message_row_init (BeaconMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
