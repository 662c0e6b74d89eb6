/* bs-sio.h: the Socket.IO v5 server layer of beacon-server over Engine.IO sessions:
 * namespaces, CONNECT with auth, events, acks, per-socket rate limits, connect timeout. */
#pragma once

#include <json-glib/json-glib.h>
#include <uv.h>

#include "bs-net.h"

G_BEGIN_DECLS

typedef struct _BsSio       BsSio;
typedef struct _BsSioSocket BsSioSocket;

typedef struct
{
  /* CONNECT to this namespace with its auth payload (NULL when none). Return TRUE to accept
   * (optionally setting *socket_data), or FALSE and set *error_data (transfer full) to the
   * CONNECT_ERROR payload. */
  gboolean (*authorize) (BsEioSocket *eio,
                         JsonNode    *auth,
                         gpointer    *socket_data,
                         JsonNode   **error_data,
                         gpointer     user_data);
  /* After the CONNECT answer was queued. */
  void (*connected) (BsSioSocket *socket, gpointer user_data);
  /* An event that passed the rate limit. args holds the arguments after the name (never
   * NULL, possibly empty); ack_id is -1 when the client asked no ack. */
  void (*event) (
      BsSioSocket *socket, const char *name, JsonArray *args, gint64 ack_id, gpointer user_data);
  /* Optional: an event that carried binary attachments (BINARY_EVENT), once they have all
   * arrived. args holds placeholders {"_placeholder":true,"num":N} where attachments->pdata[N]
   * (GBytes) belongs; every placeholder has been checked to name one. When NULL, binary
   * events are refused with bs_sio_socket_fail ("bad_request"). */
  void (*binary_event) (BsSioSocket *socket,
                        const char  *name,
                        JsonArray   *args,
                        GPtrArray   *attachments,
                        gint64       ack_id,
                        gpointer     user_data);
  /* The socket left the namespace; it is freed after this returns. */
  void (*disconnected) (BsSioSocket *socket, const char *reason, gpointer user_data);
} BsSioNamespaceHandlers;

typedef struct
{
  guint  connect_timeout_ms;   /* 45000: sessions that join no namespace are closed */
  double rate_per_s;           /* 20 events/s per socket */
  double rate_burst;           /* 50 */
  guint  rate_disconnect_ms;   /* 10000 continuously over the limit disconnects */
  gsize  max_attachment_bytes; /* the attachments of one packet together; 0: 1000000 */
} BsSioConfig;

BsSio *bs_sio_new (uv_loop_t *loop, const BsSioConfig *config);
void   bs_sio_free (BsSio *sio);
void   bs_sio_add_namespace (BsSio                        *sio,
                             const char                   *nsp,
                             const BsSioNamespaceHandlers *handlers,
                             gpointer                      user_data);

/* The Engine.IO callbacks, to be called from BsNetHandlers. Binary messages are the
 * attachments of the BINARY_EVENT / BINARY_ACK packet before them; any other closes the
 * session, as the reference server does. */
void bs_sio_on_eio_open (BsSio *sio, BsEioSocket *eio);
void bs_sio_on_eio_message (BsSio *sio, BsEioSocket *eio, const char *text, gsize len);
void bs_sio_on_eio_binary (BsSio *sio, BsEioSocket *eio, GBytes *data);
void bs_sio_on_eio_close (BsSio *sio, BsEioSocket *eio, const char *reason);

/* Encodes an EVENT [name, arg?] for nsp as a complete Engine.IO packet ("42..."), the bytes
 * that bs_sio_socket_send hands to any number of sockets. arg is not consumed. */
GBytes *bs_sio_encode_event (const char *nsp, const char *name, JsonNode *arg);

void bs_sio_socket_send (BsSioSocket *socket, GBytes *packet);
void bs_sio_socket_emit (BsSioSocket *socket, const char *name, JsonNode *arg);
/* Answers ack_id with [arg] (no-op when ack_id < 0). */
void bs_sio_socket_ack (BsSioSocket *socket, gint64 ack_id, JsonNode *arg);
/* Emits [name, args...]. With attachments (GBytes, at most BEACON_SIO_MAX_ATTACHMENTS; NULL
 * or empty for none), a BINARY_EVENT whose args hold placeholders {"_placeholder":true,
 * "num":N} for them, followed by one binary message each. Nothing is consumed. */
void bs_sio_socket_emit_args (BsSioSocket *socket,
                              const char  *name,
                              JsonArray   *args,
                              GPtrArray   *attachments);
/* Answers ack_id with [args...] (a BINARY_ACK with attachments, as above). */
void bs_sio_socket_ack_args (BsSioSocket *socket,
                             gint64       ack_id,
                             JsonArray   *args,
                             GPtrArray   *attachments);
/* Answers a refused event: {"ok":false,"error":{code,message}} through its ack when it asked
 * one, else a server:error event {"code","message","event"}. */
void bs_sio_socket_fail (
    BsSioSocket *socket, const char *event, gint64 ack_id, const char *code, const char *message);
/* Leaves the namespace (a DISCONNECT packet to the client); with close_transport the whole
 * Engine.IO session is closed too. disconnected is called from the loop. */
void         bs_sio_socket_disconnect (BsSioSocket *socket, gboolean close_transport);
const char  *bs_sio_socket_get_id (BsSioSocket *socket);
const char  *bs_sio_socket_get_nsp (BsSioSocket *socket);
BsEioSocket *bs_sio_socket_get_eio (BsSioSocket *socket);
gpointer     bs_sio_socket_get_data (BsSioSocket *socket);
void         bs_sio_socket_set_data (BsSioSocket *socket, gpointer data);

G_END_DECLS
