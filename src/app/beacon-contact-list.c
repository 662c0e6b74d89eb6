/* beacon-contact-list.c: BeaconContactList: store -> filter (online only, search) -> sort
 * (favourites, green, yellow, gray, then name) -> single selection -> GtkListView. */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "beacon-app-private.h"
#include "beacon-contact-list.h"
#include "beacon-contact-row.h"

struct _BeaconContactList
{
  GtkWidget parent_instance;

  BeaconPresenceStore *store;
  GSettings           *settings;
  char               **favourites;
  char                *search; /* casefolded, or NULL */
  gboolean             online_only;

  GtkCustomFilter    *filter;
  GtkCustomSorter    *sorter;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  GtkSingleSelection *selection;

  GtkSearchBar   *search_bar;
  GtkSearchEntry *search_entry;
  GtkStack       *stack;
  GtkListView    *list_view;
  AdwStatusPage  *empty_page;
};

G_DEFINE_FINAL_TYPE (BeaconContactList, beacon_contact_list, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_STORE,
  PROP_ONLINE_ONLY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CONTACT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
beacon_contact_list_new (void)
{
  return g_object_new (BEACON_TYPE_CONTACT_LIST, NULL);
}

static gboolean
is_favourite (BeaconContactList *self, BeaconContact *contact)
{
  return self->favourites != NULL &&
         g_strv_contains ((const char *const *) self->favourites, beacon_contact_get_id (contact));
}

static const char *
display_name (BeaconContact *contact)
{
  const char *name = beacon_contact_get_name (contact);

  return name != NULL && *name != '\0' ? name : beacon_contact_get_id (contact);
}

static int
compare_contacts (gconstpointer a, gconstpointer b, gpointer user_data)
{
  BeaconContactList *self = user_data;
  BeaconContact     *ca = BEACON_CONTACT ((gpointer) a);
  BeaconContact     *cb = BEACON_CONTACT ((gpointer) b);
  gboolean           fa = is_favourite (self, ca), fb = is_favourite (self, cb);
  int                badge_a = beacon_contact_get_badge (ca);
  int                badge_b = beacon_contact_get_badge (cb);
  int                order;

  if (fa != fb)
    return fa ? -1 : 1;
  if (badge_a != badge_b)
    return badge_b - badge_a; /* green, then yellow, then gray */
  order = g_utf8_collate (display_name (ca), display_name (cb));
  if (order != 0)
    return order;
  return g_strcmp0 (beacon_contact_get_id (ca), beacon_contact_get_id (cb));
}

static gboolean
filter_contact (gpointer item, gpointer user_data)
{
  BeaconContactList *self = user_data;
  BeaconContact     *contact = item;

  if (self->online_only && beacon_contact_get_status (contact) == BEACON_STATUS_OFFLINE)
    return FALSE;
  if (self->search != NULL)
    {
      g_autofree char *name = g_utf8_casefold (display_name (contact), -1);

      return strstr (name, self->search) != NULL;
    }
  return TRUE;
}

static void
update_empty_state (BeaconContactList *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->sorted)) == 0;

  if (!empty)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }
  if (self->search != NULL)
    {
      adw_status_page_set_icon_name (self->empty_page, "system-search-symbolic");
      adw_status_page_set_title (self->empty_page, _ ("No Matching Contacts"));
      adw_status_page_set_description (self->empty_page, _ ("Try a different name."));
    }
  else if (self->online_only && self->store != NULL &&
           g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    {
      adw_status_page_set_icon_name (self->empty_page, "user-offline-symbolic");
      adw_status_page_set_title (self->empty_page, _ ("Nobody Is Online"));
      adw_status_page_set_description (
          self->empty_page, _ ("Your contacts will show up here when they come online."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "system-users-symbolic");
      adw_status_page_set_title (self->empty_page, _ ("No Contacts Yet"));
      adw_status_page_set_description (
          self->empty_page, _ ("People you are friends with or have talked to appear here."));
    }
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

static void
on_search_changed (BeaconContactList *self)
{
  const char      *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->search, g_free);
  if (*stripped != '\0')
    self->search = g_utf8_casefold (stripped, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Enter in the search entry opens the first contact shown. */
static void
on_search_activate (BeaconContactList *self)
{
  g_autoptr (BeaconContact) first = g_list_model_get_item (G_LIST_MODEL (self->sorted), 0);

  if (first == NULL)
    return;
  gtk_single_selection_set_selected (self->selection, 0);
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  g_signal_emit (self, signals[CONTACT_ACTIVATED], 0, first);
}

static void
on_activate (BeaconContactList *self, guint position)
{
  g_autoptr (BeaconContact) contact = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);

  if (contact != NULL)
    g_signal_emit (self, signals[CONTACT_ACTIVATED], 0, contact);
}

static void
on_favourites_changed (BeaconContactList *self)
{
  g_strfreev (self->favourites);
  self->favourites = g_settings_get_strv (self->settings, "favourites");
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  gtk_list_item_set_child (item, beacon_contact_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  beacon_contact_row_set_contact (BEACON_CONTACT_ROW (gtk_list_item_get_child (item)),
                                  gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  beacon_contact_row_set_contact (BEACON_CONTACT_ROW (gtk_list_item_get_child (item)), NULL);
}

BeaconPresenceStore *
beacon_contact_list_get_store (BeaconContactList *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT_LIST (self), NULL);
  return self->store;
}

void
beacon_contact_list_set_store (BeaconContactList *self, BeaconPresenceStore *store)
{
  g_return_if_fail (BEACON_IS_CONTACT_LIST (self));

  if (!g_set_object (&self->store, store))
    return;
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (store));
  update_empty_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

gboolean
beacon_contact_list_get_online_only (BeaconContactList *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT_LIST (self), FALSE);
  return self->online_only;
}

void
beacon_contact_list_set_online_only (BeaconContactList *self, gboolean online_only)
{
  g_return_if_fail (BEACON_IS_CONTACT_LIST (self));

  online_only = !!online_only;
  if (self->online_only == online_only)
    return;
  self->online_only = online_only;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      online_only ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE_ONLY]);
}

void
beacon_contact_list_start_search (BeaconContactList *self)
{
  g_return_if_fail (BEACON_IS_CONTACT_LIST (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
beacon_contact_list_select (BeaconContactList *self, const char *contact_id)
{
  guint n;

  g_return_if_fail (BEACON_IS_CONTACT_LIST (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BeaconContact) contact = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if (g_strcmp0 (beacon_contact_get_id (contact), contact_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

BeaconContact *
beacon_contact_list_get_selected (BeaconContactList *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT_LIST (self), NULL);
  return gtk_single_selection_get_selected_item (self->selection);
}

GListModel *
beacon_contact_list_get_shown (BeaconContactList *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT_LIST (self), NULL);
  return G_LIST_MODEL (self->sorted);
}

static void
beacon_contact_list_dispose (GObject *object)
{
  BeaconContactList *self = BEACON_CONTACT_LIST (object);

  beacon_widget_dispose_template (GTK_WIDGET (self), BEACON_TYPE_CONTACT_LIST);
  g_clear_object (&self->selection);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (beacon_contact_list_parent_class)->dispose (object);
}

static void
beacon_contact_list_finalize (GObject *object)
{
  BeaconContactList *self = BEACON_CONTACT_LIST (object);

  g_strfreev (self->favourites);
  g_free (self->search);

  G_OBJECT_CLASS (beacon_contact_list_parent_class)->finalize (object);
}

static void
beacon_contact_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconContactList *self = BEACON_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE: g_value_set_object (value, self->store); break;
    case PROP_ONLINE_ONLY: g_value_set_boolean (value, self->online_only); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_contact_list_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BeaconContactList *self = BEACON_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_STORE: beacon_contact_list_set_store (self, g_value_get_object (value)); break;
    case PROP_ONLINE_ONLY:
      beacon_contact_list_set_online_only (self, g_value_get_boolean (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_contact_list_class_init (BeaconContactListClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags     rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = beacon_contact_list_dispose;
  object_class->finalize = beacon_contact_list_finalize;
  object_class->get_property = beacon_contact_list_get_property;
  object_class->set_property = beacon_contact_list_set_property;

  properties[PROP_STORE] =
      g_param_spec_object ("store", NULL, NULL, BEACON_TYPE_PRESENCE_STORE, rw);
  properties[PROP_ONLINE_ONLY] = g_param_spec_boolean ("online-only", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BeaconContactList::contact-activated:
   * @self: the list
   * @contact: the contact
   *
   * A row was activated (click, Enter): open the chat with @contact.
   */
  signals[CONTACT_ACTIVATED] =
      g_signal_new ("contact-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, BEACON_TYPE_CONTACT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/beaconim/Beacon/ui/beacon-contact-list.ui");
  gtk_widget_class_bind_template_child (widget_class, BeaconContactList, search_bar);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactList, stack);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactList, list_view);
  gtk_widget_class_bind_template_child (widget_class, BeaconContactList, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
beacon_contact_list_init (BeaconContactList *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  self->favourites = g_settings_get_strv (self->settings, "favourites");
  g_signal_connect_object (self->settings, "changed::favourites",
                           G_CALLBACK (on_favourites_changed), self, G_CONNECT_SWAPPED);

  self->filter = gtk_custom_filter_new (filter_contact, self, NULL);
  self->sorter = gtk_custom_sorter_new (compare_contacts, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered), GTK_SORTER (self->sorter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (update_empty_state), self,
                           G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  update_empty_state (self);
}
