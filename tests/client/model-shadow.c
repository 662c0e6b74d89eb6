/* model-shadow.c: ModelShadow, a copy of a GListModel kept from its items-changed alone,
 * compared with the model by the unit tests of the client's list models. */

#include "model-shadow.h"

static void
on_items_changed (
    GListModel *model, guint position, guint removed, guint added, ModelShadow *shadow)
{
  g_assert_cmpuint (position + removed, <=, shadow->items->len);
  g_ptr_array_remove_range (shadow->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (shadow->items, position + i, g_list_model_get_item (model, position + i));
  shadow->changes++;
}

void
model_shadow_init (ModelShadow *shadow, GListModel *model)
{
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  shadow->model = model;
  shadow->items = g_ptr_array_new_with_free_func (g_object_unref);
  shadow->changes = 0;
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), shadow);
}

void
model_shadow_clear (ModelShadow *shadow)
{
  g_signal_handlers_disconnect_by_func (shadow->model, on_items_changed, shadow);
  g_clear_pointer (&shadow->items, g_ptr_array_unref);
}

void
model_shadow_assert (ModelShadow *shadow)
{
  guint n = g_list_model_get_n_items (shadow->model);

  g_assert_cmpuint (shadow->items->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (shadow->model, i);

      g_assert_true (item == shadow->items->pdata[i]);
    }
}
