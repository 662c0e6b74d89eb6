/* bs-metrics-stub.h: what the metrics stand-in of the network layer's tests adds: how many
 * inputs were rejected so far. */
#pragma once

#include <glib.h>

guint bs_metrics_stub_rejected (void);
