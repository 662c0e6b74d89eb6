/* beacon-guest-page.c: BeaconGuestPage: the guest session's store through a filter (online
 * now) into a list view; searching and filtering ask the server again. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "beacon-app-private.h"
#include "beacon-guest-page.h"
#include "beacon-provider-row.h"

struct _BeaconGuestPage
{
  GtkWidget parent_instance;

  BeaconGuestSession *session;
  GCancellable       *cancellable;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  gboolean            loading;
  gboolean            failed;

  AdwWindowTitle  *title;
  GtkSearchEntry  *search_entry;
  GtkToggleButton *all_button;
  GtkToggleButton *online_button;
  GtkToggleButton *recent_button;
  GtkRevealer     *banner;
  GtkLabel        *banner_label;
  GtkStack        *stack;
  GtkListView     *list_view;
  AdwStatusPage   *empty_page;
};

G_DEFINE_FINAL_TYPE (BeaconGuestPage, beacon_guest_page, GTK_TYPE_WIDGET)

GtkWidget *
beacon_guest_page_new (void)
{
  return g_object_new (BEACON_TYPE_GUEST_PAGE, NULL);
}

static gboolean
online_only (BeaconGuestPage *self)
{
  return gtk_toggle_button_get_active (self->online_button);
}

static gboolean
filter_provider (gpointer item, gpointer user_data)
{
  BeaconGuestPage *self = user_data;

  return !online_only (self) || beacon_provider_get_online (BEACON_PROVIDER (item));
}

static void
update_view (BeaconGuestPage *self)
{
  guint            shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *subtitle = NULL;
  guint            online;

  if (self->session == NULL)
    return;

  online = beacon_guest_store_get_online_count (beacon_guest_session_get_store (self->session));
  subtitle = g_strdup_printf (ngettext ("%u online now", "%u online now", online), online);
  adw_window_title_set_subtitle (self->title, subtitle);

  if (shown > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
  else if (self->loading)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  else
    {
      if (self->failed)
        {
          adw_status_page_set_icon_name (self->empty_page, "network-offline-symbolic");
          adw_status_page_set_title (self->empty_page, _ ("Cannot Load Freelancers"));
          adw_status_page_set_description (self->empty_page,
                                           beacon_guest_session_get_error_message (self->session));
        }
      else
        {
          adw_status_page_set_icon_name (self->empty_page, "system-search-symbolic");
          adw_status_page_set_title (self->empty_page, _ ("No Freelancers Found"));
          adw_status_page_set_description (
              self->empty_page, online_only (self) ? _ ("Nobody matching is online right now.")
                                                   : _ ("Try another search or filter."));
        }
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
}

static void
update_banner (BeaconGuestPage *self)
{
  BeaconSocketState state;
  g_autofree char  *text = NULL;

  if (self->session == NULL)
    return;
  state = beacon_guest_session_get_state (self->session);
  if (state == BEACON_SOCKET_STATE_CONNECTING)
    text = g_strdup (_ ("Connecting…"));
  else if (state == BEACON_SOCKET_STATE_RECONNECTING || state == BEACON_SOCKET_STATE_DISCONNECTED)
    {
      guint seconds = beacon_guest_session_get_next_retry_in (self->session);

      text = seconds > 0 ? g_strdup_printf (ngettext ("Offline, retrying in %u second",
                                                      "Offline, retrying in %u seconds", seconds),
                                            seconds)
                         : g_strdup (_ ("Offline, reconnecting…"));
    }
  gtk_revealer_set_reveal_child (self->banner, text != NULL);
  if (text != NULL)
    gtk_label_set_label (self->banner_label, text);
  if (state == BEACON_SOCKET_STATE_CONNECTED)
    gtk_widget_remove_css_class (GTK_WIDGET (self->list_view), "stale");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->list_view), "stale");
}

static void
on_searched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconGuestPage) self = user_data;
  g_autoptr (GError)          error = NULL;

  if (!beacon_guest_session_search_finish (BEACON_GUEST_SESSION (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->failed = TRUE;
    }
  else
    self->failed = FALSE;
  self->loading = FALSE;
  update_view (self);
}

static void
search (BeaconGuestPage *self)
{
  g_autofree char *q = NULL;

  if (self->session == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  q = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  self->loading = TRUE;
  update_view (self);
  beacon_guest_session_search_async (
      self->session, *q != '\0' ? q : NULL, online_only (self) ? "online" : NULL,
      gtk_toggle_button_get_active (self->recent_button) ? "24h" : NULL, self->cancellable,
      on_searched, g_object_ref (self));
}

static void
on_filter_toggled (BeaconGuestPage *self, GtkToggleButton *button)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  search (self);
}

static void
on_loaded_more (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BeaconGuestPage) self = user_data;
  g_autoptr (GError)          error = NULL;

  if (!beacon_guest_session_load_more_finish (BEACON_GUEST_SESSION (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not load more freelancers: %s", error->message);
  self->loading = FALSE;
}

/* The store flips flags in place: with "online now", the filter looks again. */
static void
on_online_count (BeaconGuestPage *self)
{
  if (online_only (self))
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_view (self);
}

static void
on_edge_reached (BeaconGuestPage *self, GtkPositionType position)
{
  if (position != GTK_POS_BOTTOM || self->loading || self->session == NULL)
    return;
  self->loading = TRUE;
  beacon_guest_session_load_more_async (self->session, self->cancellable, on_loaded_more,
                                        g_object_ref (self));
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gtk_list_item_set_child (item, beacon_provider_row_new ());
  gtk_list_item_set_activatable (item, FALSE);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  beacon_provider_row_set_provider (BEACON_PROVIDER_ROW (gtk_list_item_get_child (item)),
                                    gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  beacon_provider_row_set_provider (BEACON_PROVIDER_ROW (gtk_list_item_get_child (item)), NULL);
}

void
beacon_guest_page_stop (BeaconGuestPage *self)
{
  g_return_if_fail (BEACON_IS_GUEST_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session == NULL)
    return;
  beacon_guest_session_stop (self->session);
}

void
beacon_guest_page_start (BeaconGuestPage *self, const char *url, BeaconClock *clock)
{
  BeaconGuestStore *store;

  g_return_if_fail (BEACON_IS_GUEST_PAGE (self));

  if (self->session != NULL &&
      g_strcmp0 (beacon_guest_session_get_server_url (self->session), url) != 0)
    {
      beacon_guest_page_stop (self);
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (beacon_guest_session_get_store (self->session), self);
      gtk_filter_list_model_set_model (self->filtered, NULL);
      g_clear_object (&self->session);
    }
  if (self->session == NULL)
    {
      self->session = beacon_guest_session_new (url, clock);
      store = beacon_guest_session_get_store (self->session);
      gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (store));
      g_signal_connect_swapped (self->session, "notify::state", G_CALLBACK (update_banner), self);
      g_signal_connect_swapped (self->session, "notify::next-retry-in", G_CALLBACK (update_banner),
                                self);
      g_signal_connect_swapped (store, "notify::online-count", G_CALLBACK (on_online_count), self);
    }
  beacon_guest_session_start (self->session);
  update_banner (self);
  search (self);
}

BeaconGuestSession *
beacon_guest_page_get_session (BeaconGuestPage *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_PAGE (self), NULL);
  return self->session;
}

GListModel *
beacon_guest_page_get_shown (BeaconGuestPage *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_PAGE (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

static void
beacon_guest_page_dispose (GObject *object)
{
  BeaconGuestPage *self = BEACON_GUEST_PAGE (object);

  beacon_guest_page_stop (self);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (beacon_guest_session_get_store (self->session), self);
    }
  g_clear_object (&self->session);
  beacon_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_GUEST_PAGE);
  g_clear_object (&self->filtered);

  G_OBJECT_CLASS (beacon_guest_page_parent_class)->dispose (object);
}

static void
beacon_guest_page_class_init (BeaconGuestPageClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = beacon_guest_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-guest-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, title);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, all_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, online_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, recent_button);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, banner);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, BeaconGuestPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, search);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_edge_reached);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
beacon_guest_page_init (BeaconGuestPage *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (filter_provider, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_view), self,
                           G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (gtk_no_selection_new (
                                                g_object_ref (G_LIST_MODEL (self->filtered)))));
}
