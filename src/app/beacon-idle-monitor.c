/* beacon-idle-monitor.c: BeaconIdleMonitor: idle watches of org.gnome.Mutter.IdleMonitor,
 * with org.freedesktop.ScreenSaver and logind's LockedHint telling when the screen is locked. */

#include "config.h"

#include "beacon-idle-monitor.h"

#define MUTTER_NAME           "org.gnome.Mutter.IdleMonitor"
#define MUTTER_PATH           "/org/gnome/Mutter/IdleMonitor/Core"
#define MUTTER_INTERFACE      "org.gnome.Mutter.IdleMonitor"
#define SCREENSAVER_NAME      "org.freedesktop.ScreenSaver"
#define SCREENSAVER_PATH      "/org/freedesktop/ScreenSaver"
#define SCREENSAVER_INTERFACE "org.freedesktop.ScreenSaver"
#define LOGIND_NAME           "org.freedesktop.login1"
#define LOGIND_PATH           "/org/freedesktop/login1"
#define LOGIND_MANAGER        "org.freedesktop.login1.Manager"
#define LOGIND_SESSION        "org.freedesktop.login1.Session"

struct _BeaconIdleMonitor
{
  GObject parent_instance;

  GDBusConnection *session_bus;
  GCancellable    *cancellable; /* everything, until dispose */
  guint            idle_minutes;
  gboolean         idle;

  /* org.gnome.Mutter.IdleMonitor: no input for idle-minutes */
  guint         mutter_watch;
  char         *mutter_owner;
  GCancellable *mutter_cancellable;
  guint         mutter_subscription;
  guint         idle_watch_id;
  guint         active_watch_id;
  guint         idle_watch_generation;
  gboolean      inactive;

  /* org.freedesktop.ScreenSaver: the screen saver or lock is on */
  guint         screensaver_watch;
  GCancellable *screensaver_cancellable;
  guint         screensaver_subscription;
  gboolean      screensaver_active;

  /* logind's LockedHint of this session, on the system bus */
  GDBusConnection *system_bus;
  guint            logind_subscription;
  gboolean         locked_hint;
};

G_DEFINE_FINAL_TYPE (BeaconIdleMonitor, beacon_idle_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SESSION_BUS,
  PROP_IDLE,
  PROP_IDLE_MINUTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_idle (BeaconIdleMonitor *self)
{
  gboolean idle =
      self->idle_minutes > 0 && (self->inactive || self->screensaver_active || self->locked_hint);

  if (self->idle == idle)
    return;
  self->idle = idle;
  g_debug ("User %s", idle ? "away from the computer" : "back");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE]);
}

/* Mutter ------------------------------------------------------------------------------- */

typedef struct
{
  BeaconIdleMonitor *self;
  guint              generation;
  gboolean           active_watch;
} AddWatch;

static void
remove_mutter_watch (BeaconIdleMonitor *self, guint id)
{
  if (id == 0 || self->mutter_owner == NULL)
    return;
  g_dbus_connection_call (self->session_bus, self->mutter_owner, MUTTER_PATH, MUTTER_INTERFACE,
                          "RemoveWatch", g_variant_new ("(u)", id), NULL,
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

static void
on_watch_added (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree AddWatch *add = user_data;
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  BeaconIdleMonitor *self = add->self;
  guint              id;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      g_debug ("%s refused a watch: %s", MUTTER_NAME, error->message);
      return;
    }
  g_variant_get (reply, "(u)", &id);
  if (add->active_watch)
    self->active_watch_id = id;
  else if (add->generation == self->idle_watch_generation)
    self->idle_watch_id = id;
  else
    remove_mutter_watch (self, id); /* idle-minutes changed meanwhile */
}

static void
add_mutter_watch (BeaconIdleMonitor *self, gboolean active_watch)
{
  AddWatch *add = g_new0 (AddWatch, 1);

  add->self = self;
  add->generation = self->idle_watch_generation;
  add->active_watch = active_watch;
  if (active_watch)
    g_dbus_connection_call (self->session_bus, self->mutter_owner, MUTTER_PATH, MUTTER_INTERFACE,
                            "AddUserActiveWatch", NULL, G_VARIANT_TYPE ("(u)"),
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->mutter_cancellable,
                            on_watch_added, add);
  else
    g_dbus_connection_call (
        self->session_bus, self->mutter_owner, MUTTER_PATH, MUTTER_INTERFACE, "AddIdleWatch",
        g_variant_new ("(t)", (guint64) self->idle_minutes * 60 * 1000), G_VARIANT_TYPE ("(u)"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->mutter_cancellable, on_watch_added, add);
}

/* (Re)places the idle watch for the current idle-minutes. */
static void
arm_idle_watch (BeaconIdleMonitor *self)
{
  self->idle_watch_generation++;
  remove_mutter_watch (self, self->idle_watch_id);
  self->idle_watch_id = 0;
  if (self->mutter_owner != NULL && self->idle_minutes > 0)
    add_mutter_watch (self, FALSE);
}

static void
on_watch_fired (GDBusConnection *connection,
                const char      *sender_name,
                const char      *object_path,
                const char      *interface_name,
                const char      *signal_name,
                GVariant        *parameters,
                gpointer         user_data)
{
  BeaconIdleMonitor *self = user_data;
  guint              id;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(u)")))
    return;
  g_variant_get (parameters, "(u)", &id);
  if (id != 0 && id == self->idle_watch_id && !self->inactive)
    {
      self->inactive = TRUE;
      add_mutter_watch (self, TRUE);
    }
  else if (id != 0 && id == self->active_watch_id)
    {
      /* user-active watches fire once */
      self->active_watch_id = 0;
      self->inactive = FALSE;
    }
  update_idle (self);
}

static void
forget_mutter (BeaconIdleMonitor *self)
{
  g_cancellable_cancel (self->mutter_cancellable);
  g_clear_object (&self->mutter_cancellable);
  if (self->mutter_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->session_bus, self->mutter_subscription);
      self->mutter_subscription = 0;
    }
  g_clear_pointer (&self->mutter_owner, g_free);
  self->idle_watch_id = 0;
  self->active_watch_id = 0;
  self->inactive = FALSE;
}

static void
on_mutter_appeared (GDBusConnection *connection,
                    const char      *name,
                    const char      *name_owner,
                    gpointer         user_data)
{
  BeaconIdleMonitor *self = user_data;

  g_debug ("Idle time from %s", MUTTER_NAME);
  forget_mutter (self);
  self->mutter_owner = g_strdup (name_owner);
  self->mutter_cancellable = g_cancellable_new ();
  /* Mutter sends WatchFired to the watch's owner only. */
  self->mutter_subscription = g_dbus_connection_signal_subscribe (
      connection, name_owner, MUTTER_INTERFACE, "WatchFired", MUTTER_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_watch_fired, self, NULL);
  arm_idle_watch (self);
}

static void
on_mutter_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  BeaconIdleMonitor *self = user_data;

  if (self->mutter_owner != NULL)
    g_debug ("%s is gone", MUTTER_NAME);
  else
    g_debug ("No %s: no idle time", MUTTER_NAME);
  forget_mutter (self);
  update_idle (self);
}

/* ScreenSaver --------------------------------------------------------------------------- */

static void
set_screensaver_active (BeaconIdleMonitor *self, gboolean active)
{
  self->screensaver_active = active;
  update_idle (self);
}

static void
on_screensaver_active_changed (GDBusConnection *connection,
                               const char      *sender_name,
                               const char      *object_path,
                               const char      *interface_name,
                               const char      *signal_name,
                               GVariant        *parameters,
                               gpointer         user_data)
{
  gboolean active;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &active);
  set_screensaver_active (user_data, active);
}

static void
on_screensaver_get_active (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  gboolean active;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      g_debug ("%s.GetActive failed: %s", SCREENSAVER_NAME, error->message);
      return;
    }
  g_variant_get (reply, "(b)", &active);
  set_screensaver_active (user_data, active);
}

static void
forget_screensaver (BeaconIdleMonitor *self)
{
  g_cancellable_cancel (self->screensaver_cancellable);
  g_clear_object (&self->screensaver_cancellable);
  if (self->screensaver_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->session_bus, self->screensaver_subscription);
      self->screensaver_subscription = 0;
    }
  self->screensaver_active = FALSE;
}

static void
on_screensaver_appeared (GDBusConnection *connection,
                         const char      *name,
                         const char      *name_owner,
                         gpointer         user_data)
{
  BeaconIdleMonitor *self = user_data;

  g_debug ("Screen lock from %s", SCREENSAVER_NAME);
  forget_screensaver (self);
  self->screensaver_cancellable = g_cancellable_new ();
  self->screensaver_subscription = g_dbus_connection_signal_subscribe (
      connection, name_owner, SCREENSAVER_INTERFACE, "ActiveChanged", NULL, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_screensaver_active_changed, self, NULL);
  g_dbus_connection_call (connection, name_owner, SCREENSAVER_PATH, SCREENSAVER_INTERFACE,
                          "GetActive", NULL, G_VARIANT_TYPE ("(b)"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->screensaver_cancellable,
                          on_screensaver_get_active, self);
}

static void
on_screensaver_vanished (GDBusConnection *connection, const char *name, gpointer user_data)
{
  BeaconIdleMonitor *self = user_data;

  g_debug ("No %s", SCREENSAVER_NAME);
  forget_screensaver (self);
  update_idle (self);
}

/* logind ------------------------------------------------------------------------------- */

static void
set_locked_hint (BeaconIdleMonitor *self, GVariant *value)
{
  if (value == NULL || !g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    return;
  self->locked_hint = g_variant_get_boolean (value);
  update_idle (self);
}

static void
on_session_properties_changed (GDBusConnection *connection,
                               const char      *sender_name,
                               const char      *object_path,
                               const char      *interface_name,
                               const char      *signal_name,
                               GVariant        *parameters,
                               gpointer         user_data)
{
  g_autoptr (GVariant) changed = NULL;
  g_autoptr (GVariant) locked = NULL;
  const char          *interface;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}@as)", &interface, &changed, NULL);
  if (!g_str_equal (interface, LOGIND_SESSION))
    return;
  locked = g_variant_lookup_value (changed, "LockedHint", G_VARIANT_TYPE_BOOLEAN);
  set_locked_hint (user_data, locked);
}

static void
on_locked_hint (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr (GVariant) value = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      g_debug ("No LockedHint from logind: %s", error->message);
      return;
    }
  g_variant_get (reply, "(v)", &value);
  set_locked_hint (user_data, value);
}

static void
on_logind_session (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)   error = NULL;
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  BeaconIdleMonitor *self;
  const char        *path;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    {
      g_debug ("No logind session, so no LockedHint: %s", error->message);
      return;
    }
  self = user_data;
  g_variant_get (reply, "(&o)", &path);
  g_debug ("Screen lock from logind's LockedHint of %s", path);
  self->logind_subscription = g_dbus_connection_signal_subscribe (
      self->system_bus, LOGIND_NAME, "org.freedesktop.DBus.Properties", "PropertiesChanged", path,
      NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_session_properties_changed, self, NULL);
  g_dbus_connection_call (self->system_bus, LOGIND_NAME, path, "org.freedesktop.DBus.Properties",
                          "Get", g_variant_new ("(ss)", LOGIND_SESSION, "LockedHint"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                          self->cancellable, on_locked_hint, self);
}

static void
on_system_bus (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)          error = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_finish (result, &error);
  BeaconIdleMonitor          *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bus == NULL)
    {
      g_debug ("No system bus, so no LockedHint: %s", error->message);
      return;
    }
  self = user_data;
  self->system_bus = g_steal_pointer (&bus);
  /* "auto": the caller's session, or the user's display session. */
  g_dbus_connection_call (self->system_bus, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "GetSession",
                          g_variant_new ("(s)", "auto"), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable, on_logind_session,
                          self);
}

/* GObject ------------------------------------------------------------------------------ */

static void
beacon_idle_monitor_constructed (GObject *object)
{
  BeaconIdleMonitor *self = BEACON_IDLE_MONITOR (object);

  G_OBJECT_CLASS (beacon_idle_monitor_parent_class)->constructed (object);

  self->mutter_watch =
      g_bus_watch_name_on_connection (self->session_bus, MUTTER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                      on_mutter_appeared, on_mutter_vanished, self, NULL);
  self->screensaver_watch = g_bus_watch_name_on_connection (
      self->session_bus, SCREENSAVER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE, on_screensaver_appeared,
      on_screensaver_vanished, self, NULL);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_system_bus, self);
}

static void
beacon_idle_monitor_dispose (GObject *object)
{
  BeaconIdleMonitor *self = BEACON_IDLE_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->mutter_watch, g_bus_unwatch_name);
  g_clear_handle_id (&self->screensaver_watch, g_bus_unwatch_name);
  if (self->session_bus != NULL)
    {
      self->idle_watch_generation++;
      remove_mutter_watch (self, self->idle_watch_id);
      remove_mutter_watch (self, self->active_watch_id);
      forget_mutter (self);
      forget_screensaver (self);
    }
  if (self->logind_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->system_bus, self->logind_subscription);
      self->logind_subscription = 0;
    }
  g_clear_object (&self->system_bus);
  g_clear_object (&self->session_bus);

  G_OBJECT_CLASS (beacon_idle_monitor_parent_class)->dispose (object);
}

static void
beacon_idle_monitor_finalize (GObject *object)
{
  BeaconIdleMonitor *self = BEACON_IDLE_MONITOR (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (beacon_idle_monitor_parent_class)->finalize (object);
}

static void
beacon_idle_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconIdleMonitor *self = BEACON_IDLE_MONITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION_BUS: g_value_set_object (value, self->session_bus); break;
    case PROP_IDLE: g_value_set_boolean (value, self->idle); break;
    case PROP_IDLE_MINUTES: g_value_set_uint (value, self->idle_minutes); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_idle_monitor_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BeaconIdleMonitor *self = BEACON_IDLE_MONITOR (object);

  switch (prop_id)
    {
    case PROP_SESSION_BUS: self->session_bus = g_value_dup_object (value); break;
    case PROP_IDLE_MINUTES:
      beacon_idle_monitor_set_idle_minutes (self, g_value_get_uint (value));
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_idle_monitor_class_init (BeaconIdleMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = beacon_idle_monitor_constructed;
  object_class->dispose = beacon_idle_monitor_dispose;
  object_class->finalize = beacon_idle_monitor_finalize;
  object_class->get_property = beacon_idle_monitor_get_property;
  object_class->set_property = beacon_idle_monitor_set_property;

  properties[PROP_SESSION_BUS] =
      g_param_spec_object ("session-bus", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BeaconIdleMonitor:idle:
   *
   * Whether the user is away: no input for idle-minutes, or the screen locked. Never
   * TRUE when the desktop offers neither, or when idle-minutes is 0.
   */
  properties[PROP_IDLE] =
      g_param_spec_boolean ("idle", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BeaconIdleMonitor:idle-minutes:
   *
   * Minutes without input after which the user counts as idle; 0 turns the monitor off
   * (bind it to the "auto-away-minutes" setting).
   */
  properties[PROP_IDLE_MINUTES] =
      g_param_spec_uint ("idle-minutes", NULL, NULL, 0, 24 * 60, 5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_idle_monitor_init (BeaconIdleMonitor *self)
{
  self->cancellable = g_cancellable_new ();
  self->idle_minutes = 5;
}

/**
 * beacon_idle_monitor_new:
 * @session_bus: where the desktop's idle monitor and screen saver are (the
 *   application's connection)
 *
 * Returns: (transfer full): a monitor, not idle until a desktop service says so
 */
BeaconIdleMonitor *
beacon_idle_monitor_new (GDBusConnection *session_bus)
{
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (session_bus), NULL);

  return g_object_new (BEACON_TYPE_IDLE_MONITOR, "session-bus", session_bus, NULL);
}

gboolean
beacon_idle_monitor_get_idle (BeaconIdleMonitor *self)
{
  g_return_val_if_fail (BEACON_IS_IDLE_MONITOR (self), FALSE);

  return self->idle;
}

guint
beacon_idle_monitor_get_idle_minutes (BeaconIdleMonitor *self)
{
  g_return_val_if_fail (BEACON_IS_IDLE_MONITOR (self), 0);

  return self->idle_minutes;
}

void
beacon_idle_monitor_set_idle_minutes (BeaconIdleMonitor *self, guint minutes)
{
  g_return_if_fail (BEACON_IS_IDLE_MONITOR (self));

  if (self->idle_minutes == minutes)
    return;
  self->idle_minutes = minutes;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE_MINUTES]);
  if (self->mutter_owner != NULL)
    arm_idle_watch (self);
  update_idle (self);
}
