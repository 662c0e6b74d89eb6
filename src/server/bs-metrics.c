/* bs-metrics.c: beacon-server's counters (connections by namespace, events by name,
 * rejected input by reason, failed flushes) and fan-out latency histogram, for Prometheus. */

#include "bs-metrics.h"

#include <stdlib.h>

static GHashTable *connections; /* nsp -> gint64 */
static GHashTable *events_in;   /* name -> guint64 */
static GHashTable *events_out;  /* name -> guint64 */
static GHashTable *rejected;    /* reason -> guint64 */

/* Fan-out latency buckets, seconds. */
static const double latency_bounds[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                         0.01,   0.025,   0.05,   0.1,   0.25,   1.0 };
static guint64      latency_counts[G_N_ELEMENTS (latency_bounds) + 1];
static double       latency_sum;
static guint64      latency_total;
static guint64      flush_failures;

/* Event names come from clients: only this many distinct ones are kept as labels, the
 * rest are counted under "other", so a client cannot grow the table without bound. */
#define MAX_LABELS 64

void
bs_metrics_init (void)
{
  if (connections != NULL)
    return;
  connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  events_in = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  events_out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rejected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static void
add (GHashTable *table, const char *label, gint64 delta)
{
  gpointer value;

  bs_metrics_init ();
  if (!g_hash_table_lookup_extended (table, label, NULL, &value))
    {
      if (g_hash_table_size (table) >= MAX_LABELS)
        label = "other";
      if (!g_hash_table_lookup_extended (table, label, NULL, &value))
        value = GINT_TO_POINTER (0);
    }
  g_hash_table_insert (table, g_strdup (label),
                       GSIZE_TO_POINTER ((gsize) ((gint64) GPOINTER_TO_SIZE (value) + delta)));
}

void
bs_metrics_connections_add (const char *nsp, int delta)
{
  add (connections, nsp, delta);
}

void
bs_metrics_event_in (const char *event)
{
  add (events_in, event, 1);
}

void
bs_metrics_event_out (const char *event, guint count)
{
  add (events_out, event, count);
}

void
bs_metrics_rejected (const char *reason)
{
  add (rejected, reason, 1);
}

void
bs_metrics_fanout_latency (double seconds)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (latency_bounds); i++)
    if (seconds <= latency_bounds[i])
      break;
  latency_counts[i]++;
  latency_sum += seconds;
  latency_total++;
}

void
bs_metrics_flush_failed (void)
{
  flush_failures++;
}

/* Label values are our own names or client event names: escape as the text format asks. */
static void
append_label (GString *out, const char *value)
{
  for (const char *p = value; *p; p++)
    {
      if (*p == '\\' || *p == '"')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, *p);
    }
}

static int
compare_keys (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
render_table (GString    *out,
              const char *name,
              const char *type,
              const char *help,
              const char *label,
              GHashTable *table)
{
  g_autofree gpointer *keys = NULL;
  guint                n;

  g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
  keys = g_hash_table_get_keys_as_array (table, &n);
  qsort (keys, n, sizeof (gpointer), compare_keys);
  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (out, "%s{%s=\"", name, label);
      append_label (out, keys[i]);
      g_string_append_printf (out, "\"} %" G_GINT64_FORMAT "\n",
                              (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (table, keys[i])));
    }
}

char *
bs_metrics_render (void)
{
  GString *out = g_string_new (NULL);
  guint64  cumulative = 0;

  bs_metrics_init ();
  render_table (out, "beacon_connections", "gauge", "Connected Socket.IO sockets by namespace.",
                "namespace", connections);
  render_table (out, "beacon_events_in_total", "counter", "Events received from clients, by name.",
                "event", events_in);
  render_table (out, "beacon_events_out_total", "counter", "Events sent to clients, by name.",
                "event", events_out);
  render_table (out, "beacon_rejected_inputs_total", "counter", "Inputs refused, by reason.",
                "reason", rejected);

  g_string_append (out,
                   "# HELP beacon_fanout_latency_seconds Time from a presence change to its "
                   "last recipient's write.\n# TYPE beacon_fanout_latency_seconds histogram\n");
  for (guint i = 0; i < G_N_ELEMENTS (latency_bounds); i++)
    {
      char bound[G_ASCII_DTOSTR_BUF_SIZE];

      cumulative += latency_counts[i];
      g_ascii_dtostr (bound, sizeof bound, latency_bounds[i]);
      g_string_append_printf (
          out, "beacon_fanout_latency_seconds_bucket{le=\"%s\"} %" G_GUINT64_FORMAT "\n", bound,
          cumulative);
    }
  g_string_append_printf (
      out, "beacon_fanout_latency_seconds_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n",
      latency_total);
  {
    char sum[G_ASCII_DTOSTR_BUF_SIZE];

    g_ascii_dtostr (sum, sizeof sum, latency_sum);
    g_string_append_printf (out, "beacon_fanout_latency_seconds_sum %s\n", sum);
  }
  g_string_append_printf (out, "beacon_fanout_latency_seconds_count %" G_GUINT64_FORMAT "\n",
                          latency_total);
  g_string_append_printf (out,
                          "# HELP beacon_presence_flush_failures_total Failed writes of presence "
                          "changes to the database (kept for the next).\n"
                          "# TYPE beacon_presence_flush_failures_total counter\n"
                          "beacon_presence_flush_failures_total %" G_GUINT64_FORMAT "\n",
                          flush_failures);

  return g_string_free (out, FALSE);
}
