/* model-shadow.h: a test helper that replays a GListModel's items-changed on a copy, so a
 * wrong position or count shows as a copy that differs from the model. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GListModel *model;
  GPtrArray  *items;   /* what items-changed told, replayed */
  guint       changes; /* items-changed emissions */
} ModelShadow;

/* Starts following model (empty so far). */
void model_shadow_init (ModelShadow *shadow, GListModel *model);
void model_shadow_clear (ModelShadow *shadow);
/* Fails unless the copy holds the model's very items, in its order. */
void model_shadow_assert (ModelShadow *shadow);

G_END_DECLS
