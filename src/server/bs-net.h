/* bs-net.h: beacon-server's network layer on libuv: the listener, HTTP/1.1 (libhttp-parser),
 * WebSocket (RFC 6455) and Engine.IO v4 sessions over WebSocket and long-polling. */
#pragma once

#include <glib.h>
#include <uv.h>

G_BEGIN_DECLS

#define BS_NET_ERROR (bs_net_error_quark ())

typedef enum
{
  BS_NET_ERROR_LISTEN, /* bad address, port in use, ... */
} BsNetError;

typedef struct _BsNet         BsNet;
typedef struct _BsHttpRequest BsHttpRequest;
typedef struct _BsEioSocket   BsEioSocket;

typedef struct
{
  const char *host;               /* "127.0.0.1", "::1", "0.0.0.0" */
  guint       port;               /* 0: any free port (see bs_net_get_port) */
  const char *socket_path;        /* Engine.IO endpoint, "/api/socket/" */
  guint       ping_interval_ms;   /* 25000 */
  guint       ping_timeout_ms;    /* 20000 */
  guint       upgrade_timeout_ms; /* 10000 */
  gsize       max_payload;        /* 1000000: larger frames / POST bodies close that connection */
  gsize       max_http_body;      /* REST request bodies larger than this get 413 (e.g. 1 MiB) */
  char      **cors_origins;    /* NULL-terminated; "*" allows any; NULL or empty: no CORS headers */
  char      **trusted_proxies; /* addresses whose X-Forwarded-For is believed; may be NULL */
  guint       idle_timeout_ms; /* a connection with no complete request for this long is
                                * closed; 0: 30000 */
} BsNetConfig;

typedef struct
{
  /* Every HTTP request that is not for the Engine.IO endpoint (and not a CORS preflight,
   * which the layer answers itself). The handler must eventually call one of the
   * bs_http_request_respond* functions exactly once; to answer later, take a reference. */
  void (*http_request) (BsHttpRequest *request, gpointer user_data);
  /* A new Engine.IO session (after the open packet was sent). */
  void (*eio_open) (BsEioSocket *socket, gpointer user_data);
  /* One text message packet, without its "4" type digit: a Socket.IO packet. Binary messages
   * are counted as rejected input and dropped. */
  void (*eio_message) (BsEioSocket *socket, const char *text, gsize len, gpointer user_data);
  /* The session ended, for any reason ("transport close", "ping timeout", "transport error",
   * "parse error", "server close", "forced close"). The socket is freed after this returns. */
  void (*eio_close) (BsEioSocket *socket, const char *reason, gpointer user_data);
  /* Optional: one binary message (a binary frame, or "b" + base64 in a polling payload).
   * When NULL, binary messages are counted as rejected input and dropped. */
  void (*eio_binary) (BsEioSocket *socket, GBytes *data, gpointer user_data);
} BsNetHandlers;

GQuark bs_net_error_quark (void);

/* A new unguessable id of 20 url-safe characters (Engine.IO sids, Socket.IO socket ids). */
void bs_net_random_id (char out[21]);

BsNet *bs_net_new (uv_loop_t           *loop,
                   const BsNetConfig   *config,
                   const BsNetHandlers *handlers,
                   gpointer             user_data,
                   GError             **error);
guint  bs_net_get_port (BsNet *net);
/* Stops accepting, closes every session (eio_close with "server close") and connection
 * cleanly (WebSocket close frames, pending polls answered), then calls done (once every
 * handle is closed). */
void bs_net_shutdown (BsNet *net, void (*done) (gpointer data), gpointer data);
void bs_net_free (BsNet *net);
/* Live Engine.IO sessions by transport, for /metrics. */
void bs_net_count_sessions (BsNet *net, guint *websocket, guint *polling);

/* HTTP requests */
BsHttpRequest *bs_http_request_ref (BsHttpRequest *request);
void           bs_http_request_unref (BsHttpRequest *request);
const char    *bs_http_request_get_method (BsHttpRequest *request); /* "GET", ... */
const char    *bs_http_request_get_path (BsHttpRequest *request);   /* percent-decoded, no query */
/* A query parameter, percent-decoded ('+' as space), or NULL when absent. */
const char *bs_http_request_get_query (BsHttpRequest *request, const char *name);
/* A header by lower-case name, or NULL. */
const char *bs_http_request_get_header (BsHttpRequest *request, const char *name);
const char *bs_http_request_get_body (BsHttpRequest *request, gsize *len);
/* The client address (from X-Forwarded-For only when the peer is a trusted proxy). */
const char *bs_http_request_get_remote_addr (BsHttpRequest *request);
/* FALSE once the connection is gone (responding is then a no-op). */
gboolean bs_http_request_is_alive (BsHttpRequest *request);
/* Sends the response (Content-Length, CORS headers when configured, keep-alive). */
void bs_http_request_respond (
    BsHttpRequest *request, guint status, const char *content_type, const char *body, gsize len);
void bs_http_request_respond_json (BsHttpRequest *request, guint status, const char *json);
/* {"error":{"code","message"}} */
void bs_http_request_respond_error (BsHttpRequest *request,
                                    guint          status,
                                    const char    *code,
                                    const char    *message);

/* Engine.IO sessions */
/* Queues a complete Engine.IO text packet (e.g. "42[...]"). The bytes are referenced, not
 * copied, so one encoded change can go to many sockets. No-op after close. */
void bs_eio_socket_send (BsEioSocket *socket, GBytes *packet);
/* Queues a binary message: a binary frame on WebSocket, "b" + base64 in a polling payload. */
void bs_eio_socket_send_binary (BsEioSocket *socket, GBytes *data);
/* Closes the session (sends a close packet, then closes the transport); eio_close follows
 * with reason "forced close" (from the main loop, never from inside this call). */
void        bs_eio_socket_close (BsEioSocket *socket);
const char *bs_eio_socket_get_sid (BsEioSocket *socket);
const char *bs_eio_socket_get_remote_addr (BsEioSocket *socket);
const char *bs_eio_socket_get_transport (BsEioSocket *socket); /* "websocket" | "polling" */
void        bs_eio_socket_set_data (BsEioSocket *socket, gpointer data);
gpointer    bs_eio_socket_get_data (BsEioSocket *socket);

G_END_DECLS
