/* beacon-provider.c: BeaconProvider: a freelancer's fields, each notified only on a real
 * change, and a "last seen" line that the shared clock's minute tick relabels. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "beacon-last-seen.h"
#include "beacon-provider.h"

struct _BeaconProvider
{
  GObject parent_instance;

  char      *id;
  char      *name;
  char      *headline;
  gboolean   online;
  GDateTime *last_seen; /* NULL: unknown or hidden */
  char      *last_seen_label;

  BeaconClock *clock;
  gulong       tick_handler; /* connected only while the label depends on the time */
};

G_DEFINE_FINAL_TYPE (BeaconProvider, beacon_provider, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_HEADLINE,
  PROP_ONLINE,
  PROP_LAST_SEEN,
  PROP_LAST_SEEN_LABEL,
  PROP_CLOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
compute_label (BeaconProvider *self)
{
  g_autoptr (GDateTime) now = NULL;

  if (self->online)
    /* Translators: the status line of a freelancer who is online, as a guest sees it. */
    return g_strdup (_ ("Online"));
  now = beacon_clock_get_now (self->clock);
  return beacon_last_seen_label (self->last_seen, now);
}

static void
update_label (BeaconProvider *self)
{
  g_autofree char *label = compute_label (self);

  if (g_strcmp0 (label, self->last_seen_label) == 0)
    return;
  g_free (self->last_seen_label);
  self->last_seen_label = g_steal_pointer (&label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEEN_LABEL]);
}

static void
on_tick (BeaconClock *clock, gpointer user_data)
{
  update_label (BEACON_PROVIDER (user_data));
}

/* Relabels, and listens to the tick only while the label says how long ago. */
static void
update_derived (BeaconProvider *self)
{
  gboolean needs_tick = !self->online && self->last_seen != NULL;

  update_label (self);
  if (needs_tick && self->tick_handler == 0)
    self->tick_handler = g_signal_connect (self->clock, "tick", G_CALLBACK (on_tick), self);
  else if (!needs_tick && self->tick_handler != 0)
    g_clear_signal_handler (&self->tick_handler, self->clock);
}

static void
set_string (BeaconProvider *self, char **field, const char *value, int prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
beacon_provider_constructed (GObject *object)
{
  BeaconProvider *self = BEACON_PROVIDER (object);

  G_OBJECT_CLASS (beacon_provider_parent_class)->constructed (object);

  g_return_if_fail (self->id != NULL);
  if (self->clock == NULL)
    self->clock = g_object_ref (beacon_clock_get_default ());
  self->last_seen_label = compute_label (self);
}

static void
beacon_provider_dispose (GObject *object)
{
  BeaconProvider *self = BEACON_PROVIDER (object);

  if (self->clock != NULL)
    g_clear_signal_handler (&self->tick_handler, self->clock);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (beacon_provider_parent_class)->dispose (object);
}

static void
beacon_provider_finalize (GObject *object)
{
  BeaconProvider *self = BEACON_PROVIDER (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->headline);
  g_clear_pointer (&self->last_seen, g_date_time_unref);
  g_free (self->last_seen_label);

  G_OBJECT_CLASS (beacon_provider_parent_class)->finalize (object);
}

static void
beacon_provider_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconProvider *self = BEACON_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_HEADLINE: g_value_set_string (value, self->headline); break;
    case PROP_ONLINE: g_value_set_boolean (value, self->online); break;
    case PROP_LAST_SEEN: g_value_set_boxed (value, self->last_seen); break;
    case PROP_LAST_SEEN_LABEL: g_value_set_string (value, self->last_seen_label); break;
    case PROP_CLOCK: g_value_set_object (value, self->clock); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_provider_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  BeaconProvider *self = BEACON_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_NAME: beacon_provider_set_name (self, g_value_get_string (value)); break;
    case PROP_HEADLINE: beacon_provider_set_headline (self, g_value_get_string (value)); break;
    case PROP_ONLINE: beacon_provider_set_online (self, g_value_get_boolean (value)); break;
    case PROP_LAST_SEEN: beacon_provider_set_last_seen (self, g_value_get_boxed (value)); break;
    case PROP_CLOCK: self->clock = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_provider_class_init (BeaconProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags   construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = beacon_provider_constructed;
  object_class->dispose = beacon_provider_dispose;
  object_class->finalize = beacon_provider_finalize;
  object_class->get_property = beacon_provider_get_property;
  object_class->set_property = beacon_provider_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, construct);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_HEADLINE] = g_param_spec_string ("headline", NULL, NULL, NULL, rw);
  properties[PROP_ONLINE] = g_param_spec_boolean ("online", NULL, NULL, FALSE, rw);
  properties[PROP_LAST_SEEN] = g_param_spec_boxed ("last-seen", NULL, NULL, G_TYPE_DATE_TIME, rw);
  properties[PROP_LAST_SEEN_LABEL] =
      g_param_spec_string ("last-seen-label", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, BEACON_TYPE_CLOCK, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_provider_init (BeaconProvider *self)
{
}

/**
 * beacon_provider_new:
 * @id: the freelancer's user id
 * @clock: (nullable): the clock whose tick relabels "last seen"; %NULL for
 *   beacon_clock_get_default()
 *
 * Returns: (transfer full): an offline provider with nothing else known
 */
BeaconProvider *
beacon_provider_new (const char *id, BeaconClock *clock)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (clock == NULL || BEACON_IS_CLOCK (clock), NULL);

  return g_object_new (BEACON_TYPE_PROVIDER, "id", id, "clock", clock, NULL);
}

const char *
beacon_provider_get_id (BeaconProvider *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER (self), NULL);
  return self->id;
}

/**
 * beacon_provider_get_name:
 * @self: a provider
 *
 * Returns: (nullable): the display name, or %NULL before it is known
 */
const char *
beacon_provider_get_name (BeaconProvider *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER (self), NULL);
  return self->name;
}

void
beacon_provider_set_name (BeaconProvider *self, const char *name)
{
  g_return_if_fail (BEACON_IS_PROVIDER (self));
  set_string (self, &self->name, name, PROP_NAME);
}

/**
 * beacon_provider_get_headline:
 * @self: a provider
 *
 * Returns: (nullable): what the freelancer offers, in their words ("GTK developer")
 */
const char *
beacon_provider_get_headline (BeaconProvider *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER (self), NULL);
  return self->headline;
}

void
beacon_provider_set_headline (BeaconProvider *self, const char *headline)
{
  g_return_if_fail (BEACON_IS_PROVIDER (self));
  set_string (self, &self->headline, headline, PROP_HEADLINE);
}

gboolean
beacon_provider_get_online (BeaconProvider *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER (self), FALSE);
  return self->online;
}

/**
 * beacon_provider_set_online:
 * @self: a provider
 * @online: whether the freelancer is visible online
 *
 * Notifies "online" and "last-seen-label" when they change, after both have.
 */
void
beacon_provider_set_online (BeaconProvider *self, gboolean online)
{
  g_return_if_fail (BEACON_IS_PROVIDER (self));

  online = !!online;
  if (self->online == online)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE]);
  update_derived (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * beacon_provider_get_last_seen:
 * @self: a provider
 *
 * Returns: (transfer none) (nullable): when the freelancer was last online, or %NULL when
 *   unknown or hidden from guests
 */
GDateTime *
beacon_provider_get_last_seen (BeaconProvider *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER (self), NULL);
  return self->last_seen;
}

/**
 * beacon_provider_set_last_seen:
 * @self: a provider
 * @last_seen: (nullable): when the freelancer was last online
 */
void
beacon_provider_set_last_seen (BeaconProvider *self, GDateTime *last_seen)
{
  g_return_if_fail (BEACON_IS_PROVIDER (self));

  if (self->last_seen == last_seen || (self->last_seen != NULL && last_seen != NULL &&
                                       g_date_time_equal (self->last_seen, last_seen)))
    return;
  g_object_freeze_notify (G_OBJECT (self));
  g_clear_pointer (&self->last_seen, g_date_time_unref);
  self->last_seen = last_seen ? g_date_time_ref (last_seen) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SEEN]);
  update_derived (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * beacon_provider_get_last_seen_label:
 * @self: a provider
 *
 * Returns: "Online", "Last seen 5 minutes ago" or "Offline" (last seen unknown); it
 *   changes with the clock's tick
 */
const char *
beacon_provider_get_last_seen_label (BeaconProvider *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER (self), NULL);
  return self->last_seen_label;
}

/**
 * beacon_provider_get_clock:
 * @self: a provider
 *
 * Returns: (transfer none): the clock its label follows
 */
BeaconClock *
beacon_provider_get_clock (BeaconProvider *self)
{
  g_return_val_if_fail (BEACON_IS_PROVIDER (self), NULL);
  return self->clock;
}
