/* test-flatpak-manifest.c: checks flatpak/org.beaconim.Beacon.json, the Flatpak manifest:
 * its app id, runtime, command, sandbox permissions and the meson module that builds Beacon. */

#include <glib.h>
#include <json-glib/json-glib.h>

#define EXPECTED_APP_ID "org.beaconim.Beacon"

static const char *manifest_path;

/* Assertions are non-fatal (see main), so every subtest reports; a test returns early
 * only where going on would dereference what is missing. */
static JsonParser *
load_manifest (JsonObject **root_out)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;
  JsonNode              *root;

  *root_out = NULL;

  if (!json_parser_load_from_file (parser, manifest_path, &error))
    {
      g_test_fail_printf ("cannot parse %s: %s", manifest_path, error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_test_fail_printf ("%s does not hold a JSON object", manifest_path);
      return NULL;
    }

  *root_out = json_node_get_object (root);
  return g_steal_pointer (&parser);
}

static const char *
get_string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonArray *
get_array_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;

  return json_node_get_array (node);
}

/* Whether @array holds a string that matches @pattern ('*' and '?' are wildcards). */
static gboolean
string_array_contains (JsonArray *array, const char *pattern)
{
  guint n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_pattern_match_simple (pattern, json_node_get_string (node)))
        return TRUE;
    }

  return FALSE;
}

static void
test_app_id (void)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject            *root;
  const char            *id;
  const char            *app_id;

  if ((parser = load_manifest (&root)) == NULL)
    return;

  /* flatpak-builder takes "id", or the older spelling "app-id". */
  id = get_string_member (root, "id");
  app_id = get_string_member (root, "app-id");
  if (id == NULL && app_id == NULL)
    g_test_fail_printf ("the manifest has no \"id\"");
  if (id != NULL)
    g_assert_cmpstr (id, ==, EXPECTED_APP_ID);
  if (app_id != NULL)
    g_assert_cmpstr (app_id, ==, EXPECTED_APP_ID);
}

static void
test_runtime (void)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject            *root;

  if ((parser = load_manifest (&root)) == NULL)
    return;

  g_assert_cmpstr (get_string_member (root, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (get_string_member (root, "sdk"), ==, "org.gnome.Sdk");
  g_assert_nonnull (get_string_member (root, "runtime-version"));
}

static void
test_command (void)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject            *root;

  if ((parser = load_manifest (&root)) == NULL)
    return;

  g_assert_cmpstr (get_string_member (root, "command"), ==, "beacon");
}

static void
test_finish_args_required (void)
{
  static const char *const required[] = {
    "--share=network",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--talk-name=org.kde.StatusNotifierWatcher",
    /* BeaconIdleMonitor: idle time, and the screen lock */
    "--talk-name=org.gnome.Mutter.IdleMonitor",
    "--talk-name=org.freedesktop.ScreenSaver",
    "--system-talk-name=org.freedesktop.login1",
  };
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GString)    missing = g_string_new (NULL);
  JsonObject            *root;
  JsonArray             *finish_args;

  if ((parser = load_manifest (&root)) == NULL)
    return;

  finish_args = get_array_member (root, "finish-args");
  g_assert_nonnull (finish_args);
  if (finish_args == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (!string_array_contains (finish_args, required[i]))
        g_string_append_printf (missing, " %s", required[i]);
    }
  if (missing->len > 0)
    g_test_fail_printf ("finish-args lack:%s", missing->str);
}

static void
test_finish_args_forbidden (void)
{
  /* Notifications, the keyring and running in the background go through portals, the
   * tray registers with the watcher by unique name, and the app needs no host files. */
  static const char *const forbidden[] = {
    "--socket=x11",
    "--socket=session-bus",
    "--filesystem=host*",
    "--filesystem=home*",
    "--talk-name=org.freedesktop.Notifications",
    "--talk-name=org.freedesktop.secrets",
    "--own-name=org.kde.StatusNotifierItem*",
  };
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GString)    found = g_string_new (NULL);
  JsonObject            *root;
  JsonArray             *finish_args;

  if ((parser = load_manifest (&root)) == NULL)
    return;

  finish_args = get_array_member (root, "finish-args");
  g_assert_nonnull (finish_args);
  if (finish_args == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (forbidden); i++)
    {
      if (string_array_contains (finish_args, forbidden[i]))
        g_string_append_printf (found, " %s", forbidden[i]);
    }
  if (found->len > 0)
    g_test_fail_printf ("finish-args grant what the app does not need:%s", found->str);
}

static void
test_app_module (void)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonObject            *root;
  JsonArray             *modules;
  JsonNode              *last;
  JsonObject            *module;
  JsonArray             *config_opts;
  JsonArray             *sources;
  gboolean               has_dir_source = FALSE;

  if ((parser = load_manifest (&root)) == NULL)
    return;

  modules = get_array_member (root, "modules");
  if (modules == NULL || json_array_get_length (modules) == 0)
    {
      g_test_fail_printf ("the manifest has no modules");
      return;
    }

  /* The app is the last module: whatever comes before it is a dependency. */
  last = json_array_get_element (modules, json_array_get_length (modules) - 1);
  if (!JSON_NODE_HOLDS_OBJECT (last))
    {
      g_test_fail_printf ("the last module is not inline (an object)");
      return;
    }
  module = json_node_get_object (last);

  g_assert_cmpstr (get_string_member (module, "name"), ==, "beacon");
  g_assert_cmpstr (get_string_member (module, "buildsystem"), ==, "meson");

  config_opts = get_array_member (module, "config-opts");
  if (config_opts == NULL || !string_array_contains (config_opts, "-Dserver=disabled"))
    g_test_fail_printf ("the beacon module's config-opts lack -Dserver=disabled");

  sources = get_array_member (module, "sources");
  for (guint i = 0; sources != NULL && i < json_array_get_length (sources); i++)
    {
      JsonNode   *node = json_array_get_element (sources, i);
      JsonObject *source;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      source = json_node_get_object (node);
      if (g_strcmp0 (get_string_member (source, "type"), "dir") == 0 &&
          g_strcmp0 (get_string_member (source, "path"), "..") == 0)
        has_dir_source = TRUE;
    }
  if (!has_dir_source)
    g_test_fail_printf (
        "the beacon module does not build the source tree (a \"dir\" source with path \"..\")");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_set_nonfatal_assertions ();

  /* The manifest's path comes from meson's test environment, or as the first argument. */
  manifest_path = g_getenv ("BEACON_FLATPAK_MANIFEST");
  if (argc > 1)
    manifest_path = argv[1];
  if (manifest_path == NULL)
    {
      g_printerr ("Set BEACON_FLATPAK_MANIFEST or pass the manifest's path\n");
      return 1;
    }

  g_test_add_func ("/flatpak/manifest/app-id", test_app_id);
  g_test_add_func ("/flatpak/manifest/runtime", test_runtime);
  g_test_add_func ("/flatpak/manifest/command", test_command);
  g_test_add_func ("/flatpak/manifest/finish-args/required", test_finish_args_required);
  g_test_add_func ("/flatpak/manifest/finish-args/forbidden", test_finish_args_forbidden);
  g_test_add_func ("/flatpak/manifest/app-module", test_app_module);

  return g_test_run ();
}
