/* beacon-socket.h: BeaconSocket, a Socket.IO 4 client (Engine.IO v4 over a libsoup
 * WebSocket) with namespaces, acks, a bounded send queue and backoff reconnection. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "beacon-clock.h"

G_BEGIN_DECLS

typedef enum
{
  BEACON_SOCKET_STATE_DISCONNECTED,
  BEACON_SOCKET_STATE_CONNECTING,
  BEACON_SOCKET_STATE_CONNECTED,
  BEACON_SOCKET_STATE_RECONNECTING,
} BeaconSocketState;

#define BEACON_TYPE_SOCKET_STATE (beacon_socket_state_get_type ())
GType beacon_socket_state_get_type (void);

/* At most this many events wait for a connection; more are refused. */
#define BEACON_SOCKET_MAX_QUEUE 256

#define BEACON_TYPE_SOCKET (beacon_socket_get_type ())

G_DECLARE_FINAL_TYPE (BeaconSocket, beacon_socket, BEACON, SOCKET, GObject)

/* url: "ws://host:port", "wss://…" (or http/https, mapped to ws/wss); the path defaults to
 * "/api/socket/". */
BeaconSocket *beacon_socket_new (const char *url);
const char   *beacon_socket_get_url (BeaconSocket *self);
void          beacon_socket_set_url (BeaconSocket *self, const char *url);
const char   *beacon_socket_get_path (BeaconSocket *self);
void          beacon_socket_set_path (BeaconSocket *self, const char *path);
void          beacon_socket_set_header (BeaconSocket *self, const char *name, const char *value);
/* FALSE: HTTP long-polling only. With TRUE (the default) the socket opens a WebSocket; when
 * the handshake fails on a host that is there (a proxy), it falls back to long-polling and
 * upgrades that session to a WebSocket when the server offers it and a probe gets through. */
void beacon_socket_set_websocket_enabled (BeaconSocket *self, gboolean enabled);
/* "websocket" or "polling": the current session's transport; NULL without a session. */
const char       *beacon_socket_get_transport (BeaconSocket *self);
BeaconSocketState beacon_socket_get_state (BeaconSocket *self);
/* The clock whose ticks (each minute, on resume) find a server silent across a suspend. */
void  beacon_socket_set_clock (BeaconSocket *self, BeaconClock *clock);
guint beacon_socket_get_next_retry_in (BeaconSocket *self);

/* Joins a namespace with its CONNECT auth payload (nullable); sent now when the session
 * is open, and again after each reconnect. After a CONNECT_ERROR a namespace waits for
 * a new join. */
void     beacon_socket_join (BeaconSocket *self, const char *nsp, JsonNode *auth);
void     beacon_socket_leave (BeaconSocket *self, const char *nsp);
gboolean beacon_socket_is_joined (BeaconSocket *self, const char *nsp);

void beacon_socket_connect (BeaconSocket *self);
void beacon_socket_disconnect (BeaconSocket *self);

/* args: nullable. Queued while the namespace is not connected (up to
 * BEACON_SOCKET_MAX_QUEUE); a volatile event is dropped instead. */
void beacon_socket_emit (BeaconSocket *self, const char *nsp, const char *name, JsonArray *args);
void beacon_socket_emit_volatile (BeaconSocket *self,
                                  const char   *nsp,
                                  const char   *name,
                                  JsonArray    *args);
void beacon_socket_emit_with_ack_async (BeaconSocket       *self,
                                        const char         *nsp,
                                        const char         *name,
                                        JsonArray          *args,
                                        guint               timeout_ms,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
/* Returns the ack's arguments; G_IO_ERROR_TIMED_OUT when none came in time. */
JsonArray *
beacon_socket_emit_with_ack_finish (BeaconSocket *self, GAsyncResult *result, GError **error);

G_END_DECLS
