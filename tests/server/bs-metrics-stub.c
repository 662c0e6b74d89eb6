/* bs-metrics-stub.c: a stand-in for beacon-server's metrics in the network layer's tests,
 * built only while src/server has no bs-metrics.c of its own; it counts rejected input. */

#include "bs-metrics.h"

#include "bs-metrics-stub.h"

static gint rejected;

void
bs_metrics_init (void)
{
}

void
bs_metrics_rejected (const char *reason)
{
  g_atomic_int_inc (&rejected);
}

guint
bs_metrics_stub_rejected (void)
{
  return g_atomic_int_get (&rejected);
}
