/* test-dbusmenu.c: BeaconDbusmenu read and driven over the session bus from a second
 * connection, as a StatusNotifierItem host does: layout, radio items, events, changes. */

#include "config.h"

#include "beacon-dbusmenu.h"
#include "desktop-test.h"

#define MENU_PATH "/org/beaconim/Test/Menu"
#define IFACE     "com.canonical.dbusmenu"

typedef struct
{
  GSimpleActionGroup *actions;
  GMenu              *menu;
  GMenu              *chats;
  BeaconDbusmenu     *dbusmenu;
  GDBusConnection    *server;
  GDBusConnection    *host;
  const char         *dest;
  guint               toggled;
} Fixture;

static void
on_toggle_window (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  Fixture *f = user_data;

  f->toggled++;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const GActionEntry entries[] = {
    { .name = "toggle-window", .activate = on_toggle_window },
    { .name = "status", .parameter_type = "s", .state = "'online'" },
    { .name = "open-chat", .parameter_type = "s" },
    { .name = "mute", .state = "false" },
    { .name = "quit" },
  };
  g_autoptr (GMenu)     window = g_menu_new ();
  g_autoptr (GMenu)     status = g_menu_new ();
  g_autoptr (GMenu)     quit = g_menu_new ();
  g_autoptr (GMenuItem) item = NULL;
  g_autoptr (GError)    error = NULL;

  f->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (f->actions), entries, G_N_ELEMENTS (entries), f);

  f->menu = g_menu_new ();
  g_menu_append (window, "_Show Beacon", "app.toggle-window");
  g_menu_append_section (f->menu, NULL, G_MENU_MODEL (window));
  g_menu_append (status, "Online", "app.status::online");
  g_menu_append (status, "Away", "app.status::away");
  g_menu_append (status, "Do not disturb", "app.mute");
  g_menu_append_section (f->menu, NULL, G_MENU_MODEL (status));
  f->chats = g_menu_new ();
  g_menu_append (f->chats, "Alice", "app.open-chat::c1");
  g_menu_append_submenu (f->menu, "Recent chats", G_MENU_MODEL (f->chats));
  item = g_menu_item_new ("Missing", "app.nowhere");
  g_menu_item_set_attribute (item, "hidden-when", "s", "action-missing");
  g_menu_append_item (quit, item);
  g_menu_append (quit, "_Quit", "app.quit");
  g_menu_append_section (f->menu, NULL, G_MENU_MODEL (quit));

  f->server = desktop_test_bus_new ();
  f->host = desktop_test_bus_new ();
  f->dest = g_dbus_connection_get_unique_name (f->server);
  f->dbusmenu = beacon_dbusmenu_new (G_MENU_MODEL (f->menu), G_ACTION_GROUP (f->actions));
  g_assert_true (beacon_dbusmenu_export (f->dbusmenu, f->server, MENU_PATH, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->dbusmenu);
  g_clear_object (&f->menu);
  g_clear_object (&f->chats);
  g_clear_object (&f->actions);
  g_dbus_connection_close_sync (f->server, NULL, NULL);
  g_dbus_connection_close_sync (f->host, NULL, NULL);
  g_clear_object (&f->server);
  g_clear_object (&f->host);
}

static GVariant *
get_layout (Fixture *f, int parent, int depth, guint *revision)
{
  g_autoptr (GVariant) reply = NULL;
  GVariant            *layout;

  reply = desktop_test_call (f->host, f->dest, MENU_PATH, IFACE, "GetLayout",
                             g_variant_new ("(ii@as)", parent, depth, g_variant_new_strv (NULL, 0)),
                             "(u(ia{sv}av))", NULL);
  g_variant_get (reply, "(u@(ia{sv}av))", revision, &layout);
  return layout;
}

/* The n-th child of a layout node, unboxed. */
static GVariant *
child (GVariant *node, gsize n)
{
  g_autoptr (GVariant) children = g_variant_get_child_value (node, 2);
  g_autoptr (GVariant) boxed = g_variant_get_child_value (children, n);

  return g_variant_get_variant (boxed);
}

static gsize
n_children (GVariant *node)
{
  g_autoptr (GVariant) children = g_variant_get_child_value (node, 2);

  return g_variant_n_children (children);
}

static int
node_id (GVariant *node)
{
  int id;

  g_variant_get_child (node, 0, "i", &id);
  return id;
}

/* A property of a layout node as text ("<none>" when absent). */
static char *
prop (GVariant *node, const char *name)
{
  g_autoptr (GVariant) props = g_variant_get_child_value (node, 1);
  g_autoptr (GVariant) value = g_variant_lookup_value (props, name, NULL);

  return value != NULL ? g_variant_print (value, FALSE) : g_strdup ("<none>");
}

#define assert_prop(node, name, expected)       \
  G_STMT_START                                  \
  {                                             \
    g_autofree char *text_ = prop (node, name); \
    g_assert_cmpstr (text_, ==, expected);      \
  }                                             \
  G_STMT_END

static int
find_item (Fixture *f, const char *label)
{
  guint                revision;
  g_autoptr (GVariant) root = get_layout (f, 0, 1, &revision);
  g_autofree char     *quoted = g_strdup_printf ("'%s'", label);

  for (gsize i = 0; i < n_children (root); i++)
    {
      g_autoptr (GVariant) node = child (root, i);
      g_autofree char     *text = prop (node, "label");

      if (g_str_equal (text, quoted))
        return node_id (node);
    }
  g_assert_not_reached ();
}

static void
test_layout (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) root = NULL;
  g_autoptr (GVariant) version = NULL;
  g_autoptr (GVariant) text_direction = NULL;
  const char          *labels[] = { "'_Show Beacon'",   "<none>", "'Online'",       "'Away'",
                                    "'Do not disturb'", "<none>", "'Recent chats'", "<none>",
                                    "'Missing'",        "'_Quit'" };
  guint                revision;

  root = get_layout (f, 0, -1, &revision);
  g_assert_cmpuint (revision, ==, beacon_dbusmenu_get_revision (f->dbusmenu));
  g_assert_cmpint (node_id (root), ==, 0);
  assert_prop (root, "children-display", "'submenu'");
  g_assert_cmpuint (n_children (root), ==, G_N_ELEMENTS (labels));
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      g_autoptr (GVariant) node = child (root, i);

      assert_prop (node, "label", labels[i]);
      g_assert_cmpint (node_id (node), >, 0);
    }

  {
    g_autoptr (GVariant) separator = child (root, 1);
    g_autoptr (GVariant) online = child (root, 2);
    g_autoptr (GVariant) away = child (root, 3);
    g_autoptr (GVariant) mute = child (root, 4);
    g_autoptr (GVariant) recent = child (root, 6);
    g_autoptr (GVariant) alice = child (recent, 0);
    g_autoptr (GVariant) missing = child (root, 8);

    assert_prop (separator, "type", "'separator'");
    assert_prop (online, "toggle-type", "'radio'");
    assert_prop (online, "toggle-state", "1");
    assert_prop (away, "toggle-type", "'radio'");
    assert_prop (away, "toggle-state", "0");
    assert_prop (mute, "toggle-type", "'checkmark'");
    assert_prop (mute, "toggle-state", "0");
    assert_prop (recent, "children-display", "'submenu'");
    assert_prop (recent, "enabled", "true");
    g_assert_cmpuint (n_children (recent), ==, 1);
    assert_prop (alice, "label", "'Alice'");
    assert_prop (alice, "enabled", "true");
    assert_prop (alice, "toggle-type", "<none>");
    assert_prop (missing, "visible", "false");
    assert_prop (missing, "enabled", "false");
  }

  /* Depth 0: the node without its children. */
  {
    g_autoptr (GVariant) shallow = get_layout (f, 0, 0, &revision);

    g_assert_cmpuint (n_children (shallow), ==, 0);
  }

  version = desktop_test_get_property (f->host, f->dest, MENU_PATH, IFACE, "Version");
  g_assert_cmpuint (g_variant_get_uint32 (version), ==, 3);
  text_direction = desktop_test_get_property (f->host, f->dest, MENU_PATH, IFACE, "TextDirection");
  g_assert_cmpstr (g_variant_get_string (text_direction, NULL), ==, "ltr");
}

static void
test_properties (Fixture *f, gconstpointer data)
{
  int                  quit = find_item (f, "_Quit");
  int                  away = find_item (f, "Away");
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (GError)   error = NULL;
  const char          *names[] = { "label", NULL };
  int                  ids[] = { quit, away, 9999 };

  reply = desktop_test_call (f->host, f->dest, MENU_PATH, IFACE, "GetProperty",
                             g_variant_new ("(is)", quit, "label"), "(v)", NULL);
  g_variant_get (reply, "(v)", &value);
  g_assert_cmpstr (g_variant_get_string (value, NULL), ==, "_Quit");
  g_clear_pointer (&reply, g_variant_unref);

  reply = desktop_test_call (f->host, f->dest, MENU_PATH, IFACE, "GetProperty",
                             g_variant_new ("(is)", 9999, "label"), "(v)", &error);
  g_assert_null (reply);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  /* Only the properties asked for; unknown ids left out. */
  reply = desktop_test_call (
      f->host, f->dest, MENU_PATH, IFACE, "GetGroupProperties",
      g_variant_new (
          "(@ai^as)",
          g_variant_new_fixed_array (G_VARIANT_TYPE_INT32, ids, G_N_ELEMENTS (ids), sizeof (int)),
          names),
      "(a(ia{sv}))", NULL);
  {
    g_autofree char *text = g_variant_print (reply, FALSE);
    g_autofree char *expected =
        g_strdup_printf ("([(%d, {'label': <'_Quit'>}), (%d, {'label': <'Away'>})],)", quit, away);

    g_assert_cmpstr (text, ==, expected);
  }
  g_clear_pointer (&reply, g_variant_unref);

  reply = desktop_test_call (f->host, f->dest, MENU_PATH, IFACE, "AboutToShow",
                             g_variant_new ("(i)", 0), "(b)", NULL);
  g_assert_cmpstr (g_variant_get_type_string (reply), ==, "(b)");
}

static void
test_events (Fixture *f, gconstpointer data)
{
  DesktopTestSignal    props_updated, layout_updated;
  int                  show = find_item (f, "_Show Beacon");
  int                  online = find_item (f, "Online");
  int                  away = find_item (f, "Away");
  g_autoptr (GVariant) state = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autofree char     *updated = NULL;
  g_autofree char     *expected = NULL;
  guint                revision = beacon_dbusmenu_get_revision (f->dbusmenu);

  desktop_test_signal_watch (&props_updated, f->host, f->dest, IFACE, "ItemsPropertiesUpdated");
  desktop_test_signal_watch (&layout_updated, f->host, f->dest, IFACE, "LayoutUpdated");

  g_variant_unref (desktop_test_call (
      f->host, f->dest, MENU_PATH, IFACE, "Event",
      g_variant_new ("(isvu)", show, "clicked", g_variant_new_int32 (0), 0), "()", NULL));
  g_assert_cmpuint (f->toggled, ==, 1);

  /* A radio item: its target goes to the stateful action, and both radio items change. */
  g_variant_unref (desktop_test_call (
      f->host, f->dest, MENU_PATH, IFACE, "Event",
      g_variant_new ("(isvu)", away, "clicked", g_variant_new_int32 (0), 0), "()", NULL));
  state = g_action_group_get_action_state (G_ACTION_GROUP (f->actions), "status");
  g_assert_cmpstr (g_variant_get_string (state, NULL), ==, "away");
  desktop_test_signal_wait (&props_updated, 1);
  updated = g_variant_print (props_updated.last, FALSE);
  g_assert_true (strstr (updated, "'toggle-state': <1>") != NULL);
  g_assert_true (strstr (updated, "'toggle-state': <0>") != NULL);
  expected = g_strdup_printf ("(%d, {", online);
  g_assert_true (strstr (updated, expected) != NULL);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("(%d, {", away);
  g_assert_true (strstr (updated, expected) != NULL);

  /* Events are not about the layout; an unknown id in a group is reported back. */
  reply = desktop_test_call (
      f->host, f->dest, MENU_PATH, IFACE, "EventGroup",
      g_variant_new_parsed ("([(%i, 'clicked', <0>, uint32 0), (9999, 'clicked', <0>, uint32 0)],)",
                            show),
      "(ai)", NULL);
  {
    g_autofree char *text = g_variant_print (reply, FALSE);

    g_assert_cmpstr (text, ==, "([9999],)");
  }
  g_assert_cmpuint (f->toggled, ==, 2);
  g_assert_cmpuint (layout_updated.count, ==, 0);
  g_assert_cmpuint (beacon_dbusmenu_get_revision (f->dbusmenu), ==, revision);

  desktop_test_signal_clear (&props_updated);
  desktop_test_signal_clear (&layout_updated);
}

static void
test_model_changes (Fixture *f, gconstpointer data)
{
  DesktopTestSignal    layout_updated, props_updated;
  int                  quit = find_item (f, "_Quit");
  guint                revision = beacon_dbusmenu_get_revision (f->dbusmenu);
  guint                new_revision;
  g_autoptr (GVariant) root = NULL;
  g_autoptr (GVariant) recent = NULL;
  g_autoptr (GVariant) last = NULL;

  desktop_test_signal_watch (&layout_updated, f->host, f->dest, IFACE, "LayoutUpdated");
  desktop_test_signal_watch (&props_updated, f->host, f->dest, IFACE, "ItemsPropertiesUpdated");

  /* Five changes in a row make one LayoutUpdated. */
  g_menu_append (f->chats, "Bob", "app.open-chat::c2");
  g_menu_append (f->chats, "Carol", "app.open-chat::c3");
  g_menu_append (f->chats, "Dave", "app.open-chat::c4");
  g_menu_remove (f->chats, 0);
  g_menu_append (f->chats, "Erin", "app.open-chat::c5");
  desktop_test_signal_wait (&layout_updated, 1);
  root = get_layout (f, 0, -1, &new_revision);
  g_assert_cmpuint (layout_updated.count, ==, 1);
  g_assert_cmpuint (new_revision, ==, revision + 1);
  {
    guint signalled_revision;
    int   parent;

    g_variant_get (layout_updated.last, "(ui)", &signalled_revision, &parent);
    g_assert_cmpuint (signalled_revision, ==, new_revision);
    g_assert_cmpint (parent, ==, 0);
  }
  recent = child (root, 6);
  g_assert_cmpuint (n_children (recent), ==, 4);
  last = child (recent, 3);
  assert_prop (last, "label", "'Erin'");

  /* Ids outlive a change elsewhere in the menu. */
  g_assert_cmpint (find_item (f, "_Quit"), ==, quit);

  /* An action going away changes properties, not the layout; so does one coming back. */
  g_action_map_remove_action (G_ACTION_MAP (f->actions), "quit");
  desktop_test_signal_wait (&props_updated, 1);
  {
    g_autofree char *text = g_variant_print (props_updated.last, FALSE);
    g_autofree char *expected = g_strdup_printf ("([(%d, {", quit);

    g_assert_true (g_str_has_prefix (text, expected));
    g_assert_true (strstr (text, "'enabled': <false>") != NULL);
  }
  g_assert_cmpuint (layout_updated.count, ==, 1);

  /* A change and its undoing before the idle ran: nothing to say. */
  g_menu_append (f->chats, "Frank", "app.open-chat::c6");
  g_menu_remove (f->chats, 4);
  g_clear_pointer (&root, g_variant_unref);
  root = get_layout (f, 0, -1, &new_revision);
  g_assert_cmpuint (new_revision, ==, revision + 1);
  g_assert_cmpuint (layout_updated.count, ==, 1);

  desktop_test_signal_clear (&layout_updated);
  desktop_test_signal_clear (&props_updated);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/dbusmenu/layout", Fixture, NULL, fixture_set_up, test_layout, fixture_tear_down);
  g_test_add ("/dbusmenu/properties", Fixture, NULL, fixture_set_up, test_properties,
              fixture_tear_down);
  g_test_add ("/dbusmenu/events", Fixture, NULL, fixture_set_up, test_events, fixture_tear_down);
  g_test_add ("/dbusmenu/model-changes", Fixture, NULL, fixture_set_up, test_model_changes,
              fixture_tear_down);

  return g_test_run ();
}
