/* bs-store-private.h: what only beacon-server's store and its tests see: raw SQL on the
 * store's connection, to set up failure conditions (PRAGMA max_page_count) in tests. */
#pragma once

#include "bs-store.h"

G_BEGIN_DECLS

gboolean bs_store_exec (BsStore *store, const char *sql, GError **error);

G_END_DECLS
