/* beacon-status-badge.c: BeaconStatusBadge: draws the badge with cairo (a ring around a
 * dot for "chatting with you", a dot, a crescent, a bar, a hollow ring) and labels it. */

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "beacon-status-badge.h"

struct _BeaconStatusBadge
{
  GtkWidget parent_instance;

  BeaconBadge  badge;
  BeaconStatus status;
  int          size;
};

G_DEFINE_FINAL_TYPE (BeaconStatusBadge, beacon_status_badge, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_BADGE,
  PROP_STATUS,
  PROP_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The GNOME palette: green 4, yellow 5, and a gray readable on light and dark. */
static const GdkRGBA green = { 0.180, 0.761, 0.494, 1.0 };
static const GdkRGBA yellow = { 0.898, 0.647, 0.039, 1.0 };
static const GdkRGBA gray = { 0.604, 0.600, 0.588, 1.0 };

GtkWidget *
beacon_status_badge_new (void)
{
  return g_object_new (BEACON_TYPE_STATUS_BADGE, NULL);
}

/**
 * beacon_status_badge_get_label:
 * @self: a badge
 *
 * Returns: what the badge says, in words: its accessible label and its tooltip
 */
const char *
beacon_status_badge_get_label (BeaconStatusBadge *self)
{
  g_return_val_if_fail (BEACON_IS_STATUS_BADGE (self), NULL);

  if (self->badge == BEACON_BADGE_GRAY || self->status == BEACON_STATUS_OFFLINE)
    return _ ("Offline");
  if (self->status == BEACON_STATUS_AWAY)
    return _ ("Away");
  if (self->status == BEACON_STATUS_BUSY)
    return _ ("Busy");
  if (self->badge == BEACON_BADGE_GREEN)
    return _ ("Online");
  return _ ("Active");
}

static void
update_label (BeaconStatusBadge *self)
{
  const char *label = beacon_status_badge_get_label (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), label);
}

static void
beacon_status_badge_measure (GtkWidget     *widget,
                             GtkOrientation orientation,
                             int            for_size,
                             int           *minimum,
                             int           *natural,
                             int           *minimum_baseline,
                             int           *natural_baseline)
{
  *minimum = *natural = BEACON_STATUS_BADGE (widget)->size;
}

/* The background the badge sits on, so that its outline separates it from an avatar. */
static GdkRGBA
background_colour (GtkWidget *widget)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  GdkRGBA          colour = { 1, 1, 1, 1 };

  if (!gtk_style_context_lookup_color (context, "view_bg_color", &colour))
    gtk_style_context_lookup_color (context, "window_bg_color", &colour);
  return colour;
}

static void
draw (BeaconStatusBadge *self, cairo_t *cr, int w, int h)
{
  double         r = MIN (w, h) / 2.0;
  double         cx = w / 2.0, cy = h / 2.0;
  GdkRGBA        bg = background_colour (GTK_WIDGET (self));
  const GdkRGBA *fg;

  /* The outline, in the background colour. */
  gdk_cairo_set_source_rgba (cr, &bg);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_fill (cr);
  r -= MAX (1.0, r / 5.0);

  if (self->badge == BEACON_BADGE_GRAY || self->status == BEACON_STATUS_OFFLINE)
    {
      /* Offline: a hollow ring. */
      double width = MAX (1.5, r / 2.5);

      gdk_cairo_set_source_rgba (cr, &gray);
      cairo_set_line_width (cr, width);
      cairo_arc (cr, cx, cy, r - width / 2, 0, 2 * G_PI);
      cairo_stroke (cr);
      return;
    }

  fg = self->badge == BEACON_BADGE_GREEN ? &green : &yellow;
  gdk_cairo_set_source_rgba (cr, fg);
  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_fill (cr);

  gdk_cairo_set_source_rgba (cr, &bg);
  switch (self->status)
    {
    case BEACON_STATUS_AWAY:
      /* Away: a crescent, the dot with a bite out of its upper left. */
      cairo_arc (cr, cx - r * 0.45, cy - r * 0.45, r * 0.7, 0, 2 * G_PI);
      cairo_fill (cr);
      break;

    case BEACON_STATUS_BUSY:
      /* Busy: a bar across the dot. */
      cairo_rectangle (cr, cx - r * 0.6, cy - r * 0.2, r * 1.2, r * 0.4);
      cairo_fill (cr);
      break;

    case BEACON_STATUS_ONLINE:
      if (self->badge == BEACON_BADGE_GREEN)
        {
          /* Chatting with you: a ring inside the dot. */
          cairo_set_line_width (cr, MAX (1.0, r / 4.0));
          cairo_arc (cr, cx, cy, r * 0.55, 0, 2 * G_PI);
          cairo_stroke (cr);
        }
      break;

    case BEACON_STATUS_OFFLINE:
    default: break;
    }
}

static void
beacon_status_badge_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  int      w = gtk_widget_get_width (widget);
  int      h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (MIN (w, h) < 3)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  draw (BEACON_STATUS_BADGE (widget), cr, w, h);
  cairo_destroy (cr);
}

static void
beacon_status_badge_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BeaconStatusBadge *self = BEACON_STATUS_BADGE (object);

  switch (prop_id)
    {
    case PROP_BADGE: g_value_set_enum (value, self->badge); break;
    case PROP_STATUS: g_value_set_enum (value, self->status); break;
    case PROP_SIZE: g_value_set_int (value, self->size); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_status_badge_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  BeaconStatusBadge *self = BEACON_STATUS_BADGE (object);

  switch (prop_id)
    {
    case PROP_BADGE: beacon_status_badge_set_badge (self, g_value_get_enum (value)); break;
    case PROP_STATUS: beacon_status_badge_set_status (self, g_value_get_enum (value)); break;
    case PROP_SIZE: beacon_status_badge_set_size (self, g_value_get_int (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
beacon_status_badge_class_init (BeaconStatusBadgeClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags     rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->get_property = beacon_status_badge_get_property;
  object_class->set_property = beacon_status_badge_set_property;
  widget_class->measure = beacon_status_badge_measure;
  widget_class->snapshot = beacon_status_badge_snapshot;

  properties[PROP_BADGE] =
      g_param_spec_enum ("badge", NULL, NULL, BEACON_TYPE_BADGE, BEACON_BADGE_GRAY, rw);
  properties[PROP_STATUS] =
      g_param_spec_enum ("status", NULL, NULL, BEACON_TYPE_STATUS, BEACON_STATUS_OFFLINE, rw);
  properties[PROP_SIZE] = g_param_spec_int ("size", NULL, NULL, 6, 64, 14, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "statusbadge");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
beacon_status_badge_init (BeaconStatusBadge *self)
{
  self->size = 14;
  update_label (self);
}

BeaconBadge
beacon_status_badge_get_badge (BeaconStatusBadge *self)
{
  g_return_val_if_fail (BEACON_IS_STATUS_BADGE (self), BEACON_BADGE_GRAY);
  return self->badge;
}

void
beacon_status_badge_set_badge (BeaconStatusBadge *self, BeaconBadge badge)
{
  g_return_if_fail (BEACON_IS_STATUS_BADGE (self));

  if (self->badge == badge)
    return;
  self->badge = badge;
  update_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BADGE]);
}

BeaconStatus
beacon_status_badge_get_status (BeaconStatusBadge *self)
{
  g_return_val_if_fail (BEACON_IS_STATUS_BADGE (self), BEACON_STATUS_OFFLINE);
  return self->status;
}

void
beacon_status_badge_set_status (BeaconStatusBadge *self, BeaconStatus status)
{
  g_return_if_fail (BEACON_IS_STATUS_BADGE (self));

  if (self->status == status)
    return;
  self->status = status;
  update_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

int
beacon_status_badge_get_size (BeaconStatusBadge *self)
{
  g_return_val_if_fail (BEACON_IS_STATUS_BADGE (self), 0);
  return self->size;
}

void
beacon_status_badge_set_size (BeaconStatusBadge *self, int size)
{
  g_return_if_fail (BEACON_IS_STATUS_BADGE (self));

  if (self->size == size)
    return;
  self->size = size;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIZE]);
}
