/* beacon-dbusmenu.c: BeaconDbusmenu: walks a GMenuModel into com.canonical.dbusmenu items
 * (sections become separators), answers hosts over GDBus and signals only real changes. */

#include "config.h"

#include <gtk/gtk.h>

#include "beacon-dbusmenu.h"

#define DBUSMENU_INTERFACE "com.canonical.dbusmenu"
#define ACTION_PREFIX      "app."

static const char introspection_xml[] =
    "<node>"
    "  <interface name='com.canonical.dbusmenu'>"
    "    <property name='Version' type='u' access='read'/>"
    "    <property name='TextDirection' type='s' access='read'/>"
    "    <property name='Status' type='s' access='read'/>"
    "    <property name='IconThemePath' type='as' access='read'/>"
    "    <method name='GetLayout'>"
    "      <arg type='i' name='parentId' direction='in'/>"
    "      <arg type='i' name='recursionDepth' direction='in'/>"
    "      <arg type='as' name='propertyNames' direction='in'/>"
    "      <arg type='u' name='revision' direction='out'/>"
    "      <arg type='(ia{sv}av)' name='layout' direction='out'/>"
    "    </method>"
    "    <method name='GetGroupProperties'>"
    "      <arg type='ai' name='ids' direction='in'/>"
    "      <arg type='as' name='propertyNames' direction='in'/>"
    "      <arg type='a(ia{sv})' name='properties' direction='out'/>"
    "    </method>"
    "    <method name='GetProperty'>"
    "      <arg type='i' name='id' direction='in'/>"
    "      <arg type='s' name='name' direction='in'/>"
    "      <arg type='v' name='value' direction='out'/>"
    "    </method>"
    "    <method name='Event'>"
    "      <arg type='i' name='id' direction='in'/>"
    "      <arg type='s' name='eventId' direction='in'/>"
    "      <arg type='v' name='data' direction='in'/>"
    "      <arg type='u' name='timestamp' direction='in'/>"
    "    </method>"
    "    <method name='EventGroup'>"
    "      <arg type='a(isvu)' name='events' direction='in'/>"
    "      <arg type='ai' name='idErrors' direction='out'/>"
    "    </method>"
    "    <method name='AboutToShow'>"
    "      <arg type='i' name='id' direction='in'/>"
    "      <arg type='b' name='needUpdate' direction='out'/>"
    "    </method>"
    "    <method name='AboutToShowGroup'>"
    "      <arg type='ai' name='ids' direction='in'/>"
    "      <arg type='ai' name='updatesNeeded' direction='out'/>"
    "      <arg type='ai' name='idErrors' direction='out'/>"
    "    </method>"
    "    <signal name='ItemsPropertiesUpdated'>"
    "      <arg type='a(ia{sv})' name='updatedProps'/>"
    "      <arg type='a(ias)' name='removedProps'/>"
    "    </signal>"
    "    <signal name='LayoutUpdated'>"
    "      <arg type='u' name='revision'/>"
    "      <arg type='i' name='parent'/>"
    "    </signal>"
    "    <signal name='ItemActivationRequested'>"
    "      <arg type='i' name='id'/>"
    "      <arg type='u' name='timestamp'/>"
    "    </signal>"
    "  </interface>"
    "</node>";

/* One dbusmenu item. Id 0 is the root. */
typedef struct
{
  int        id;
  GVariant  *props;    /* a{sv} */
  char      *action;   /* the name in the action group, or NULL */
  GVariant  *target;   /* nullable */
  GPtrArray *children; /* Item *, owned by the items table */
} Item;

struct _BeaconDbusmenu
{
  GObject parent_instance;

  GMenuModel   *menu;
  GActionGroup *actions;
  gulong        action_handlers[4];

  GHashTable *items; /* int id -> Item */
  GHashTable *keys;  /* char *position key -> int id, so that ids outlive a rebuild */
  GPtrArray  *watched_models;
  GArray     *watched_handlers;
  char       *structure; /* ids and nesting, to tell layout changes from property changes */
  int         last_id;
  guint       revision;
  guint       refresh_source;

  GDBusConnection *connection;
  char            *object_path;
  guint            registration;
};

G_DEFINE_FINAL_TYPE (BeaconDbusmenu, beacon_dbusmenu, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_MENU,
  PROP_ACTIONS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
item_free (gpointer data)
{
  Item *item = data;

  g_clear_pointer (&item->props, g_variant_unref);
  g_clear_pointer (&item->target, g_variant_unref);
  g_clear_pointer (&item->children, g_ptr_array_unref);
  g_free (item->action);
  g_free (item);
}

/* A rebuild in progress: the new tables, and the old key -> id map to reuse ids from. */
typedef struct
{
  BeaconDbusmenu *self;
  GHashTable     *items;
  GHashTable     *keys;
  GString        *structure;
} Build;

static Item *
build_add_item (Build *b, Item *parent, const char *key)
{
  Item    *item = g_new0 (Item, 1);
  gpointer old_id;

  if (parent == NULL)
    item->id = 0;
  else if (g_hash_table_lookup_extended (b->self->keys, key, NULL, &old_id))
    item->id = GPOINTER_TO_INT (old_id);
  else
    item->id = ++b->self->last_id;
  g_hash_table_insert (b->keys, g_strdup (key), GINT_TO_POINTER (item->id));
  g_hash_table_insert (b->items, GINT_TO_POINTER (item->id), item);
  if (parent != NULL)
    {
      if (parent->children == NULL)
        parent->children = g_ptr_array_new ();
      g_ptr_array_add (parent->children, item);
    }
  return item;
}

static void
add_icon_name (GVariantBuilder *props, GMenuModel *model, int index)
{
  g_autoptr (GVariant) serialized = NULL;
  g_autoptr (GIcon)    icon = NULL;

  serialized = g_menu_model_get_item_attribute_value (model, index, G_MENU_ATTRIBUTE_ICON, NULL);
  if (serialized == NULL)
    return;
  icon = g_icon_deserialize (serialized);
  if (G_IS_THEMED_ICON (icon))
    {
      const char *const *names = g_themed_icon_get_names (G_THEMED_ICON (icon));

      if (names[0] != NULL)
        g_variant_builder_add (props, "{sv}", "icon-name", g_variant_new_string (names[0]));
    }
}

/* The properties of a regular item: label, icon, and what its action says about enabled,
 * visible and toggle state. */
static void
fill_item (BeaconDbusmenu *self, Item *item, GMenuModel *model, int index, gboolean has_submenu)
{
  GVariantBuilder      props;
  g_autofree char     *label = NULL;
  g_autofree char     *action = NULL;
  g_autofree char     *hidden_when = NULL;
  g_autoptr (GVariant) state = NULL;
  gboolean             enabled = has_submenu;
  gboolean             visible = TRUE;

  g_variant_builder_init (&props, G_VARIANT_TYPE_VARDICT);
  if (g_menu_model_get_item_attribute (model, index, G_MENU_ATTRIBUTE_LABEL, "s", &label))
    g_variant_builder_add (&props, "{sv}", "label", g_variant_new_string (label));
  add_icon_name (&props, model, index);

  g_menu_model_get_item_attribute (model, index, G_MENU_ATTRIBUTE_ACTION, "s", &action);
  g_menu_model_get_item_attribute (model, index, "hidden-when", "s", &hidden_when);
  item->target =
      g_menu_model_get_item_attribute_value (model, index, G_MENU_ATTRIBUTE_TARGET, NULL);
  if (action != NULL)
    {
      gboolean found = FALSE;

      if (g_str_has_prefix (action, ACTION_PREFIX))
        {
          item->action = g_strdup (action + strlen (ACTION_PREFIX));
          found = g_action_group_query_action (self->actions, item->action, &enabled, NULL, NULL,
                                               NULL, &state);
        }
      if (!found)
        enabled = FALSE;
      if (g_strcmp0 (hidden_when, "action-missing") == 0)
        visible = found;
      else if (g_strcmp0 (hidden_when, "action-disabled") == 0)
        visible = enabled;
    }

  if (state != NULL && item->target != NULL &&
      g_variant_is_of_type (state, g_variant_get_type (item->target)))
    {
      g_variant_builder_add (&props, "{sv}", "toggle-type", g_variant_new_string ("radio"));
      g_variant_builder_add (&props, "{sv}", "toggle-state",
                             g_variant_new_int32 (g_variant_equal (state, item->target)));
    }
  else if (state != NULL && item->target == NULL &&
           g_variant_is_of_type (state, G_VARIANT_TYPE_BOOLEAN))
    {
      g_variant_builder_add (&props, "{sv}", "toggle-type", g_variant_new_string ("checkmark"));
      g_variant_builder_add (&props, "{sv}", "toggle-state",
                             g_variant_new_int32 (g_variant_get_boolean (state)));
    }
  g_variant_builder_add (&props, "{sv}", "enabled", g_variant_new_boolean (enabled));
  g_variant_builder_add (&props, "{sv}", "visible", g_variant_new_boolean (visible));
  if (has_submenu)
    g_variant_builder_add (&props, "{sv}", "children-display", g_variant_new_string ("submenu"));
  item->props = g_variant_ref_sink (g_variant_builder_end (&props));
}

static void watch_model (BeaconDbusmenu *self, GMenuModel *model);

/* Appends the items of @model (sections flattened, with separators between them) to
 * @parent. @separate says that the next item starts a new section. */
static void
build_model (Build *b, Item *parent, GMenuModel *model, const char *key, gboolean *separate)
{
  int n = g_menu_model_get_n_items (model);

  watch_model (b->self, model);
  for (int i = 0; i < n; i++)
    {
      g_autofree char       *item_key = g_strdup_printf ("%s/%d", key, i);
      g_autoptr (GMenuModel) section = NULL;
      g_autoptr (GMenuModel) submenu = NULL;
      Item                  *item;

      section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      if (section != NULL)
        {
          *separate = TRUE;
          build_model (b, parent, section, item_key, separate);
          *separate = TRUE;
          continue;
        }

      if (*separate && parent->children != NULL && parent->children->len > 0)
        {
          g_autofree char *separator_key = g_strconcat (item_key, "-", NULL);
          Item            *separator = build_add_item (b, parent, separator_key);

          separator->props = g_variant_ref_sink (
              g_variant_new_parsed ("{'type': <'separator'>, 'visible': <true>}"));
          g_string_append_printf (b->structure, "%d,", separator->id);
        }
      *separate = FALSE;

      submenu = g_menu_model_get_item_link (model, i, G_MENU_LINK_SUBMENU);
      item = build_add_item (b, parent, item_key);
      fill_item (b->self, item, model, i, submenu != NULL);
      g_string_append_printf (b->structure, "%d", item->id);
      if (submenu != NULL)
        {
          gboolean sub_separate = FALSE;

          g_string_append_c (b->structure, '(');
          build_model (b, item, submenu, item_key, &sub_separate);
          g_string_append_c (b->structure, ')');
        }
      g_string_append_c (b->structure, ',');
    }
}

static gboolean refresh_cb (gpointer user_data);

static void
schedule_refresh (BeaconDbusmenu *self)
{
  if (self->refresh_source == 0)
    self->refresh_source = g_idle_add (refresh_cb, self);
}

static void
on_items_changed (GMenuModel *model, int position, int removed, int added, gpointer user_data)
{
  schedule_refresh (user_data);
}

static void
watch_model (BeaconDbusmenu *self, GMenuModel *model)
{
  gulong handler = g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), self);

  g_ptr_array_add (self->watched_models, g_object_ref (model));
  g_array_append_val (self->watched_handlers, handler);
}

static void
unwatch_models (BeaconDbusmenu *self)
{
  for (guint i = 0; i < self->watched_models->len; i++)
    g_signal_handler_disconnect (g_ptr_array_index (self->watched_models, i),
                                 g_array_index (self->watched_handlers, gulong, i));
  g_ptr_array_set_size (self->watched_models, 0);
  g_array_set_size (self->watched_handlers, 0);
}

static void
emit_signal (BeaconDbusmenu *self, const char *name, GVariant *parameters)
{
  g_autoptr (GError) error = NULL;

  if (self->registration == 0)
    {
      g_variant_unref (g_variant_ref_sink (parameters));
      return;
    }
  if (!g_dbus_connection_emit_signal (self->connection, NULL, self->object_path, DBUSMENU_INTERFACE,
                                      name, parameters, &error))
    g_debug ("Could not emit %s: %s", name, error->message);
}

/* Properties of @old_props missing from @new_props, as the "as" of ItemsPropertiesUpdated. */
static gboolean
add_removed_props (GVariantBuilder *removed, int id, GVariant *old_props, GVariant *new_props)
{
  GVariantIter iter;
  const char  *name;
  gboolean     any = FALSE;

  g_variant_iter_init (&iter, old_props);
  while (g_variant_iter_next (&iter, "{&sv}", &name, NULL))
    {
      g_autoptr (GVariant) value = g_variant_lookup_value (new_props, name, NULL);

      if (value != NULL)
        continue;
      if (!any)
        {
          g_variant_builder_open (removed, G_VARIANT_TYPE ("(ias)"));
          g_variant_builder_add (removed, "i", id);
          g_variant_builder_open (removed, G_VARIANT_TYPE_STRING_ARRAY);
        }
      g_variant_builder_add (removed, "s", name);
      any = TRUE;
    }
  if (any)
    {
      g_variant_builder_close (removed);
      g_variant_builder_close (removed);
    }
  return any;
}

/* Items whose properties differ between the old and the new table. */
static void
emit_property_changes (BeaconDbusmenu *self, GHashTable *old_items)
{
  GVariantBuilder updated;
  GVariantBuilder removed;
  GHashTableIter  iter;
  gpointer        key, value;
  gboolean        any = FALSE;

  g_variant_builder_init (&updated, G_VARIANT_TYPE ("a(ia{sv})"));
  g_variant_builder_init (&removed, G_VARIANT_TYPE ("a(ias)"));
  g_hash_table_iter_init (&iter, self->items);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Item *item = value;
      Item *old = g_hash_table_lookup (old_items, key);

      if (old == NULL || g_variant_equal (old->props, item->props))
        continue;
      g_variant_builder_add (&updated, "(i@a{sv})", item->id, item->props);
      add_removed_props (&removed, item->id, old->props, item->props);
      any = TRUE;
    }
  if (any)
    emit_signal (self, "ItemsPropertiesUpdated",
                 g_variant_new ("(a(ia{sv})a(ias))", &updated, &removed));
  else
    {
      g_variant_builder_clear (&updated);
      g_variant_builder_clear (&removed);
    }
}

/* Walks the model again; a different tree of ids is a new layout revision, the same tree
 * with other properties is an ItemsPropertiesUpdated. */
static void
rebuild (BeaconDbusmenu *self)
{
  g_autoptr (GHashTable) old_items = self->items;
  g_autoptr (GString)    structure = g_string_new (NULL);
  gboolean               separate = FALSE;
  Build                  b = { self, NULL, NULL, structure };
  Item                  *root;

  b.items = g_hash_table_new_full (NULL, NULL, NULL, item_free);
  b.keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  unwatch_models (self);

  root = build_add_item (&b, NULL, "");
  root->props = g_variant_ref_sink (g_variant_new_parsed ("{'children-display': <'submenu'>}"));
  build_model (&b, root, self->menu, "", &separate);

  self->items = b.items;
  g_hash_table_unref (self->keys);
  self->keys = b.keys;

  if (g_strcmp0 (self->structure, structure->str) != 0)
    {
      g_free (self->structure);
      self->structure = g_strdup (structure->str);
      self->revision++;
      emit_signal (self, "LayoutUpdated", g_variant_new ("(ui)", self->revision, 0));
    }
  else
    emit_property_changes (self, old_items);
}

static gboolean
refresh_cb (gpointer user_data)
{
  BeaconDbusmenu *self = user_data;

  self->refresh_source = 0;
  rebuild (self);
  return G_SOURCE_REMOVE;
}

static void
on_action_changed (BeaconDbusmenu *self)
{
  schedule_refresh (self);
}

static GVariant *
filter_props (Item *item, const char *const *names)
{
  GVariantBuilder builder;

  if (names == NULL || names[0] == NULL)
    return item->props;
  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GVariant) value = g_variant_lookup_value (item->props, names[i], NULL);

      if (value != NULL)
        g_variant_builder_add (&builder, "{sv}", names[i], value);
    }
  return g_variant_builder_end (&builder);
}

static GVariant *
serialize_layout (Item *item, int depth, const char *const *names)
{
  GVariantBuilder children;

  g_variant_builder_init (&children, G_VARIANT_TYPE ("av"));
  if (depth != 0 && item->children != NULL)
    for (guint i = 0; i < item->children->len; i++)
      g_variant_builder_add (&children, "v",
                             serialize_layout (g_ptr_array_index (item->children, i),
                                               depth < 0 ? -1 : depth - 1, names));
  return g_variant_new ("(i@a{sv}av)", item->id, filter_props (item, names), &children);
}

static Item *
lookup_item (BeaconDbusmenu *self, int id)
{
  return g_hash_table_lookup (self->items, GINT_TO_POINTER (id));
}

static void
handle_event (BeaconDbusmenu *self, Item *item, const char *event_id)
{
  const GVariantType *parameter_type = NULL;
  gboolean            enabled = FALSE;

  if (g_strcmp0 (event_id, "clicked") != 0 || item->action == NULL)
    return;
  g_variant_lookup (item->props, "enabled", "b", &enabled);
  if (!enabled || !g_action_group_query_action (self->actions, item->action, NULL, &parameter_type,
                                                NULL, NULL, NULL))
    return;
  if ((parameter_type == NULL) != (item->target == NULL) ||
      (item->target != NULL && !g_variant_is_of_type (item->target, parameter_type)))
    {
      g_debug ("Menu item %d: its target does not fit app.%s", item->id, item->action);
      return;
    }
  g_debug ("Menu item %d activates app.%s", item->id, item->action);
  g_action_group_activate_action (self->actions, item->action, item->target);
}

static void
return_unknown_id (GDBusMethodInvocation *invocation, int id)
{
  g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                         "No menu item with id %d", id);
}

static void
get_group_properties (BeaconDbusmenu *self, GDBusMethodInvocation *invocation, GVariant *parameters)
{
  g_autoptr (GVariant)    ids = NULL;
  g_autofree const char **names = NULL;
  GVariantBuilder         result;

  g_variant_get (parameters, "(@ai^a&s)", &ids, &names);
  g_variant_builder_init (&result, G_VARIANT_TYPE ("a(ia{sv})"));
  if (g_variant_n_children (ids) == 0)
    {
      GHashTableIter iter;
      gpointer       value;

      g_hash_table_iter_init (&iter, self->items);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_variant_builder_add (&result, "(i@a{sv})", ((Item *) value)->id,
                               filter_props (value, names));
    }
  for (gsize i = 0; i < g_variant_n_children (ids); i++)
    {
      int   id;
      Item *item;

      g_variant_get_child (ids, i, "i", &id);
      item = lookup_item (self, id);
      if (item != NULL)
        g_variant_builder_add (&result, "(i@a{sv})", id, filter_props (item, names));
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(a(ia{sv}))", &result));
}

static void
event_group (BeaconDbusmenu *self, GDBusMethodInvocation *invocation, GVariant *parameters)
{
  g_autoptr (GVariant) events = g_variant_get_child_value (parameters, 0);
  GVariantBuilder      errors;
  gsize                n = g_variant_n_children (events);
  gsize                n_errors = 0;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  for (gsize i = 0; i < n; i++)
    {
      const char *event_id;
      int         id;
      Item       *item;

      g_variant_get_child (events, i, "(i&svu)", &id, &event_id, NULL, NULL);
      item = lookup_item (self, id);
      if (item == NULL)
        {
          g_variant_builder_add (&errors, "i", id);
          n_errors++;
          continue;
        }
      handle_event (self, item, event_id);
    }
  if (n > 0 && n_errors == n)
    {
      g_variant_builder_clear (&errors);
      g_dbus_method_invocation_return_error_literal (
          invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "None of the menu items exists");
      return;
    }
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(ai)", &errors));
}

static void
about_to_show_group (BeaconDbusmenu *self, GDBusMethodInvocation *invocation, GVariant *parameters)
{
  g_autoptr (GVariant) ids = g_variant_get_child_value (parameters, 0);
  GVariantBuilder      errors;

  g_variant_builder_init (&errors, G_VARIANT_TYPE ("ai"));
  for (gsize i = 0; i < g_variant_n_children (ids); i++)
    {
      int id;

      g_variant_get_child (ids, i, "i", &id);
      if (lookup_item (self, id) == NULL)
        g_variant_builder_add (&errors, "i", id);
    }
  /* The layout is always current: no item needs an update before it is shown. */
  g_dbus_method_invocation_return_value (
      invocation,
      g_variant_new ("(@aiai)", g_variant_new_array (G_VARIANT_TYPE_INT32, NULL, 0), &errors));
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  BeaconDbusmenu *self = user_data;

  /* A host may ask right after a change: answer from the current model. */
  if (self->refresh_source != 0)
    {
      g_clear_handle_id (&self->refresh_source, g_source_remove);
      rebuild (self);
    }

  if (g_str_equal (method_name, "GetLayout"))
    {
      g_autofree const char **names = NULL;
      int                     parent, depth;
      Item                   *item;

      g_variant_get (parameters, "(ii^a&s)", &parent, &depth, &names);
      item = lookup_item (self, parent);
      if (item == NULL)
        return_unknown_id (invocation, parent);
      else
        g_dbus_method_invocation_return_value (
            invocation, g_variant_new ("(u@(ia{sv}av))", self->revision,
                                       serialize_layout (item, depth, names)));
    }
  else if (g_str_equal (method_name, "GetGroupProperties"))
    get_group_properties (self, invocation, parameters);
  else if (g_str_equal (method_name, "GetProperty"))
    {
      g_autoptr (GVariant) value = NULL;
      const char          *name;
      int                  id;
      Item                *item;

      g_variant_get (parameters, "(i&s)", &id, &name);
      item = lookup_item (self, id);
      if (item != NULL)
        value = g_variant_lookup_value (item->props, name, NULL);
      if (item == NULL)
        return_unknown_id (invocation, id);
      else if (value == NULL)
        g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                               "Menu item %d has no property %s", id, name);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(v)", value));
    }
  else if (g_str_equal (method_name, "Event"))
    {
      const char *event_id;
      int         id;
      Item       *item;

      g_variant_get (parameters, "(i&svu)", &id, &event_id, NULL, NULL);
      item = lookup_item (self, id);
      if (item == NULL)
        return_unknown_id (invocation, id);
      else
        {
          handle_event (self, item, event_id);
          g_dbus_method_invocation_return_value (invocation, NULL);
        }
    }
  else if (g_str_equal (method_name, "EventGroup"))
    event_group (self, invocation, parameters);
  else if (g_str_equal (method_name, "AboutToShow"))
    {
      int id;

      g_variant_get (parameters, "(i)", &id);
      if (lookup_item (self, id) == NULL)
        return_unknown_id (invocation, id);
      else
        g_dbus_method_invocation_return_value (invocation, g_variant_new ("(b)", FALSE));
    }
  else if (g_str_equal (method_name, "AboutToShowGroup"))
    about_to_show_group (self, invocation, parameters);
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static GVariant *
get_property (GDBusConnection *connection,
              const char      *sender,
              const char      *object_path,
              const char      *interface_name,
              const char      *property_name,
              GError         **error,
              gpointer         user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (3);
  if (g_str_equal (property_name, "TextDirection"))
    return g_variant_new_string (gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL ? "rtl"
                                                                                         : "ltr");
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string ("normal");
  if (g_str_equal (property_name, "IconThemePath"))
    return g_variant_new_strv (NULL, 0);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL };

/**
 * beacon_dbusmenu_export:
 * @self: a menu
 * @connection: where to export it
 * @object_path: at which path (the `Menu` of a StatusNotifierItem)
 * @error: set when the path is taken
 *
 * Returns: whether the menu is now answering on @connection
 */
gboolean
beacon_dbusmenu_export (BeaconDbusmenu  *self,
                        GDBusConnection *connection,
                        const char      *object_path,
                        GError         **error)
{
  static GDBusNodeInfo *info;

  g_return_val_if_fail (BEACON_IS_DBUSMENU (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->registration == 0, FALSE);

  if (g_once_init_enter (&info))
    g_once_init_leave (&info, g_dbus_node_info_new_for_xml (introspection_xml, NULL));

  self->registration = g_dbus_connection_register_object (
      connection, object_path, info->interfaces[0], &vtable, self, NULL, error);
  if (self->registration == 0)
    return FALSE;
  g_set_object (&self->connection, connection);
  g_free (self->object_path);
  self->object_path = g_strdup (object_path);
  return TRUE;
}

void
beacon_dbusmenu_unexport (BeaconDbusmenu *self)
{
  g_return_if_fail (BEACON_IS_DBUSMENU (self));

  if (self->registration != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration);
      self->registration = 0;
    }
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
}

/**
 * beacon_dbusmenu_get_revision:
 *
 * Returns: the layout revision, which grows at each change of the menu's structure
 */
guint
beacon_dbusmenu_get_revision (BeaconDbusmenu *self)
{
  g_return_val_if_fail (BEACON_IS_DBUSMENU (self), 0);

  return self->revision;
}

static void
beacon_dbusmenu_constructed (GObject *object)
{
  BeaconDbusmenu          *self = BEACON_DBUSMENU (object);
  static const char *const action_signals[] = {
    "action-added",
    "action-removed",
    "action-enabled-changed",
    "action-state-changed",
  };

  G_OBJECT_CLASS (beacon_dbusmenu_parent_class)->constructed (object);

  for (guint i = 0; i < G_N_ELEMENTS (action_signals); i++)
    self->action_handlers[i] = g_signal_connect_swapped (self->actions, action_signals[i],
                                                         G_CALLBACK (on_action_changed), self);
  rebuild (self);
}

static void
beacon_dbusmenu_dispose (GObject *object)
{
  BeaconDbusmenu *self = BEACON_DBUSMENU (object);

  beacon_dbusmenu_unexport (self);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->actions != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (self->action_handlers); i++)
      g_clear_signal_handler (&self->action_handlers[i], self->actions);
  unwatch_models (self);
  g_clear_object (&self->actions);
  g_clear_object (&self->menu);

  G_OBJECT_CLASS (beacon_dbusmenu_parent_class)->dispose (object);
}

static void
beacon_dbusmenu_finalize (GObject *object)
{
  BeaconDbusmenu *self = BEACON_DBUSMENU (object);

  g_hash_table_unref (self->items);
  g_hash_table_unref (self->keys);
  g_ptr_array_unref (self->watched_models);
  g_array_unref (self->watched_handlers);
  g_free (self->structure);

  G_OBJECT_CLASS (beacon_dbusmenu_parent_class)->finalize (object);
}

static void
beacon_dbusmenu_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BeaconDbusmenu *self = BEACON_DBUSMENU (object);

  switch (prop_id)
    {
    case PROP_MENU: self->menu = g_value_dup_object (value); break;
    case PROP_ACTIONS: self->actions = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_dbusmenu_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconDbusmenu *self = BEACON_DBUSMENU (object);

  switch (prop_id)
    {
    case PROP_MENU: g_value_set_object (value, self->menu); break;
    case PROP_ACTIONS: g_value_set_object (value, self->actions); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_dbusmenu_class_init (BeaconDbusmenuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = beacon_dbusmenu_constructed;
  object_class->dispose = beacon_dbusmenu_dispose;
  object_class->finalize = beacon_dbusmenu_finalize;
  object_class->set_property = beacon_dbusmenu_set_property;
  object_class->get_property = beacon_dbusmenu_get_property;

  properties[PROP_MENU] =
      g_param_spec_object ("menu", NULL, NULL, G_TYPE_MENU_MODEL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIONS] =
      g_param_spec_object ("actions", NULL, NULL, G_TYPE_ACTION_GROUP,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_dbusmenu_init (BeaconDbusmenu *self)
{
  self->items = g_hash_table_new_full (NULL, NULL, NULL, item_free);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->watched_models = g_ptr_array_new_with_free_func (g_object_unref);
  self->watched_handlers = g_array_new (FALSE, FALSE, sizeof (gulong));
}

/**
 * beacon_dbusmenu_new:
 * @menu: the menu to export; its changes are followed
 * @actions: where the items' `app.` actions are looked up and activated (the
 *   GApplication)
 *
 * Returns: (transfer full): a menu, not yet exported
 */
BeaconDbusmenu *
beacon_dbusmenu_new (GMenuModel *menu, GActionGroup *actions)
{
  g_return_val_if_fail (G_IS_MENU_MODEL (menu), NULL);
  g_return_val_if_fail (G_IS_ACTION_GROUP (actions), NULL);

  return g_object_new (BEACON_TYPE_DBUSMENU, "menu", menu, "actions", actions, NULL);
}
