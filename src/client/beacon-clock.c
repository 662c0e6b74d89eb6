/* beacon-clock.c: BeaconClock: a single timeout armed for the next minute boundary of the
 * real time and re-armed at each tick, plus a tick when logind says the system resumed. */

#include "config.h"

#include "beacon-clock-private.h"

#define LOGIND_NAME      "org.freedesktop.login1"
#define LOGIND_PATH      "/org/freedesktop/login1"
#define LOGIND_INTERFACE "org.freedesktop.login1.Manager"

/* A timeout may fire a little early by the real clock (it runs on the monotonic one, and
 * NTP slews the real one); this much past the boundary keeps a tick on its new minute. */
#define TICK_SLACK_MS 20

struct _BeaconClock
{
  GObject parent_instance;

  GMainContext    *context; /* where the timeout runs: the creator's thread-default */
  GSource         *timeout;
  GCancellable    *cancellable;
  GDBusConnection *bus;
  guint            sleep_subscription;

  gboolean   testing;
  GDateTime *testing_now;
};

G_DEFINE_FINAL_TYPE (BeaconClock, beacon_clock, G_TYPE_OBJECT)

enum
{
  TICK,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void arm_timeout (BeaconClock *self);

/**
 * beacon_clock_ms_until_next_minute:
 * @real_time_us: the real time, as g_get_real_time() gives it
 *
 * Returns: milliseconds from @real_time_us to the next minute boundary (1 to 60000: at a
 *   boundary exactly, the next one)
 */
guint
beacon_clock_ms_until_next_minute (gint64 real_time_us)
{
  gint64 ms = real_time_us / 1000;
  gint64 into_minute = ms % 60000;

  if (into_minute < 0)
    into_minute += 60000;
  return (guint) (60000 - into_minute);
}

static void
emit_tick (BeaconClock *self)
{
  g_signal_emit (self, signals[TICK], 0);
}

static gboolean
on_timeout (gpointer user_data)
{
  BeaconClock *self = user_data;

  g_clear_pointer (&self->timeout, g_source_unref);
  arm_timeout (self);
  emit_tick (self);
  return G_SOURCE_REMOVE;
}

static void
arm_timeout (BeaconClock *self)
{
  guint delay = beacon_clock_ms_until_next_minute (g_get_real_time ()) + TICK_SLACK_MS;

  if (self->timeout != NULL)
    {
      g_source_destroy (self->timeout);
      g_clear_pointer (&self->timeout, g_source_unref);
    }
  self->timeout = g_timeout_source_new (delay);
  g_source_set_name (self->timeout, "[beacon] minute tick");
  g_source_set_callback (self->timeout, on_timeout, self, NULL);
  g_source_attach (self->timeout, self->context);
}

static void
on_prepare_for_sleep (GDBusConnection *connection,
                      const char      *sender_name,
                      const char      *object_path,
                      const char      *interface_name,
                      const char      *signal_name,
                      GVariant        *parameters,
                      gpointer         user_data)
{
  BeaconClock *self = user_data;
  gboolean     going_to_sleep;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &going_to_sleep);
  if (going_to_sleep)
    return;

  /* The monotonic timer stood still while the machine slept: aim it again from the real
   * time, and relabel now rather than at the next boundary. */
  g_debug ("Resumed from suspend: ticking now");
  arm_timeout (self);
  emit_tick (self);
}

static void
listen_for_resume (BeaconClock *self, GDBusConnection *bus)
{
  g_set_object (&self->bus, bus);
  self->sleep_subscription = g_dbus_connection_signal_subscribe (
      bus, LOGIND_NAME, LOGIND_INTERFACE, "PrepareForSleep", LOGIND_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep, self, NULL);
}

static void
on_system_bus (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError)          error = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_finish (result, &error);
  BeaconClock                *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return; /* the clock is gone */

  self = user_data;
  if (bus == NULL)
    {
      /* No system bus (a container, a test): no resume ticks, and nothing wrong. */
      g_debug ("No system bus, so no tick on resume: %s", error->message);
      return;
    }
  listen_for_resume (self, bus);
}

static void
beacon_clock_dispose (GObject *object)
{
  BeaconClock *self = BEACON_CLOCK (object);

  g_cancellable_cancel (self->cancellable);
  if (self->sleep_subscription != 0)
    {
      g_dbus_connection_signal_unsubscribe (self->bus, self->sleep_subscription);
      self->sleep_subscription = 0;
    }
  g_clear_object (&self->bus);
  if (self->timeout != NULL)
    {
      g_source_destroy (self->timeout);
      g_clear_pointer (&self->timeout, g_source_unref);
    }

  G_OBJECT_CLASS (beacon_clock_parent_class)->dispose (object);
}

static void
beacon_clock_finalize (GObject *object)
{
  BeaconClock *self = BEACON_CLOCK (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->testing_now, g_date_time_unref);

  G_OBJECT_CLASS (beacon_clock_parent_class)->finalize (object);
}

static void
beacon_clock_class_init (BeaconClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = beacon_clock_dispose;
  object_class->finalize = beacon_clock_finalize;

  /**
   * BeaconClock::tick:
   *
   * Emitted at each minute boundary of the real time, when the system resumes from
   * suspend, and (on a clock for testing) whenever the time is set. Handlers read the
   * time with beacon_clock_get_now().
   */
  signals[TICK] = g_signal_new ("tick", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                NULL, G_TYPE_NONE, 0);
}

static void
beacon_clock_init (BeaconClock *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
}

/**
 * beacon_clock_new:
 *
 * A clock on the real time. Its tick runs in the thread-default main context of the
 * caller; it listens for resume on the system bus when there is one.
 *
 * Returns: (transfer full): a new clock; most code wants beacon_clock_get_default()
 */
BeaconClock *
beacon_clock_new (void)
{
  BeaconClock *self = g_object_new (BEACON_TYPE_CLOCK, NULL);

  arm_timeout (self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, on_system_bus, self);
  return self;
}

/**
 * beacon_clock_new_with_bus:
 * @bus: the connection on which logind's `PrepareForSleep` is expected
 *
 * A clock on the real time, as beacon_clock_new(), that listens for resume on @bus
 * (tests give it a private bus where they play logind).
 *
 * Returns: (transfer full): a new clock
 */
BeaconClock *
beacon_clock_new_with_bus (GDBusConnection *bus)
{
  BeaconClock *self;

  g_return_val_if_fail (G_IS_DBUS_CONNECTION (bus), NULL);

  self = g_object_new (BEACON_TYPE_CLOCK, NULL);
  arm_timeout (self);
  listen_for_resume (self, bus);
  return self;
}

/**
 * beacon_clock_new_for_testing:
 * @now: (nullable): the time it shows; %NULL for the current local time
 *
 * A clock that never ticks by itself: its time is what beacon_clock_set_now() says.
 *
 * Returns: (transfer full): a new clock
 */
BeaconClock *
beacon_clock_new_for_testing (GDateTime *now)
{
  BeaconClock *self = g_object_new (BEACON_TYPE_CLOCK, NULL);

  self->testing = TRUE;
  self->testing_now = now ? g_date_time_ref (now) : g_date_time_new_now_local ();
  return self;
}

/**
 * beacon_clock_get_default:
 *
 * The process-wide clock on the real time, created on first use (call it first from
 * the main thread: its tick runs in the main context of that thread).
 *
 * Returns: (transfer none): the shared clock
 */
BeaconClock *
beacon_clock_get_default (void)
{
  static BeaconClock *default_clock;

  if (g_once_init_enter (&default_clock))
    g_once_init_leave (&default_clock, beacon_clock_new ());
  return default_clock;
}

/**
 * beacon_clock_get_now:
 * @self: a clock
 *
 * Returns: (transfer full): the current local time, or the injected one
 */
GDateTime *
beacon_clock_get_now (BeaconClock *self)
{
  g_return_val_if_fail (BEACON_IS_CLOCK (self), NULL);

  if (self->testing)
    return g_date_time_ref (self->testing_now);
  return g_date_time_new_now_local ();
}

/**
 * beacon_clock_set_now:
 * @self: a clock made by beacon_clock_new_for_testing()
 * @now: the time it shows from now on
 *
 * Sets the time and emits #BeaconClock::tick.
 */
void
beacon_clock_set_now (BeaconClock *self, GDateTime *now)
{
  g_return_if_fail (BEACON_IS_CLOCK (self));
  g_return_if_fail (self->testing);
  g_return_if_fail (now != NULL);

  g_date_time_ref (now);
  g_clear_pointer (&self->testing_now, g_date_time_unref);
  self->testing_now = now;
  emit_tick (self);
}

/**
 * beacon_clock_is_testing:
 * @self: a clock
 *
 * Returns: %TRUE if @self shows an injected time
 */
gboolean
beacon_clock_is_testing (BeaconClock *self)
{
  g_return_val_if_fail (BEACON_IS_CLOCK (self), FALSE);

  return self->testing;
}
