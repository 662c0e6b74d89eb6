/* beacon-sio.h: Socket.IO v5 packets (the payload of Engine.IO message packets), with
 * the validity rules of the reference socket.io-parser. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BEACON_SIO_ERROR (beacon_sio_error_quark ())

typedef enum
{
  BEACON_SIO_ERROR_EMPTY,
  BEACON_SIO_ERROR_BAD_TYPE,
  BEACON_SIO_ERROR_BAD_ATTACHMENTS,
  BEACON_SIO_ERROR_BAD_NAMESPACE,
  BEACON_SIO_ERROR_BAD_ACK_ID,
  BEACON_SIO_ERROR_BAD_JSON,
  BEACON_SIO_ERROR_BAD_PAYLOAD,
} BeaconSioError;

typedef enum
{
  BEACON_SIO_CONNECT = 0,
  BEACON_SIO_DISCONNECT = 1,
  BEACON_SIO_EVENT = 2,
  BEACON_SIO_ACK = 3,
  BEACON_SIO_CONNECT_ERROR = 4,
  BEACON_SIO_BINARY_EVENT = 5,
  BEACON_SIO_BINARY_ACK = 6,
} BeaconSioType;

/* JavaScript's Number.MAX_SAFE_INTEGER: the largest ack id both sides represent exactly. */
#define BEACON_SIO_MAX_ACK_ID G_GINT64_CONSTANT (9007199254740991)
/* At most this many binary attachments are announced (as the reference parser's default). */
#define BEACON_SIO_MAX_ATTACHMENTS 10
/* Namespaces longer than this are refused. */
#define BEACON_SIO_MAX_NAMESPACE 256

typedef struct
{
  BeaconSioType type;
  char         *nsp;         /* "/" for the main namespace */
  gint64        id;          /* ack id, or -1 when there is none */
  guint         attachments; /* binary types only */
  JsonNode     *data;        /* the payload, or NULL when there is none */
} BeaconSioPacket;

GQuark beacon_sio_error_quark (void);

BeaconSioPacket *
beacon_sio_packet_new (BeaconSioType type, const char *nsp, gint64 id, JsonNode *data);
BeaconSioPacket      *
beacon_sio_packet_new_event (const char *nsp, gint64 id, const char *name, JsonNode *arg);
void beacon_sio_packet_free (BeaconSioPacket *packet);

BeaconSioPacket *beacon_sio_decode (const char *data, gsize len, GError **error);
char            *beacon_sio_encode (const BeaconSioPacket *packet);

const char *beacon_sio_packet_get_event_name (const BeaconSioPacket *packet);
JsonNode   *beacon_sio_packet_get_arg (const BeaconSioPacket *packet, guint index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BeaconSioPacket, beacon_sio_packet_free)

G_END_DECLS
