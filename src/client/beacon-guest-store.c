/* beacon-guest-store.c: BeaconGuestStore: providers in the server's order, an id ->
 * position table, and the /presence online list, which wins over the REST flags. */

#include "config.h"

#include "beacon-guest-store.h"
#include "beacon-presence-record.h"

struct _BeaconGuestStore
{
  GObject parent_instance;

  BeaconClock *clock;
  GPtrArray   *providers;  /* BeaconProvider, in the order of the REST answers */
  GHashTable  *positions;  /* id (the provider's own string) -> GUINT_TO_POINTER (position) */
  GHashTable  *online_ids; /* the last /presence list (a set of ids), or NULL: none yet */
  guint        online_count;
};

static void beacon_guest_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BeaconGuestStore,
                               beacon_guest_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      beacon_guest_store_list_model_init))

enum
{
  PROP_0,
  PROP_CLOCK,
  PROP_N_ITEMS,
  PROP_ONLINE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* GListModel */

static GType
beacon_guest_store_get_item_type (GListModel *model)
{
  return BEACON_TYPE_PROVIDER;
}

static guint
beacon_guest_store_get_n_items (GListModel *model)
{
  return BEACON_GUEST_STORE (model)->providers->len;
}

static gpointer
beacon_guest_store_get_item (GListModel *model, guint position)
{
  BeaconGuestStore *self = BEACON_GUEST_STORE (model);

  if (position >= self->providers->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->providers, position));
}

static void
beacon_guest_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = beacon_guest_store_get_item_type;
  iface->get_n_items = beacon_guest_store_get_n_items;
  iface->get_item = beacon_guest_store_get_item;
}

/* Internals */

/* An id as beacon_presence_parse_id() reads it (numbers as their decimal string), or
 * NULL. */
static char *
dup_id (JsonNode *node)
{
  return node != NULL ? beacon_presence_parse_id ("id", node, NULL) : NULL;
}

/* A timestamp as beacon_presence_parse_timestamp() reads it (ISO-8601 or epoch
 * milliseconds); NULL for null, for nothing or for anything else. */
static GDateTime *
date_time_from_node (const char *field, JsonNode *node)
{
  gint64 ms;

  if (node == NULL || !beacon_presence_parse_timestamp (field, node, &ms, NULL))
    return NULL;
  return beacon_presence_date_time_from_ms (ms);
}

static const char *
string_member (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static void
set_online_count (BeaconGuestStore *self, guint online_count)
{
  if (self->online_count == online_count)
    return;
  self->online_count = online_count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ONLINE_COUNT]);
}

static guint
count_online (GPtrArray *providers)
{
  guint n = 0;

  for (guint i = 0; i < providers->len; i++)
    n += beacon_provider_get_online (g_ptr_array_index (providers, i));
  return n;
}

static void
index_positions (BeaconGuestStore *self)
{
  g_hash_table_remove_all (self->positions);
  for (guint i = 0; i < self->providers->len; i++)
    g_hash_table_insert (self->positions,
                         (gpointer) beacon_provider_get_id (g_ptr_array_index (self->providers, i)),
                         GUINT_TO_POINTER (i));
}

/* Updates @provider from one entry of GET /api/providers. */
static void
update_provider (BeaconGuestStore *self, BeaconProvider *provider, JsonObject *entry)
{
  g_autoptr (GDateTime) last_seen =
      date_time_from_node ("last_seen", json_object_get_member (entry, "last_seen"));
  gboolean online;

  if (self->online_ids != NULL)
    online = g_hash_table_contains (self->online_ids, beacon_provider_get_id (provider));
  else
    online = json_object_get_boolean_member_with_default (entry, "is_online", FALSE);

  g_object_freeze_notify (G_OBJECT (provider));
  beacon_provider_set_name (provider, string_member (entry, "name"));
  beacon_provider_set_headline (provider, string_member (entry, "headline"));
  beacon_provider_set_last_seen (provider, last_seen);
  beacon_provider_set_online (provider, online);
  g_object_thaw_notify (G_OBJECT (provider));
}

/* GObject */

static void
beacon_guest_store_dispose (GObject *object)
{
  BeaconGuestStore *self = BEACON_GUEST_STORE (object);

  g_clear_pointer (&self->positions, g_hash_table_unref);
  g_clear_pointer (&self->online_ids, g_hash_table_unref);
  if (self->providers != NULL)
    g_ptr_array_set_size (self->providers, 0);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (beacon_guest_store_parent_class)->dispose (object);
}

static void
beacon_guest_store_finalize (GObject *object)
{
  BeaconGuestStore *self = BEACON_GUEST_STORE (object);

  g_clear_pointer (&self->providers, g_ptr_array_unref);

  G_OBJECT_CLASS (beacon_guest_store_parent_class)->finalize (object);
}

static void
beacon_guest_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconGuestStore *self = BEACON_GUEST_STORE (object);

  switch (prop_id)
    {
    case PROP_CLOCK: g_value_set_object (value, self->clock); break;
    case PROP_N_ITEMS: g_value_set_uint (value, self->providers->len); break;
    case PROP_ONLINE_COUNT: g_value_set_uint (value, self->online_count); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_guest_store_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  BeaconGuestStore *self = BEACON_GUEST_STORE (object);

  switch (prop_id)
    {
    case PROP_CLOCK: self->clock = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_guest_store_class_init (BeaconGuestStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = beacon_guest_store_dispose;
  object_class->finalize = beacon_guest_store_finalize;
  object_class->get_property = beacon_guest_store_get_property;
  object_class->set_property = beacon_guest_store_set_property;

  properties[PROP_CLOCK] =
      g_param_spec_object ("clock", NULL, NULL, BEACON_TYPE_CLOCK,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_ONLINE_COUNT] =
      g_param_spec_uint ("online-count", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
beacon_guest_store_init (BeaconGuestStore *self)
{
  self->providers = g_ptr_array_new_with_free_func (g_object_unref);
  self->positions = g_hash_table_new (g_str_hash, g_str_equal);
}

/* API */

/**
 * beacon_guest_store_new:
 * @clock: (nullable): the clock the providers' labels follow; %NULL for
 *   beacon_clock_get_default()
 *
 * Returns: (transfer full): an empty store
 */
BeaconGuestStore *
beacon_guest_store_new (BeaconClock *clock)
{
  g_return_val_if_fail (clock == NULL || BEACON_IS_CLOCK (clock), NULL);

  return g_object_new (BEACON_TYPE_GUEST_STORE, "clock", clock, NULL);
}

/**
 * beacon_guest_store_lookup:
 * @self: a store
 * @id: a freelancer's id
 *
 * Returns: (transfer none) (nullable): the provider, in constant time
 */
BeaconProvider *
beacon_guest_store_lookup (BeaconGuestStore *self, const char *id)
{
  guint position;

  g_return_val_if_fail (BEACON_IS_GUEST_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!beacon_guest_store_find (self, id, &position))
    return NULL;
  return g_ptr_array_index (self->providers, position);
}

/**
 * beacon_guest_store_find:
 * @self: a store
 * @id: a freelancer's id
 * @out_position: (out) (optional): where the provider's position goes
 *
 * Returns: %TRUE if the store lists the freelancer
 */
gboolean
beacon_guest_store_find (BeaconGuestStore *self, const char *id, guint *out_position)
{
  gpointer position;

  g_return_val_if_fail (BEACON_IS_GUEST_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  if (!g_hash_table_lookup_extended (self->positions, id, NULL, &position))
    return FALSE;
  if (out_position)
    *out_position = GPOINTER_TO_UINT (position);
  return TRUE;
}

/**
 * beacon_guest_store_get_online_count:
 * @self: a store
 *
 * Returns: how many of the listed providers are online
 */
guint
beacon_guest_store_get_online_count (BeaconGuestStore *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_STORE (self), 0);
  return self->online_count;
}

/**
 * beacon_guest_store_load:
 * @self: a store
 * @providers: the `providers` of a GET /api/providers answer
 * @replace: %TRUE for the first page of a search: the store then lists exactly
 *   @providers, in their order; %FALSE for a further page, appended
 *
 * A provider already listed keeps its object, updated field by field. Entries without
 * an id are skipped, and so are repeated ids. Once the store has a list from /presence
 * (beacon_guest_store_set_online_ids()), that list says who is online, not the
 * answer's `is_online`: the list is never older than the last change it reports, while
 * the answer may have been computed before it.
 *
 * Emits one items-changed, and none when a replacing answer lists the same providers
 * in the same order.
 */
void
beacon_guest_store_load (BeaconGuestStore *self, JsonArray *providers, gboolean replace)
{
  g_autoptr (GPtrArray)  next = NULL;
  g_autoptr (GHashTable) taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint                  old_len;
  gboolean               same;

  g_return_if_fail (BEACON_IS_GUEST_STORE (self));
  g_return_if_fail (providers != NULL);

  old_len = self->providers->len;
  next =
      replace ? g_ptr_array_new_with_free_func (g_object_unref) : g_ptr_array_ref (self->providers);

  for (guint i = 0; i < json_array_get_length (providers); i++)
    {
      JsonNode        *node = json_array_get_element (providers, i);
      g_autofree char *id = NULL;
      BeaconProvider  *provider;
      gboolean         listed;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (id = dup_id (json_object_get_member (json_node_get_object (node), "id"))) == NULL)
        {
          g_debug ("Ignoring a provider without an id");
          continue;
        }
      if (g_hash_table_contains (taken, id))
        continue;

      provider = beacon_guest_store_lookup (self, id);
      listed = provider != NULL;
      if (provider == NULL)
        provider = beacon_provider_new (id, self->clock);
      update_provider (self, provider, json_node_get_object (node));
      if (replace)
        g_ptr_array_add (next, listed ? g_object_ref (provider) : provider);
      else if (!listed)
        g_ptr_array_add (next, provider);
      g_hash_table_add (taken, g_steal_pointer (&id));
    }

  same = next->len == old_len;
  for (guint i = 0; same && replace && i < old_len; i++)
    same = g_ptr_array_index (next, i) == g_ptr_array_index (self->providers, i);

  if (replace)
    {
      g_ptr_array_unref (self->providers);
      self->providers = g_steal_pointer (&next);
    }
  index_positions (self);

  if (!same)
    {
      if (replace)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->providers->len);
      else
        g_list_model_items_changed (G_LIST_MODEL (self), old_len, 0,
                                    self->providers->len - old_len);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  set_online_count (self, count_online (self->providers));
}

/**
 * beacon_guest_store_set_online_ids:
 * @self: a store
 * @ids: (element-type utf8): the ids of every freelancer online now, from
 *   `presence:connected` or `presence:update` on /presence
 * @timestamp: (nullable): the list's `timestamp`; %NULL for the clock's time
 *
 * Flips the providers whose online flag the list changes, and only those: one
 * notification of "online" (and of "last-seen-label") each, no items-changed. A
 * provider going offline whose last seen guests may know (the server gave one) was last
 * seen at @timestamp. The list also decides the flags of later beacon_guest_store_load()
 * calls, until beacon_guest_store_forget_online_ids().
 */
void
beacon_guest_store_set_online_ids (BeaconGuestStore *self, GPtrArray *ids, GDateTime *timestamp)
{
  g_autoptr (GHashTable) online_ids = NULL;
  g_autoptr (GDateTime)  now = NULL;
  guint                  online_count = self->online_count;

  g_return_if_fail (BEACON_IS_GUEST_STORE (self));
  g_return_if_fail (ids != NULL);

  online_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (online_ids, g_strdup (g_ptr_array_index (ids, i)));

  for (guint i = 0; i < self->providers->len; i++)
    {
      BeaconProvider *provider = g_ptr_array_index (self->providers, i);
      gboolean online = g_hash_table_contains (online_ids, beacon_provider_get_id (provider));

      if (online == beacon_provider_get_online (provider))
        continue;
      g_object_freeze_notify (G_OBJECT (provider));
      if (!online && beacon_provider_get_last_seen (provider) != NULL)
        {
          if (timestamp == NULL && now == NULL)
            now = beacon_clock_get_now (self->clock);
          beacon_provider_set_last_seen (provider, timestamp ? timestamp : now);
        }
      beacon_provider_set_online (provider, online);
      g_object_thaw_notify (G_OBJECT (provider));
      if (online)
        online_count++;
      else
        online_count--;
    }

  g_clear_pointer (&self->online_ids, g_hash_table_unref);
  self->online_ids = g_steal_pointer (&online_ids);
  set_online_count (self, online_count);
}

/**
 * beacon_guest_store_has_online_ids:
 * @self: a store
 *
 * Returns: %TRUE when a /presence list decides who is online
 */
gboolean
beacon_guest_store_has_online_ids (BeaconGuestStore *self)
{
  g_return_val_if_fail (BEACON_IS_GUEST_STORE (self), FALSE);
  return self->online_ids != NULL;
}

/**
 * beacon_guest_store_forget_online_ids:
 * @self: a store
 *
 * The /presence connection was lost, so its last list grows stale: the flags stay as
 * they are, and later loads take the REST answer's `is_online` again until the next list.
 */
void
beacon_guest_store_forget_online_ids (BeaconGuestStore *self)
{
  g_return_if_fail (BEACON_IS_GUEST_STORE (self));
  g_clear_pointer (&self->online_ids, g_hash_table_unref);
}

/**
 * beacon_guest_parse_online_list:
 * @payload: the argument of `presence:connected` or `presence:update` on /presence,
 *   `{"onlineFreelancerIds":[ID,...],"timestamp":ISO}`
 * @out_timestamp: (out) (optional) (nullable): its timestamp (ISO-8601 or epoch
 *   milliseconds), or %NULL when it has none
 * @error: where a malformed payload is reported (a #BEACON_PRESENCE_ERROR)
 *
 * Ids are read by beacon_presence_parse_id() (numbers kept as their decimal string); a
 * timestamp it cannot read is left out.
 *
 * Returns: (transfer full) (element-type utf8): the ids, or %NULL with @error set
 */
GPtrArray *
beacon_guest_parse_online_list (JsonNode *payload, GDateTime **out_timestamp, GError **error)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  JsonNode             *list = NULL;
  JsonArray            *array;

  g_return_val_if_fail (payload != NULL, NULL);

  if (JSON_NODE_HOLDS_OBJECT (payload))
    list = json_object_get_member (json_node_get_object (payload), "onlineFreelancerIds");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error_literal (error, BEACON_PRESENCE_ERROR, BEACON_PRESENCE_ERROR_MISSING_FIELD,
                           "The guest list has no \"onlineFreelancerIds\" array");
      return NULL;
    }
  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      char *id = beacon_presence_parse_id ("onlineFreelancerIds", json_array_get_element (array, i),
                                           error);

      if (id == NULL)
        return NULL;
      g_ptr_array_add (ids, id);
    }
  if (out_timestamp != NULL)
    *out_timestamp = date_time_from_node (
        "timestamp", json_object_get_member (json_node_get_object (payload), "timestamp"));
  return g_steal_pointer (&ids);
}
