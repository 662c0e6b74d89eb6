/* beacon-presence-store.c: BeaconPresenceStore: contacts appended and never replaced, an
 * id -> position table, version-merged deltas, snapshots, and the hydration race. */

#include "config.h"

#include "beacon-presence-store.h"

/* What the deltas received during a hydration carried, per user: a mask of
 * BeaconPresenceFields with this bit set so that no entry is zero. */
#define TOUCHED (1u << 31)

typedef enum
{
  APPLY_DELTA,     /* a live change: may announce a contact coming online */
  APPLY_SNAPSHOT,  /* part of a (re)connect burst: never announces */
  APPLY_HYDRATION, /* the REST answer: never announces, never marks as touched */
} ApplyMode;

struct _BeaconPresenceStore
{
  GObject parent_instance;

  BeaconClock *clock;
  GPtrArray   *contacts;  /* BeaconContact, in order of arrival */
  GHashTable  *positions; /* id (the contact's own string) -> GUINT_TO_POINTER (position) */
  guint        n_announced;
  guint        online_count;
  guint        online_count_notified;

  gboolean    hydrating;
  GHashTable *touched; /* id (the contact's own string) -> GUINT_TO_POINTER (TOUCHED|fields) */
};

static void beacon_presence_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BeaconPresenceStore,
                               beacon_presence_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      beacon_presence_store_list_model_init))

enum
{
  PROP_0,
  PROP_CLOCK,
  PROP_N_ITEMS,
  PROP_ONLINE_COUNT,
  PROP_HYDRATING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CONTACT_ONLINE,
  SNAPSHOT_APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* BeaconContactInfo */

/**
 * beacon_contact_info_new:
 * @id: the user's id
 * @name: (nullable): the display name
 * @role: (nullable): the role
 *
 * Returns: (transfer full): an entry for beacon_presence_store_set_names()
 */
BeaconContactInfo *
beacon_contact_info_new (const char *id, const char *name, const char *role)
{
  BeaconContactInfo *info;

  g_return_val_if_fail (id != NULL, NULL);

  info = g_new0 (BeaconContactInfo, 1);
  info->id = g_strdup (id);
  info->name = g_strdup (name);
  info->role = g_strdup (role);
  return info;
}

void
beacon_contact_info_free (BeaconContactInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->name);
  g_free (info->role);
  g_free (info);
}

/* GListModel */

static GType
beacon_presence_store_get_item_type (GListModel *model)
{
  return BEACON_TYPE_CONTACT;
}

static guint
beacon_presence_store_get_n_items (GListModel *model)
{
  return BEACON_PRESENCE_STORE (model)->n_announced;
}

static gpointer
beacon_presence_store_get_item (GListModel *model, guint position)
{
  BeaconPresenceStore *self = BEACON_PRESENCE_STORE (model);

  /* Contacts created in the middle of a batch exist only once announced. */
  if (position >= self->n_announced)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->contacts, position));
}

static void
beacon_presence_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = beacon_presence_store_get_item_type;
  iface->get_n_items = beacon_presence_store_get_n_items;
  iface->get_item = beacon_presence_store_get_item;
}

/* Internals */

/* Announces the contacts appended since the last call in one items-changed, then the
 * counters that changed. */
static void
flush (BeaconPresenceStore *self)
{
  if (self->contacts->len > self->n_announced)
    {
      guint position = self->n_announced;
      guint added = self->contacts->len - position;

      self->n_announced = self->contacts->len;
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, added);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  if (self->online_count != self->online_count_notified)
    {
      self->online_count_notified = self->online_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE_COUNT]);
    }
}

static BeaconContact *
ensure_contact (BeaconPresenceStore *self, const char *id)
{
  BeaconContact *contact;
  gpointer       position;

  if (g_hash_table_lookup_extended (self->positions, id, NULL, &position))
    return g_ptr_array_index (self->contacts, GPOINTER_TO_UINT (position));

  contact = beacon_contact_new (id, self->clock);
  g_hash_table_insert (self->positions, (gpointer) beacon_contact_get_id (contact),
                       GUINT_TO_POINTER (self->contacts->len));
  g_ptr_array_add (self->contacts, contact);
  return contact;
}

static void
mark_touched (BeaconPresenceStore *self, BeaconContact *contact, BeaconPresenceFields fields)
{
  const char *id = beacon_contact_get_id (contact);
  guint       old = GPOINTER_TO_UINT (g_hash_table_lookup (self->touched, id));

  g_hash_table_insert (self->touched, (gpointer) id, GUINT_TO_POINTER (old | TOUCHED | fields));
}

/* A listed contact whose badge or name changed is announced as replaced in place, so
 * that sorted and filtered views (which do not watch properties) move just that row. */
static void
announce_moved (BeaconPresenceStore *self, BeaconContact *contact)
{
  gpointer position;

  if (g_hash_table_lookup_extended (self->positions, beacon_contact_get_id (contact), NULL,
                                    &position) &&
      GPOINTER_TO_UINT (position) < self->n_announced)
    g_list_model_items_changed (G_LIST_MODEL (self), GPOINTER_TO_UINT (position), 1, 1);
}

static BeaconContact *
apply_one (BeaconPresenceStore *self, const BeaconPresenceRecord *record, ApplyMode mode)
{
  BeaconContact *contact = ensure_contact (self, record->user_id);
  gpointer       position = NULL;
  gboolean       was_online = beacon_contact_get_status (contact) != BEACON_STATUS_OFFLINE;
  BeaconBadge    old_badge = beacon_contact_get_badge (contact);
  gboolean       is_online;

  if (!beacon_contact_apply (contact, record))
    return contact; /* older than what we hold */

  if (self->hydrating && mode != APPLY_HYDRATION)
    mark_touched (self, contact, record->fields);

  if (beacon_contact_get_badge (contact) != old_badge)
    announce_moved (self, contact);

  is_online = beacon_contact_get_status (contact) != BEACON_STATUS_OFFLINE;
  if (is_online == was_online)
    return contact;
  if (is_online)
    self->online_count++;
  else
    self->online_count--;

  /* A live change of someone already listed: not a (re)connect burst, not a hydration
   * (whose earlier state was stale), not a contact first heard of just now. */
  g_hash_table_lookup_extended (self->positions, record->user_id, NULL, &position);
  if (is_online && mode == APPLY_DELTA && !self->hydrating &&
      GPOINTER_TO_UINT (position) < self->n_announced)
    g_signal_emit (self, signals[CONTACT_ONLINE], 0, contact);

  return contact;
}

static void
apply_status (BeaconPresenceStore *self, const char *id, BeaconStatus status, ApplyMode mode)
{
  g_autoptr (BeaconPresenceRecord) record = beacon_presence_record_new (id);

  record->status = (BeaconPresenceStatus) status;
  record->fields = BEACON_PRESENCE_HAS_STATUS;
  apply_one (self, record, mode);
}

/* GObject */

static void
beacon_presence_store_dispose (GObject *object)
{
  BeaconPresenceStore *self = BEACON_PRESENCE_STORE (object);

  g_clear_pointer (&self->touched, g_hash_table_unref);
  g_clear_pointer (&self->positions, g_hash_table_unref);
  g_clear_pointer (&self->contacts, g_ptr_array_unref);
  self->n_announced = 0;
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (beacon_presence_store_parent_class)->dispose (object);
}

static void
beacon_presence_store_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  BeaconPresenceStore *self = BEACON_PRESENCE_STORE (object);

  switch (prop_id)
    {
    case PROP_CLOCK: g_value_set_object (value, self->clock); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->n_announced); break;
    case PROP_ONLINE_COUNT: g_value_set_uint (value, self->online_count_notified); break;
    case PROP_HYDRATING: g_value_set_boolean (value, self->hydrating); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_presence_store_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  BeaconPresenceStore *self = BEACON_PRESENCE_STORE (object);

  switch (prop_id)
    {
    case PROP_CLOCK: self->clock = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_presence_store_class_init (BeaconPresenceStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = beacon_presence_store_dispose;
  object_class->get_property = beacon_presence_store_get_property;
  object_class->set_property = beacon_presence_store_set_property;

  properties[PROP_CLOCK] =
      g_param_spec_object ("clock", NULL, NULL, BEACON_TYPE_CLOCK,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ONLINE_COUNT] =
      g_param_spec_uint ("online-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_HYDRATING] = g_param_spec_boolean ("hydrating", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BeaconPresenceStore::contact-online:
   * @self: the store
   * @contact: the contact
   *
   * A listed contact went from offline to online, away or busy by a live delta: not
   * in a snapshot, not while a hydration is in flight, not a contact first heard of.
   */
  signals[CONTACT_ONLINE] =
      g_signal_new ("contact-online", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, BEACON_TYPE_CONTACT);

  /**
   * BeaconPresenceStore::snapshot-applied:
   * @self: the store
   *
   * A snapshot or a hydration has been applied: the store holds a whole picture again.
   */
  signals[SNAPSHOT_APPLIED] = g_signal_new ("snapshot-applied", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
beacon_presence_store_init (BeaconPresenceStore *self)
{
  self->contacts = g_ptr_array_new_with_free_func (g_object_unref);
  self->positions = g_hash_table_new (g_str_hash, g_str_equal);
  self->touched = g_hash_table_new (g_str_hash, g_str_equal);
}

/* API */

/**
 * beacon_presence_store_new:
 * @clock: (nullable): the clock the contacts' status lines follow; %NULL for
 *   beacon_clock_get_default()
 *
 * Returns: (transfer full): an empty store
 */
BeaconPresenceStore *
beacon_presence_store_new (BeaconClock *clock)
{
  g_return_val_if_fail (clock == NULL || BEACON_IS_CLOCK (clock), NULL);

  return g_object_new (BEACON_TYPE_PRESENCE_STORE, "clock", clock, NULL);
}

/**
 * beacon_presence_store_lookup:
 * @self: a store
 * @id: a user id
 *
 * Returns: (transfer none) (nullable): the contact, in constant time
 */
BeaconContact *
beacon_presence_store_lookup (BeaconPresenceStore *self, const char *id)
{
  guint position;

  g_return_val_if_fail (BEACON_IS_PRESENCE_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!beacon_presence_store_find (self, id, &position))
    return NULL;
  return g_ptr_array_index (self->contacts, position);
}

/**
 * beacon_presence_store_find:
 * @self: a store
 * @id: a user id
 * @out_position: (out) (optional): where the contact's position goes
 *
 * Returns: %TRUE if the store lists the user
 */
gboolean
beacon_presence_store_find (BeaconPresenceStore *self, const char *id, guint *out_position)
{
  gpointer position;

  g_return_val_if_fail (BEACON_IS_PRESENCE_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!g_hash_table_lookup_extended (self->positions, id, NULL, &position) ||
      GPOINTER_TO_UINT (position) >= self->n_announced)
    return FALSE;
  if (out_position)
    *out_position = GPOINTER_TO_UINT (position);
  return TRUE;
}

/**
 * beacon_presence_store_get_online_count:
 * @self: a store
 *
 * Returns: how many contacts are online, away or busy
 */
guint
beacon_presence_store_get_online_count (BeaconPresenceStore *self)
{
  g_return_val_if_fail (BEACON_IS_PRESENCE_STORE (self), 0);
  return self->online_count_notified;
}

gboolean
beacon_presence_store_is_hydrating (BeaconPresenceStore *self)
{
  g_return_val_if_fail (BEACON_IS_PRESENCE_STORE (self), FALSE);
  return self->hydrating;
}

/**
 * beacon_presence_store_apply_record:
 * @self: a store
 * @record: one live presence change (`presence_updated`, `friend_status_changed`, ...)
 *
 * Merges @record into its user's contact (see beacon_contact_apply()), creating and
 * appending the contact first if the user is new. May emit
 * #BeaconPresenceStore::contact-online.
 *
 * Returns: (transfer none): the user's contact
 */
BeaconContact *
beacon_presence_store_apply_record (BeaconPresenceStore *self, const BeaconPresenceRecord *record)
{
  BeaconContact *contact;

  g_return_val_if_fail (BEACON_IS_PRESENCE_STORE (self), NULL);
  g_return_val_if_fail (record != NULL, NULL);

  contact = apply_one (self, record, APPLY_DELTA);
  flush (self);
  return contact;
}

/**
 * beacon_presence_store_apply_records:
 * @self: a store
 * @records: (element-type BeaconPresenceRecord): live changes in order of arrival (the
 *   entries of `presence_info`, say)
 *
 * Applies each as beacon_presence_store_apply_record() does; the users it adds are
 * announced in one items-changed at the end.
 */
void
beacon_presence_store_apply_records (BeaconPresenceStore *self, GPtrArray *records)
{
  g_return_if_fail (BEACON_IS_PRESENCE_STORE (self));
  g_return_if_fail (records != NULL);

  for (guint i = 0; i < records->len; i++)
    apply_one (self, g_ptr_array_index (records, i), APPLY_DELTA);
  flush (self);
}

/**
 * beacon_presence_store_apply_snapshot:
 * @self: a store
 * @records: (element-type BeaconPresenceRecord): the online users, from
 *   beacon_presence_parse_snapshot()
 * @full: %TRUE when the snapshot replaces the whole online set (`presence:update`, and
 *   `presence:connected` after a connect): every listed contact missing from it is then
 *   made offline
 *
 * A burst: it never emits #BeaconPresenceStore::contact-online. Emits
 * #BeaconPresenceStore::snapshot-applied at the end.
 */
void
beacon_presence_store_apply_snapshot (BeaconPresenceStore *self, GPtrArray *records, gboolean full)
{
  g_autoptr (GHashTable) listed = NULL;

  g_return_if_fail (BEACON_IS_PRESENCE_STORE (self));
  g_return_if_fail (records != NULL);

  listed = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < records->len; i++)
    {
      const BeaconPresenceRecord *record = g_ptr_array_index (records, i);

      apply_one (self, record, APPLY_SNAPSHOT);
      g_hash_table_add (listed, record->user_id);
    }

  if (full)
    for (guint i = 0; i < self->contacts->len; i++)
      {
        BeaconContact *contact = g_ptr_array_index (self->contacts, i);
        const char    *id = beacon_contact_get_id (contact);

        if (beacon_contact_get_status (contact) != BEACON_STATUS_OFFLINE &&
            !g_hash_table_contains (listed, id))
          apply_status (self, id, BEACON_STATUS_OFFLINE, APPLY_SNAPSHOT);
      }

  flush (self);
  g_signal_emit (self, signals[SNAPSHOT_APPLIED], 0);
}

/**
 * beacon_presence_store_begin_hydration:
 * @self: a store
 *
 * Call when the REST request for everyone's presence goes out. Changes keep being
 * applied while it is in flight (the list stays live), and the store remembers which
 * fields of which users they set, so that beacon_presence_store_finish_hydration()
 * does not overwrite them with the older answer.
 */
void
beacon_presence_store_begin_hydration (BeaconPresenceStore *self)
{
  g_return_if_fail (BEACON_IS_PRESENCE_STORE (self));

  g_hash_table_remove_all (self->touched);
  if (!self->hydrating)
    {
      self->hydrating = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HYDRATING]);
    }
}

static void
end_hydration (BeaconPresenceStore *self)
{
  g_hash_table_remove_all (self->touched);
  if (self->hydrating)
    {
      self->hydrating = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HYDRATING]);
    }
}

/**
 * beacon_presence_store_finish_hydration:
 * @self: a store
 * @records: (nullable) (element-type BeaconPresenceRecord): the `presence` records of
 *   the answer
 * @online: (nullable) (element-type utf8 gboolean): its `statuses`, as
 *   beacon_presence_parse_hydration() gives them
 *
 * Applies the REST answer. For a user no change touched since
 * beacon_presence_store_begin_hydration(), a record is merged as usual and, when the
 * user has no record, `statuses` says online (an away or busy contact stays so) or
 * offline. For a user a change did touch:
 * - when both the record and the contact have versions, the greater version wins as
 *   always;
 * - otherwise the order is unknown, and the live change wins: the record gives only the
 *   fields the changes did not set (none of status, chatting, custom message and last
 *   active once the status was set), and `statuses` is ignored.
 *
 * Ends the hydration; a burst, so no #BeaconPresenceStore::contact-online; emits
 * #BeaconPresenceStore::snapshot-applied at the end.
 */
void
beacon_presence_store_finish_hydration (BeaconPresenceStore *self,
                                        GPtrArray           *records,
                                        GHashTable          *online)
{
  g_autoptr (GHashTable) with_record = NULL;

  g_return_if_fail (BEACON_IS_PRESENCE_STORE (self));

  with_record = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const BeaconPresenceRecord *record = g_ptr_array_index (records, i);
      guint touched = GPOINTER_TO_UINT (g_hash_table_lookup (self->touched, record->user_id));
      BeaconContact *contact;

      g_hash_table_add (with_record, record->user_id);
      if (touched == 0)
        {
          apply_one (self, record, APPLY_HYDRATION);
          continue;
        }

      contact = ensure_contact (self, record->user_id);
      if (record->version >= 0 && beacon_contact_get_version (contact) >= 0)
        apply_one (self, record, APPLY_HYDRATION);
      else
        {
          g_autoptr (BeaconPresenceRecord) rest = beacon_presence_record_copy (record);
          guint                            mask = touched;

          if (touched & BEACON_PRESENCE_HAS_STATUS)
            mask |= BEACON_PRESENCE_HAS_STATUS | BEACON_PRESENCE_HAS_CHATTING |
                    BEACON_PRESENCE_HAS_CUSTOM_MESSAGE | BEACON_PRESENCE_HAS_LAST_ACTIVE;
          rest->fields &= ~mask;
          if ((rest->fields & ~BEACON_PRESENCE_HAS_VERSION) != 0)
            apply_one (self, rest, APPLY_HYDRATION);
        }
    }

  if (online != NULL)
    {
      GHashTableIter iter;
      gpointer       key, value;

      g_hash_table_iter_init (&iter, online);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          const char    *id = key;
          BeaconContact *contact;

          if (g_hash_table_contains (with_record, id) || g_hash_table_contains (self->touched, id))
            continue;
          contact = ensure_contact (self, id);
          if (!GPOINTER_TO_INT (value))
            apply_status (self, id, BEACON_STATUS_OFFLINE, APPLY_HYDRATION);
          else if (beacon_contact_get_status (contact) == BEACON_STATUS_OFFLINE)
            apply_status (self, id, BEACON_STATUS_ONLINE, APPLY_HYDRATION);
        }
    }

  end_hydration (self);
  flush (self);
  g_signal_emit (self, signals[SNAPSHOT_APPLIED], 0);
}

/**
 * beacon_presence_store_abort_hydration:
 * @self: a store
 *
 * The REST request failed: the changes applied meanwhile stay, and later ones are
 * live changes again.
 */
void
beacon_presence_store_abort_hydration (BeaconPresenceStore *self)
{
  g_return_if_fail (BEACON_IS_PRESENCE_STORE (self));

  end_hydration (self);
}

/**
 * beacon_presence_store_set_names:
 * @self: a store
 * @infos: (element-type BeaconContactInfo): the contact list
 *
 * Names the contacts (and gives their roles when known), creating those the store
 * does not list yet.
 */
void
beacon_presence_store_set_names (BeaconPresenceStore *self, GPtrArray *infos)
{
  g_return_if_fail (BEACON_IS_PRESENCE_STORE (self));
  g_return_if_fail (infos != NULL);

  for (guint i = 0; i < infos->len; i++)
    {
      const BeaconContactInfo *info = g_ptr_array_index (infos, i);
      BeaconContact           *contact = ensure_contact (self, info->id);

      if (g_strcmp0 (beacon_contact_get_name (contact), info->name) != 0)
        {
          beacon_contact_set_name (contact, info->name);
          announce_moved (self, contact);
        }
      if (info->role != NULL)
        beacon_contact_set_role (contact, info->role);
    }
  flush (self);
}

/**
 * beacon_presence_store_clear:
 * @self: a store
 *
 * Forgets every contact (on sign-out), in one items-changed.
 */
void
beacon_presence_store_clear (BeaconPresenceStore *self)
{
  guint removed;

  g_return_if_fail (BEACON_IS_PRESENCE_STORE (self));

  end_hydration (self);
  removed = self->n_announced;
  g_hash_table_remove_all (self->positions);
  g_ptr_array_set_size (self->contacts, 0);
  self->n_announced = 0;
  self->online_count = 0;
  if (removed > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  flush (self);
}
