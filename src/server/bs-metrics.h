/* bs-metrics.h: beacon-server's counters and histograms, rendered as Prometheus text for
 * /metrics: connections by namespace, events by name, fan-out latency, rejected input. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void bs_metrics_init (void);
void bs_metrics_connections_add (const char *nsp, int delta);
void bs_metrics_event_in (const char *event);
void bs_metrics_event_out (const char *event, guint count);
/* One input refused, by reason: "eio_parse", "sio_parse", "oversized", "rate_limited",
 * "bad_request", "unknown_event", "bad_transport", "bad_sid", ... */
void  bs_metrics_rejected (const char *reason);
void  bs_metrics_fanout_latency (double seconds);
char *bs_metrics_render (void);

/* A write of presence changes to the database failed (they stay queued for the next). */
void bs_metrics_flush_failed (void);

G_END_DECLS
