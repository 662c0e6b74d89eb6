/* beacon-contact.c: BeaconContact: presence records merged by version, field by field,
 * with a notification only for what changed; the status line follows the minute tick. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "beacon-contact.h"
#include "beacon-last-seen.h"

struct _BeaconContact
{
  GObject parent_instance;

  char        *id;
  char        *name;
  char        *role;
  BeaconStatus status;
  gboolean     chatting_with_me;
  gint64       last_seen_ms; /* -1 = unknown */
  GDateTime   *last_seen;    /* the same, made when first asked for, or NULL */
  gint64       last_active_ms;
  GDateTime   *last_active;
  char        *custom_message;
  guint        unread_count;
  gint64       version; /* -1 = none seen yet */

  BeaconBadge badge;
  char       *status_label;

  BeaconClock *clock;
  gulong       tick_handler; /* connected once the label first depends on the time */

  /* While a record is applied, notifications wait here (1 << property) to go out once
   * each at the end: cheaper than g_object_freeze_notify() on a path taken a million
   * times a second. */
  gboolean batching;
  guint    pending;
};

G_DEFINE_FINAL_TYPE (BeaconContact, beacon_contact, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (BeaconStatus,
                    beacon_status,
                    G_DEFINE_ENUM_VALUE (BEACON_STATUS_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (BEACON_STATUS_ONLINE, "online"),
                    G_DEFINE_ENUM_VALUE (BEACON_STATUS_AWAY, "away"),
                    G_DEFINE_ENUM_VALUE (BEACON_STATUS_BUSY, "busy"))

G_DEFINE_ENUM_TYPE (BeaconBadge,
                    beacon_badge,
                    G_DEFINE_ENUM_VALUE (BEACON_BADGE_GRAY, "gray"),
                    G_DEFINE_ENUM_VALUE (BEACON_BADGE_YELLOW, "yellow"),
                    G_DEFINE_ENUM_VALUE (BEACON_BADGE_GREEN, "green"))

G_STATIC_ASSERT ((int) BEACON_STATUS_OFFLINE == (int) BEACON_PRESENCE_OFFLINE);
G_STATIC_ASSERT ((int) BEACON_STATUS_ONLINE == (int) BEACON_PRESENCE_ONLINE);
G_STATIC_ASSERT ((int) BEACON_STATUS_AWAY == (int) BEACON_PRESENCE_AWAY);
G_STATIC_ASSERT ((int) BEACON_STATUS_BUSY == (int) BEACON_PRESENCE_BUSY);

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ROLE,
  PROP_STATUS,
  PROP_CHATTING_WITH_ME,
  PROP_LAST_SEEN,
  PROP_LAST_ACTIVE,
  PROP_CUSTOM_MESSAGE,
  PROP_UNREAD_COUNT,
  PROP_VERSION,
  PROP_BADGE,
  PROP_STATUS_LABEL,
  PROP_CLOCK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_derived (BeaconContact *self);

G_STATIC_ASSERT (N_PROPS <= 32);

static void
notify (BeaconContact *self, int prop)
{
  if (self->batching)
    self->pending |= 1u << prop;
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static gboolean
set_string (BeaconContact *self, char **field, const char *value, int prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  notify (self, prop);
  return TRUE;
}

static void
set_timestamp (BeaconContact *self, gint64 *ms_field, GDateTime **field, gint64 ms, int prop)
{
  if (ms < 0)
    ms = -1;
  if (*ms_field == ms)
    return;
  *ms_field = ms;
  g_clear_pointer (field, g_date_time_unref);
  notify (self, prop);
}

/* The GDateTime of a timestamp, made on first use. */
static GDateTime *
date_time (gint64 ms, GDateTime **field)
{
  if (*field == NULL)
    *field = beacon_presence_date_time_from_ms (ms);
  return *field;
}

static void
set_status (BeaconContact *self, BeaconStatus status)
{
  if (self->status == status)
    return;
  self->status = status;
  notify (self, PROP_STATUS);
}

static void
set_chatting_with_me (BeaconContact *self, gboolean chatting)
{
  chatting = !!chatting;
  if (self->chatting_with_me == chatting)
    return;
  self->chatting_with_me = chatting;
  notify (self, PROP_CHATTING_WITH_ME);
}

static void
set_version (BeaconContact *self, gint64 version)
{
  if (self->version == version)
    return;
  self->version = version;
  notify (self, PROP_VERSION);
}

static BeaconBadge
compute_badge (BeaconContact *self)
{
  switch (self->status)
    {
    case BEACON_STATUS_ONLINE:
      return self->chatting_with_me ? BEACON_BADGE_GREEN : BEACON_BADGE_YELLOW;
    case BEACON_STATUS_AWAY:
    case BEACON_STATUS_BUSY: return BEACON_BADGE_YELLOW;
    case BEACON_STATUS_OFFLINE:
    default: return BEACON_BADGE_GRAY;
    }
}

static char *
compute_status_label (BeaconContact *self)
{
  gboolean has_message = self->custom_message != NULL && self->custom_message[0] != '\0';

  switch (self->status)
    {
    case BEACON_STATUS_ONLINE:
      if (self->chatting_with_me)
        /* Translators: the status line of a contact who has a chat with you open. */
        return g_strdup (_ ("Online"));
      /* Translators: the status line of a contact who is online, not chatting with you. */
      return g_strdup (_ ("Active"));

    case BEACON_STATUS_AWAY:
      if (has_message)
        /* Translators: the status line of a contact who is away; %s is their own message,
         * as in "Away: At lunch". */
        return g_strdup_printf (_ ("Away: %s"), self->custom_message);
      return g_strdup (_ ("Away"));

    case BEACON_STATUS_BUSY:
      if (has_message)
        /* Translators: the status line of a contact who is busy; %s is their own message,
         * as in "Busy: In a meeting". */
        return g_strdup_printf (_ ("Busy: %s"), self->custom_message);
      return g_strdup (_ ("Busy"));

    case BEACON_STATUS_OFFLINE:
    default:
      {
        g_autoptr (GDateTime) now = beacon_clock_get_now (self->clock);

        return beacon_last_seen_label (date_time (self->last_seen_ms, &self->last_seen), now);
      }
    }
}

static void
update_status_label (BeaconContact *self)
{
  g_autofree char *label = compute_status_label (self);

  if (g_strcmp0 (label, self->status_label) == 0)
    return;
  g_free (self->status_label);
  self->status_label = g_steal_pointer (&label);
  notify (self, PROP_STATUS_LABEL);
}

/* Only a "Last seen ..." line changes with the time. */
static gboolean
label_follows_time (BeaconContact *self)
{
  return self->status == BEACON_STATUS_OFFLINE && self->last_seen_ms >= 0;
}

static void
on_tick (BeaconClock *clock, gpointer user_data)
{
  BeaconContact *self = BEACON_CONTACT (user_data);

  if (label_follows_time (self))
    update_status_label (self);
}

static void
update_derived (BeaconContact *self)
{
  BeaconBadge badge = compute_badge (self);

  if (badge != self->badge)
    {
      self->badge = badge;
      notify (self, PROP_BADGE);
    }
  update_status_label (self);

  /* Connected the first time the label follows the time, then kept: a contact going
   * on- and offline all day costs one check per tick, not a connection per change. */
  if (self->tick_handler == 0 && label_follows_time (self))
    self->tick_handler = g_signal_connect (self->clock, "tick", G_CALLBACK (on_tick), self);
}

static void
beacon_contact_constructed (GObject *object)
{
  BeaconContact *self = BEACON_CONTACT (object);

  G_OBJECT_CLASS (beacon_contact_parent_class)->constructed (object);

  g_return_if_fail (self->id != NULL);
  if (self->clock == NULL)
    self->clock = g_object_ref (beacon_clock_get_default ());
  self->status_label = compute_status_label (self);
  self->badge = compute_badge (self);
}

static void
beacon_contact_dispose (GObject *object)
{
  BeaconContact *self = BEACON_CONTACT (object);

  if (self->clock != NULL)
    g_clear_signal_handler (&self->tick_handler, self->clock);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (beacon_contact_parent_class)->dispose (object);
}

static void
beacon_contact_finalize (GObject *object)
{
  BeaconContact *self = BEACON_CONTACT (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->role);
  g_clear_pointer (&self->last_seen, g_date_time_unref);
  g_clear_pointer (&self->last_active, g_date_time_unref);
  g_free (self->custom_message);
  g_free (self->status_label);

  G_OBJECT_CLASS (beacon_contact_parent_class)->finalize (object);
}

static void
beacon_contact_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconContact *self = BEACON_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_ROLE: g_value_set_string (value, self->role); break;
    case PROP_STATUS: g_value_set_enum (value, self->status); break;
    case PROP_CHATTING_WITH_ME: g_value_set_boolean (value, self->chatting_with_me); break;
    case PROP_LAST_SEEN: g_value_set_boxed (value, beacon_contact_get_last_seen (self)); break;
    case PROP_LAST_ACTIVE: g_value_set_boxed (value, beacon_contact_get_last_active (self)); break;
    case PROP_CUSTOM_MESSAGE: g_value_set_string (value, self->custom_message); break;
    case PROP_UNREAD_COUNT: g_value_set_uint (value, self->unread_count); break;
    case PROP_VERSION: g_value_set_int64 (value, self->version); break;
    case PROP_BADGE: g_value_set_enum (value, self->badge); break;
    case PROP_STATUS_LABEL: g_value_set_string (value, self->status_label); break;
    case PROP_CLOCK: g_value_set_object (value, self->clock); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_contact_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BeaconContact *self = BEACON_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_NAME: beacon_contact_set_name (self, g_value_get_string (value)); break;
    case PROP_ROLE: beacon_contact_set_role (self, g_value_get_string (value)); break;
    case PROP_UNREAD_COUNT: beacon_contact_set_unread_count (self, g_value_get_uint (value)); break;
    case PROP_CLOCK: self->clock = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_contact_class_init (BeaconContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags   rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = beacon_contact_constructed;
  object_class->dispose = beacon_contact_dispose;
  object_class->finalize = beacon_contact_finalize;
  object_class->get_property = beacon_contact_get_property;
  object_class->set_property = beacon_contact_set_property;

  properties[PROP_ID] = g_param_spec_string (
      "id", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, rw);
  properties[PROP_STATUS] =
      g_param_spec_enum ("status", NULL, NULL, BEACON_TYPE_STATUS, BEACON_STATUS_OFFLINE, ro);
  properties[PROP_CHATTING_WITH_ME] =
      g_param_spec_boolean ("chatting-with-me", NULL, NULL, FALSE, ro);
  properties[PROP_LAST_SEEN] = g_param_spec_boxed ("last-seen", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_LAST_ACTIVE] =
      g_param_spec_boxed ("last-active", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_CUSTOM_MESSAGE] = g_param_spec_string ("custom-message", NULL, NULL, NULL, ro);
  properties[PROP_UNREAD_COUNT] =
      g_param_spec_uint ("unread-count", NULL, NULL, 0, G_MAXUINT, 0, rw);
  properties[PROP_VERSION] = g_param_spec_int64 ("version", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_BADGE] =
      g_param_spec_enum ("badge", NULL, NULL, BEACON_TYPE_BADGE, BEACON_BADGE_GRAY, ro);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, NULL, ro);
  properties[PROP_CLOCK] =
      g_param_spec_object ("clock", NULL, NULL, BEACON_TYPE_CLOCK,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_contact_init (BeaconContact *self)
{
  self->status = BEACON_STATUS_OFFLINE;
  self->last_seen_ms = -1;
  self->last_active_ms = -1;
  self->version = -1;
  self->badge = BEACON_BADGE_GRAY;
}

/**
 * beacon_contact_new:
 * @id: the user's id
 * @clock: (nullable): the clock whose tick relabels "last seen"; %NULL for
 *   beacon_clock_get_default()
 *
 * Returns: (transfer full): an offline contact with nothing else known
 */
BeaconContact *
beacon_contact_new (const char *id, BeaconClock *clock)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (clock == NULL || BEACON_IS_CLOCK (clock), NULL);

  return g_object_new (BEACON_TYPE_CONTACT, "id", id, "clock", clock, NULL);
}

/**
 * beacon_contact_apply:
 * @self: a contact
 * @record: a presence record for the same user, in any variant
 *
 * Merges @record into @self by the rule of beacon_presence_record_is_newer(): a record
 * whose version is not greater than the contact's is ignored (one without a version is
 * always taken). Only the fields @record carries (its @fields) change, with two
 * exceptions: a record that makes the contact offline without saying whether they chat
 * with the viewer also ends that (an offline user chats with nobody), and a null role
 * does not erase a known one. The version is kept when @record has none.
 *
 * Only the properties whose values change are notified, once each, after all of them
 * have changed (the badge and status line included).
 *
 * Returns: %TRUE if @record was taken, %FALSE if it was older than what @self holds
 */
gboolean
beacon_contact_apply (BeaconContact *self, const BeaconPresenceRecord *record)
{
  BeaconPresenceRecord current = { 0 };
  GObject             *object = G_OBJECT (self);
  guint                pending;

  g_return_val_if_fail (BEACON_IS_CONTACT (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (g_strcmp0 (record->user_id, self->id) == 0, FALSE);

  current.user_id = self->id;
  current.version = self->version;
  if (!beacon_presence_record_is_newer (record, &current))
    return FALSE;

  self->batching = TRUE;
  self->pending = 0;

  if (record->fields & BEACON_PRESENCE_HAS_STATUS)
    set_status (self, (BeaconStatus) record->status);
  if (record->fields & BEACON_PRESENCE_HAS_LAST_SEEN)
    set_timestamp (self, &self->last_seen_ms, &self->last_seen, record->last_seen_ms,
                   PROP_LAST_SEEN);
  if (record->fields & BEACON_PRESENCE_HAS_LAST_ACTIVE)
    set_timestamp (self, &self->last_active_ms, &self->last_active, record->last_active_ms,
                   PROP_LAST_ACTIVE);
  if (record->fields & BEACON_PRESENCE_HAS_CHATTING)
    set_chatting_with_me (self, record->chatting_with_me);
  else if (self->status == BEACON_STATUS_OFFLINE)
    set_chatting_with_me (self, FALSE);
  if (record->fields & BEACON_PRESENCE_HAS_CUSTOM_MESSAGE)
    set_string (self, &self->custom_message, record->custom_message, PROP_CUSTOM_MESSAGE);
  if ((record->fields & BEACON_PRESENCE_HAS_ROLE) && record->role != NULL)
    set_string (self, &self->role, record->role, PROP_ROLE);
  if (record->version >= 0)
    set_version (self, record->version);

  /* The badge and the status line follow from these only. */
  if (self->pending & (1u << PROP_STATUS | 1u << PROP_CHATTING_WITH_ME | 1u << PROP_CUSTOM_MESSAGE |
                       1u << PROP_LAST_SEEN))
    update_derived (self);

  /* A handler may apply another record: go through a copy. */
  self->batching = FALSE;
  pending = self->pending;
  for (int prop = PROP_0 + 1; prop < N_PROPS; prop++)
    if (pending & (1u << prop))
      g_object_notify_by_pspec (object, properties[prop]);
  return TRUE;
}

const char *
beacon_contact_get_id (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return self->id;
}

/**
 * beacon_contact_get_name:
 * @self: a contact
 *
 * Returns: (nullable): the display name from the contact list, or %NULL before it is
 *   known
 */
const char *
beacon_contact_get_name (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return self->name;
}

void
beacon_contact_set_name (BeaconContact *self, const char *name)
{
  g_return_if_fail (BEACON_IS_CONTACT (self));
  set_string (self, &self->name, name, PROP_NAME);
}

/**
 * beacon_contact_get_role:
 * @self: a contact
 *
 * Returns: (nullable): `CLIENT`, `FREELANCER`, `ADMIN`, or %NULL when unknown
 */
const char *
beacon_contact_get_role (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return self->role;
}

void
beacon_contact_set_role (BeaconContact *self, const char *role)
{
  g_return_if_fail (BEACON_IS_CONTACT (self));
  set_string (self, &self->role, role, PROP_ROLE);
}

BeaconStatus
beacon_contact_get_status (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), BEACON_STATUS_OFFLINE);
  return self->status;
}

gboolean
beacon_contact_get_chatting_with_me (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), FALSE);
  return self->chatting_with_me;
}

/**
 * beacon_contact_get_last_seen:
 * @self: a contact
 *
 * Returns: (transfer none) (nullable): when the contact was last online (UTC), or %NULL
 *   when unknown or hidden
 */
GDateTime *
beacon_contact_get_last_seen (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return date_time (self->last_seen_ms, &self->last_seen);
}

/**
 * beacon_contact_get_last_active:
 * @self: a contact
 *
 * Returns: (transfer none) (nullable): when the contact was last active (UTC), or %NULL
 */
GDateTime *
beacon_contact_get_last_active (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return date_time (self->last_active_ms, &self->last_active);
}

/**
 * beacon_contact_get_custom_message:
 * @self: a contact
 *
 * Returns: (nullable): the message the contact chose with their status
 */
const char *
beacon_contact_get_custom_message (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return self->custom_message;
}

guint
beacon_contact_get_unread_count (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), 0);
  return self->unread_count;
}

void
beacon_contact_set_unread_count (BeaconContact *self, guint unread_count)
{
  g_return_if_fail (BEACON_IS_CONTACT (self));

  if (self->unread_count == unread_count)
    return;
  self->unread_count = unread_count;
  notify (self, PROP_UNREAD_COUNT);
}

/**
 * beacon_contact_get_version:
 * @self: a contact
 *
 * Returns: the version of the newest record taken, or -1 when none had one
 */
gint64
beacon_contact_get_version (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), -1);
  return self->version;
}

BeaconBadge
beacon_contact_get_badge (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), BEACON_BADGE_GRAY);
  return self->badge;
}

/**
 * beacon_contact_get_status_label:
 * @self: a contact
 *
 * Returns: the status line: "Online" (chatting with you), "Active", "Away" or "Away: "
 *   and the custom message, the same for "Busy", "Last seen 5 minutes ago" or
 *   "Offline"; it changes with the clock's tick
 */
const char *
beacon_contact_get_status_label (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return self->status_label;
}

/**
 * beacon_contact_get_clock:
 * @self: a contact
 *
 * Returns: (transfer none): the clock its status line follows
 */
BeaconClock *
beacon_contact_get_clock (BeaconContact *self)
{
  g_return_val_if_fail (BEACON_IS_CONTACT (self), NULL);
  return self->clock;
}
