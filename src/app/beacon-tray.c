/* beacon-tray.c: BeaconTray: the org.kde.StatusNotifierItem object on plain GDBus, its
 * registration with the watcher (by unique name, once a host exists, again after restarts). */

#include "config.h"

#include <glib/gi18n.h>

#include "beacon-dbusmenu.h"
#include "beacon-tray.h"

/* Registering by bus name means the watcher and its hosts look for the item here. */
#define ITEM_PATH           "/StatusNotifierItem"
#define ITEM_INTERFACE      "org.kde.StatusNotifierItem"
#define MENU_PATH           "/org/beaconim/Beacon/StatusNotifierMenu"
#define WATCHER_NAME        "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH        "/StatusNotifierWatcher"
#define WATCHER_INTERFACE   "org.kde.StatusNotifierWatcher"
#define ATTENTION_ICON_NAME "org.beaconim.Beacon-attention-symbolic"
#define DEFAULT_ICON_NAME   "org.beaconim.Beacon-offline-symbolic"

/* Changes within this window go out as one signal each. */
#define COALESCE_MS 100
/* Some watchers own their name a moment before their object answers: ask again. */
#define RETRY_MS    250
#define MAX_RETRIES 20

static const char introspection_xml[] =
    "<node>"
    "  <interface name='org.kde.StatusNotifierItem'>"
    "    <property name='Category' type='s' access='read'/>"
    "    <property name='Id' type='s' access='read'/>"
    "    <property name='Title' type='s' access='read'/>"
    "    <property name='Status' type='s' access='read'/>"
    "    <property name='WindowId' type='i' access='read'/>"
    "    <property name='IconThemePath' type='s' access='read'/>"
    "    <property name='IconName' type='s' access='read'/>"
    "    <property name='IconPixmap' type='a(iiay)' access='read'/>"
    "    <property name='OverlayIconName' type='s' access='read'/>"
    "    <property name='OverlayIconPixmap' type='a(iiay)' access='read'/>"
    "    <property name='AttentionIconName' type='s' access='read'/>"
    "    <property name='AttentionIconPixmap' type='a(iiay)' access='read'/>"
    "    <property name='AttentionMovieName' type='s' access='read'/>"
    "    <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
    "    <property name='ItemIsMenu' type='b' access='read'/>"
    "    <property name='Menu' type='o' access='read'/>"
    "    <method name='ContextMenu'>"
    "      <arg name='x' type='i' direction='in'/>"
    "      <arg name='y' type='i' direction='in'/>"
    "    </method>"
    "    <method name='Activate'>"
    "      <arg name='x' type='i' direction='in'/>"
    "      <arg name='y' type='i' direction='in'/>"
    "    </method>"
    "    <method name='SecondaryActivate'>"
    "      <arg name='x' type='i' direction='in'/>"
    "      <arg name='y' type='i' direction='in'/>"
    "    </method>"
    "    <method name='Scroll'>"
    "      <arg name='delta' type='i' direction='in'/>"
    "      <arg name='orientation' type='s' direction='in'/>"
    "    </method>"
    "    <signal name='NewTitle'/>"
    "    <signal name='NewIcon'/>"
    "    <signal name='NewAttentionIcon'/>"
    "    <signal name='NewOverlayIcon'/>"
    "    <signal name='NewToolTip'/>"
    "    <signal name='NewStatus'>"
    "      <arg name='status' type='s'/>"
    "    </signal>"
    "  </interface>"
    "</node>";

struct _BeaconTray
{
  GObject parent_instance;

  GApplication *app;
  GMenuModel   *menu;

  char    *icon_name;
  gboolean attention;
  char    *tooltip_title;
  char    *tooltip_body;
  gboolean visible;

  /* What the hosts were last told, so that only real changes are signalled. */
  char    *published_icon_name;
  gboolean published_attention;
  char    *published_tooltip;
  guint    flush_source;

  GDBusConnection *connection;
  BeaconDbusmenu  *dbusmenu;
  guint            registration;
  guint            watch;
  char            *watcher_owner;
  guint            host_subscription;
  GCancellable    *watcher_cancellable; /* calls to the current watcher */
  guint            retry_source;
  guint            retries;
};

G_DEFINE_FINAL_TYPE (BeaconTray, beacon_tray, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_APPLICATION,
  PROP_MENU,
  PROP_ICON_NAME,
  PROP_ATTENTION,
  PROP_TOOLTIP_TITLE,
  PROP_TOOLTIP_BODY,
  PROP_VISIBLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  ACTIVATE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
status_string (gboolean attention)
{
  return attention ? "NeedsAttention" : "Active";
}

static GVariant *
tooltip_variant (BeaconTray *self)
{
  return g_variant_new ("(s@a(iiay)ss)", "",
                        g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0),
                        self->tooltip_title != NULL ? self->tooltip_title : "",
                        self->tooltip_body != NULL ? self->tooltip_body : "");
}

static char *
tooltip_text (BeaconTray *self)
{
  g_autoptr (GVariant) tooltip = g_variant_ref_sink (tooltip_variant (self));

  return g_variant_print (tooltip, FALSE);
}

static void
emit_item_signal (BeaconTray *self, const char *name, GVariant *parameters)
{
  g_autoptr (GError) error = NULL;

  if (!g_dbus_connection_emit_signal (self->connection, NULL, ITEM_PATH, ITEM_INTERFACE, name,
                                      parameters, &error))
    g_debug ("Could not emit %s: %s", name, error->message);
}

/* Tells the hosts what changed since they were last told, one signal per kind. */
static gboolean
flush_cb (gpointer user_data)
{
  BeaconTray      *self = user_data;
  g_autofree char *tooltip = tooltip_text (self);

  self->flush_source = 0;
  if (g_strcmp0 (self->published_icon_name, self->icon_name) != 0)
    {
      g_free (self->published_icon_name);
      self->published_icon_name = g_strdup (self->icon_name);
      emit_item_signal (self, "NewIcon", NULL);
    }
  if (self->published_attention != self->attention)
    {
      self->published_attention = self->attention;
      emit_item_signal (self, "NewStatus", g_variant_new ("(s)", status_string (self->attention)));
    }
  if (g_strcmp0 (self->published_tooltip, tooltip) != 0)
    {
      g_free (self->published_tooltip);
      self->published_tooltip = g_steal_pointer (&tooltip);
      emit_item_signal (self, "NewToolTip", NULL);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (BeaconTray *self)
{
  if (self->registration != 0 && self->flush_source == 0)
    self->flush_source = g_timeout_add (COALESCE_MS, flush_cb, self);
}

/* Sets a string property; on a real change, notifies and schedules the signal. */
static void
set_string (BeaconTray *self, char **field, const char *value, guint prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
  schedule_flush (self);
}

static void
set_visible (BeaconTray *self, gboolean visible)
{
  if (self->visible == visible)
    return;
  self->visible = visible;
  g_debug ("Tray icon %s", visible ? "shown" : "not shown");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE]);
}

static void check_host (BeaconTray *self);

static gboolean
retry_cb (gpointer user_data)
{
  BeaconTray *self = user_data;

  self->retry_source = 0;
  check_host (self);
  return G_SOURCE_REMOVE;
}

/* The watcher failed to answer: try again a little later, a few times. */
static void
retry_later (BeaconTray *self, const GError *error)
{
  g_debug ("The StatusNotifierWatcher did not answer: %s", error->message);
  set_visible (self, FALSE);
  if (self->retry_source == 0 && self->retries++ < MAX_RETRIES)
    self->retry_source = g_timeout_add (RETRY_MS, retry_cb, self);
}

static void
on_registered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  BeaconTray *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (reply == NULL)
    {
      retry_later (self, error);
      return;
    }
  set_visible (self, TRUE);
}

static void
on_host_registered_checked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr (GVariant) value = NULL;
  BeaconTray          *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;
  if (reply == NULL)
    {
      retry_later (self, error);
      return;
    }
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) || !g_variant_get_boolean (value))
    {
      g_debug ("The StatusNotifierWatcher has no host yet");
      set_visible (self, FALSE);
      return;
    }

  g_dbus_connection_call (
      self->connection, self->watcher_owner, WATCHER_PATH, WATCHER_INTERFACE,
      "RegisterStatusNotifierItem",
      g_variant_new ("(s)", g_dbus_connection_get_unique_name (self->connection)), NULL,
      G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->watcher_cancellable, on_registered, self);
}

/* Registers with the watcher if it has a host; without one the icon would show nowhere. */
static void
check_host (BeaconTray *self)
{
  g_dbus_connection_call (
      self->connection, self->watcher_owner, WATCHER_PATH, "org.freedesktop.DBus.Properties", "Get",
      g_variant_new ("(ss)", WATCHER_INTERFACE, "IsStatusNotifierHostRegistered"),
      G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->watcher_cancellable,
      on_host_registered_checked, self);
}

static void
on_host_signal (GDBusConnection *connection,
                const char      *sender_name,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *parameters,
                gpointer         user_data)
{
  BeaconTray *self = user_data;

  /* StatusNotifierHostRegistered, and KDE's StatusNotifierHostUnregistered */
  if (!g_str_has_prefix (signal_name, "StatusNotifierHost"))
    return;
  g_debug ("StatusNotifierWatcher: %s", signal_name);
  check_host (self);
}

static void
forget_watcher (BeaconTray *self)
{
  g_cancellable_cancel (self->watcher_cancellable);
  g_clear_object (&self->watcher_cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  self->retries = 0;
  if (self->host_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->connection, self->host_subscription);
      self->host_subscription = 0;
    }
  g_clear_pointer (&self->watcher_owner, g_free);
}

static void
on_watcher_appeared (GDBusConnection *connection,
                     const char      *name,
                     const char      *name_owner,
                     gpointer         user_data)
{
  BeaconTray *self = user_data;

  g_debug ("StatusNotifierWatcher found at %s", name_owner);
  forget_watcher (self);
  self->watcher_owner = g_strdup (name_owner);
  self->watcher_cancellable = g_cancellable_new ();
  self->host_subscription = g_dbus_connection_signal_subscribe (
      connection, name_owner, WATCHER_INTERFACE, NULL, WATCHER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
      on_host_signal, self, NULL);
  check_host (self);
}

static void
on_watcher_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  BeaconTray *self = user_data;

  if (self->watcher_owner != NULL)
    g_debug ("StatusNotifierWatcher gone");
  forget_watcher (self);
  set_visible (self, FALSE);
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
  BeaconTray *self = user_data;

  /* ContextMenu: hosts show the Menu themselves; SecondaryActivate and Scroll mean nothing
   * here. */
  if (g_str_equal (method_name, "Activate"))
    g_signal_emit (self, signals[ACTIVATE], 0);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static GVariant *
empty_pixmaps (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("(iiay)"), NULL, 0);
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
  BeaconTray *self = user_data;

  if (g_str_equal (property_name, "Category"))
    return g_variant_new_string ("Communications");
  if (g_str_equal (property_name, "Id"))
    return g_variant_new_string (g_application_get_application_id (self->app));
  if (g_str_equal (property_name, "Title"))
    return g_variant_new_string (_ ("Beacon"));
  if (g_str_equal (property_name, "Status"))
    return g_variant_new_string (status_string (self->attention));
  if (g_str_equal (property_name, "WindowId"))
    return g_variant_new_int32 (0);
  if (g_str_equal (property_name, "IconThemePath"))
    {
      /* Run from the build tree, the icons are not installed: the host looks here. */
      const char *path = g_getenv ("BEACON_ICON_THEME_PATH");

      return g_variant_new_string (path != NULL ? path : "");
    }
  if (g_str_equal (property_name, "OverlayIconName") ||
      g_str_equal (property_name, "AttentionMovieName"))
    return g_variant_new_string ("");
  if (g_str_equal (property_name, "IconName"))
    return g_variant_new_string (self->icon_name);
  if (g_str_equal (property_name, "AttentionIconName"))
    return g_variant_new_string (ATTENTION_ICON_NAME);
  if (g_str_has_suffix (property_name, "Pixmap"))
    return empty_pixmaps ();
  if (g_str_equal (property_name, "ToolTip"))
    return tooltip_variant (self);
  if (g_str_equal (property_name, "ItemIsMenu"))
    return g_variant_new_boolean (FALSE);
  if (g_str_equal (property_name, "Menu"))
    return g_variant_new_object_path (MENU_PATH);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable vtable = { method_call, get_property, NULL };

static gboolean export(BeaconTray *self, GError **error)
{
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (introspection_xml, error);

  if (info == NULL)
    return FALSE;
  self->dbusmenu = beacon_dbusmenu_new (self->menu, G_ACTION_GROUP (self->app));
  if (!beacon_dbusmenu_export (self->dbusmenu, self->connection, MENU_PATH, error))
    return FALSE;
  self->registration = g_dbus_connection_register_object (
      self->connection, ITEM_PATH, info->interfaces[0], &vtable, self, NULL, error);
  return self->registration != 0;
}

static void
beacon_tray_constructed (GObject *object)
{
  BeaconTray        *self = BEACON_TRAY (object);
  g_autoptr (GError) error = NULL;

  G_OBJECT_CLASS (beacon_tray_parent_class)->constructed (object);

  self->published_icon_name = g_strdup (self->icon_name);
  self->published_attention = self->attention;
  self->published_tooltip = tooltip_text (self);

  self->connection = g_application_get_dbus_connection (self->app);
  if (self->connection == NULL)
    {
      g_debug ("No session bus: no tray icon");
      return;
    }
  g_object_ref (self->connection);
  if (!export(self, &error))
    {
      g_debug ("Could not export the tray icon: %s", error->message);
      return;
    }
  self->watch =
      g_bus_watch_name_on_connection (self->connection, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                      on_watcher_appeared, on_watcher_vanished, self, NULL);
}

static void
beacon_tray_dispose (GObject *object)
{
  BeaconTray *self = BEACON_TRAY (object);

  g_clear_handle_id (&self->watch, g_bus_unwatch_name);
  if (self->connection != NULL)
    forget_watcher (self);
  g_clear_handle_id (&self->flush_source, g_source_remove);
  if (self->registration != 0)
    {
      g_dbus_connection_unregister_object (self->connection, self->registration);
      self->registration = 0;
    }
  if (self->dbusmenu != NULL)
    beacon_dbusmenu_unexport (self->dbusmenu);
  g_clear_object (&self->dbusmenu);
  g_clear_object (&self->connection);
  g_clear_object (&self->menu);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (beacon_tray_parent_class)->dispose (object);
}

static void
beacon_tray_finalize (GObject *object)
{
  BeaconTray *self = BEACON_TRAY (object);

  g_free (self->icon_name);
  g_free (self->tooltip_title);
  g_free (self->tooltip_body);
  g_free (self->published_icon_name);
  g_free (self->published_tooltip);

  G_OBJECT_CLASS (beacon_tray_parent_class)->finalize (object);
}

static void
beacon_tray_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconTray *self = BEACON_TRAY (object);

  switch (prop_id)
    {
    case PROP_APPLICATION: g_value_set_object (value, self->app); break;
    case PROP_MENU: g_value_set_object (value, self->menu); break;
    case PROP_ICON_NAME: g_value_set_string (value, self->icon_name); break;
    case PROP_ATTENTION: g_value_set_boolean (value, self->attention); break;
    case PROP_TOOLTIP_TITLE: g_value_set_string (value, self->tooltip_title); break;
    case PROP_TOOLTIP_BODY: g_value_set_string (value, self->tooltip_body); break;
    case PROP_VISIBLE: g_value_set_boolean (value, self->visible); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_tray_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BeaconTray *self = BEACON_TRAY (object);

  switch (prop_id)
    {
    case PROP_APPLICATION: self->app = g_value_dup_object (value); break;
    case PROP_MENU: self->menu = g_value_dup_object (value); break;
    case PROP_ICON_NAME: beacon_tray_set_icon_name (self, g_value_get_string (value)); break;
    case PROP_ATTENTION: beacon_tray_set_attention (self, g_value_get_boolean (value)); break;
    case PROP_TOOLTIP_TITLE:
      beacon_tray_set_tooltip_title (self, g_value_get_string (value));
      break;
    case PROP_TOOLTIP_BODY: beacon_tray_set_tooltip_body (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_tray_class_init (BeaconTrayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = beacon_tray_constructed;
  object_class->dispose = beacon_tray_dispose;
  object_class->finalize = beacon_tray_finalize;
  object_class->get_property = beacon_tray_get_property;
  object_class->set_property = beacon_tray_set_property;

  properties[PROP_APPLICATION] =
      g_param_spec_object ("application", NULL, NULL, G_TYPE_APPLICATION,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MENU] =
      g_param_spec_object ("menu", NULL, NULL, G_TYPE_MENU_MODEL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BeaconTray:icon-name:
   *
   * The themed icon shown, `org.beaconim.Beacon-<state>-symbolic`.
   */
  properties[PROP_ICON_NAME] =
      g_param_spec_string ("icon-name", NULL, NULL, DEFAULT_ICON_NAME,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BeaconTray:attention:
   *
   * Whether something waits for the user (an unread message): the item's status is then
   * NeedsAttention and hosts show the attention icon.
   */
  properties[PROP_ATTENTION] =
      g_param_spec_boolean ("attention", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOOLTIP_TITLE] =
      g_param_spec_string ("tooltip-title", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOOLTIP_BODY] =
      g_param_spec_string ("tooltip-body", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BeaconTray:visible:
   *
   * Whether the icon is really shown: registered with a StatusNotifierWatcher that has a
   * host. Closing the window should only hide it while this is TRUE.
   */
  properties[PROP_VISIBLE] =
      g_param_spec_boolean ("visible", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BeaconTray::activate:
   *
   * The icon was clicked (StatusNotifierItem.Activate): the application shows or hides its
   * window.
   */
  signals[ACTIVATE] = g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
beacon_tray_init (BeaconTray *self)
{
  self->icon_name = g_strdup (DEFAULT_ICON_NAME);
}

/**
 * beacon_tray_new:
 * @app: a registered application: its session bus connection carries the icon, and its
 *   actions are the ones the menu's `app.` items activate
 * @menu: the tray menu
 *
 * Returns: (transfer full): the tray icon, shown as soon as the desktop has a place for it
 */
BeaconTray *
beacon_tray_new (GApplication *app, GMenuModel *menu)
{
  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (G_IS_MENU_MODEL (menu), NULL);

  return g_object_new (BEACON_TYPE_TRAY, "application", app, "menu", menu, NULL);
}

const char *
beacon_tray_get_icon_name (BeaconTray *self)
{
  g_return_val_if_fail (BEACON_IS_TRAY (self), NULL);

  return self->icon_name;
}

void
beacon_tray_set_icon_name (BeaconTray *self, const char *icon_name)
{
  g_return_if_fail (BEACON_IS_TRAY (self));
  g_return_if_fail (icon_name != NULL);

  set_string (self, &self->icon_name, icon_name, PROP_ICON_NAME);
}

gboolean
beacon_tray_get_attention (BeaconTray *self)
{
  g_return_val_if_fail (BEACON_IS_TRAY (self), FALSE);

  return self->attention;
}

void
beacon_tray_set_attention (BeaconTray *self, gboolean attention)
{
  g_return_if_fail (BEACON_IS_TRAY (self));

  attention = !!attention;
  if (self->attention == attention)
    return;
  self->attention = attention;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTENTION]);
  schedule_flush (self);
}

const char *
beacon_tray_get_tooltip_title (BeaconTray *self)
{
  g_return_val_if_fail (BEACON_IS_TRAY (self), NULL);

  return self->tooltip_title;
}

void
beacon_tray_set_tooltip_title (BeaconTray *self, const char *title)
{
  g_return_if_fail (BEACON_IS_TRAY (self));

  set_string (self, &self->tooltip_title, title, PROP_TOOLTIP_TITLE);
}

const char *
beacon_tray_get_tooltip_body (BeaconTray *self)
{
  g_return_val_if_fail (BEACON_IS_TRAY (self), NULL);

  return self->tooltip_body;
}

void
beacon_tray_set_tooltip_body (BeaconTray *self, const char *body)
{
  g_return_if_fail (BEACON_IS_TRAY (self));

  set_string (self, &self->tooltip_body, body, PROP_TOOLTIP_BODY);
}

gboolean
beacon_tray_get_visible (BeaconTray *self)
{
  g_return_val_if_fail (BEACON_IS_TRAY (self), FALSE);

  return self->visible;
}
