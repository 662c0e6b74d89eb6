/* bs-rest.h: beacon-server's REST API (PROTOCOL.md 6): routing, bearer authentication,
 * login with throttling (passwords verified off the event loop), /healthz and /metrics. */
#pragma once

#include <uv.h>

#include "bs-hub.h"
#include "bs-net.h"
#include "bs-store.h"

G_BEGIN_DECLS

typedef struct _BsRest BsRest;

typedef struct
{
  guint    login_per_minute; /* 10 attempts per address and per email */
  gboolean metrics_public;   /* serve /metrics to any address, not just loopback */
} BsRestConfig;

BsRest *bs_rest_new (uv_loop_t *loop, BsHub *hub, BsStore *store, const BsRestConfig *config);
void    bs_rest_handle (BsRest *rest, BsHttpRequest *request);
/* Requests still verifying a password hold the BsRest: free it only after the loop ran dry. */
void bs_rest_free (BsRest *rest);

G_END_DECLS
