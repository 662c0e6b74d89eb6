/* bs-demo.h: beacon-server --demo: seeds a small world of clients and freelancers into an
 * empty database and drives some of them over the real protocol so presence changes. */
#pragma once

#include <uv.h>

#include "bs-store.h"

G_BEGIN_DECLS

/* Seeds the demo world when the store has no users; prints the sign-in credentials. */
gboolean bs_demo_seed (BsStore *store, GError **error);
/* Starts the simulated people: Socket.IO clients connected to host:port. */
gboolean bs_demo_start (uv_loop_t    *loop,
                        const char   *host,
                        guint         port,
                        BsStore      *store,
                        const guint8 *jwt_key,
                        gsize         jwt_key_len,
                        GError      **error);
void     bs_demo_stop (void);

G_END_DECLS
