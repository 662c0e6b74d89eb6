/* beacon-eio.h: Engine.IO v4 packets, as single WebSocket frames and as long-polling
 * payloads (packets joined with the record separator, binary as "b" + base64). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BEACON_EIO_ERROR (beacon_eio_error_quark ())

typedef enum
{
  BEACON_EIO_ERROR_EMPTY,
  BEACON_EIO_ERROR_BAD_TYPE,
  BEACON_EIO_ERROR_BAD_BASE64,
  BEACON_EIO_ERROR_BAD_UTF8,
  BEACON_EIO_ERROR_TOO_LARGE,
} BeaconEioError;

typedef enum
{
  BEACON_EIO_OPEN = 0,
  BEACON_EIO_CLOSE = 1,
  BEACON_EIO_PING = 2,
  BEACON_EIO_PONG = 3,
  BEACON_EIO_MESSAGE = 4,
  BEACON_EIO_UPGRADE = 5,
  BEACON_EIO_NOOP = 6,
} BeaconEioType;

/* The separator of long-polling payloads (ASCII record separator). */
#define BEACON_EIO_SEPARATOR '\x1e'

typedef struct
{
  BeaconEioType type;
  gboolean      binary; /* data holds raw bytes (a binary message) rather than UTF-8 text */
  GBytes       *data;   /* never NULL; empty when the packet has no data */
} BeaconEioPacket;

GQuark beacon_eio_error_quark (void);

BeaconEioPacket *beacon_eio_packet_new (BeaconEioType type, const char *text);
BeaconEioPacket *beacon_eio_packet_new_binary (GBytes *bytes);
void             beacon_eio_packet_free (BeaconEioPacket *packet);
const char      *beacon_eio_packet_get_text (const BeaconEioPacket *packet, gsize *len);
gboolean         beacon_eio_packet_is_probe (const BeaconEioPacket *packet, BeaconEioType type);

BeaconEioPacket *beacon_eio_decode_text (const char *data, gsize len, GError **error);
BeaconEioPacket *beacon_eio_decode_binary (const guint8 *data, gsize len);
char            *beacon_eio_encode_text (const BeaconEioPacket *packet);

GPtrArray       *
beacon_eio_decode_payload (const char *data, gsize len, gsize max_packets, GError **error);
char *beacon_eio_encode_payload (BeaconEioPacket *const *packets, guint n_packets);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BeaconEioPacket, beacon_eio_packet_free)

G_END_DECLS
