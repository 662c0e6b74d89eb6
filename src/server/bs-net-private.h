/* bs-net-private.h: what the parts of beacon-server's network layer share: the listener,
 * connections (HTTP then maybe WebSocket), HTTP requests and Engine.IO sessions. */
#pragma once

#include "bs-log.h"
#include "bs-net.h"

#include <http_parser.h>

G_BEGIN_DECLS

/* Request line and headers together; more gets 431 and the connection is closed. */
#define BS_NET_MAX_HEADER_BYTES (16 * 1024)
#define BS_NET_MAX_HEADERS      100
/* Bytes queued for a peer that does not read; beyond this its connection is closed. */
#define BS_NET_MAX_QUEUED (8 * 1024 * 1024)
/* The longest frame header bs_conn_write_frame takes. */
#define BS_NET_MAX_FRAME_HEADER 10
/* How long a closing connection may take to flush and say goodbye. */
#define BS_NET_LINGER_MS 2000
/* How long a shutdown waits for handlers that still owe a response. */
#define BS_NET_SHUTDOWN_GRACE_MS 2000

typedef struct _BsConn BsConn;

/* WebSocket opcodes of data frames */
#define BS_WS_TEXT   0x1
#define BS_WS_BINARY 0x2

typedef enum
{
  BS_CONN_HTTP,
  BS_CONN_WEBSOCKET,
} BsConnMode;

struct _BsNet
{
  uv_loop_t    *loop;
  BsNetConfig   config; /* strings owned */
  BsNetHandlers handlers;
  gpointer      user_data;

  uv_tcp_t listener;
  gboolean listener_open;
  char     read_buf[64 * 1024]; /* shared by all connections, see on_alloc */
  guint    port;

  GQueue      conns;    /* BsConn *, through their link */
  GHashTable *sessions; /* sid -> BsEioSocket *, open sessions only */
  guint       n_live;   /* connections and sessions not yet freed */

  /* Work done from the loop, never re-entrantly: resumed connections, polling flushes,
   * eio_close callbacks. */
  uv_idle_t idle;
  gboolean  idle_open; /* and prepare */
  /* Frames written in this loop iteration, sent before the next poll (bs_conn_write_frame) */
  uv_prepare_t prepare;
  GArray      *batch;       /* Batched, the connections' chains linked by index */
  GPtrArray   *batch_conns; /* BsConn * with frames in batch */
  GQueue       resume_conns;
  GQueue       flush_sockets;
  GQueue       closed_sockets;

  gboolean   shutting_down;
  gboolean   finished;
  gboolean   free_when_done;
  uv_timer_t shutdown_timer;
  gboolean   shutdown_timer_open;
  guint      closing_handles;
  void (*done) (gpointer data);
  gpointer done_data;

  BsLogLimit warnings; /* for rejected input */
};

struct _BsConn
{
  BsNet        *net;
  GList         link;
  uv_tcp_t      tcp;
  uv_timer_t    timer; /* idle timeout, then linger while closing */
  uv_shutdown_t shutdown_req;
  guint         open_handles;
  char         *peer_addr;
  BsConnMode    mode;

  gboolean closed;         /* uv_close called: nothing more happens */
  gboolean write_shut;     /* shutdown started: no more writes */
  gboolean shut_done;      /* ... and our FIN is out */
  gboolean reading;        /* uv_read_start active */
  gboolean in_resume;      /* in net->resume_conns */
  gboolean error;          /* closing because something went wrong, not by the peer's wish */
  guint    pending_writes; /* write and shutdown requests not yet called back */
  gboolean batched;        /* has frames in net->batch: first to last, slot in batch_conns */
  guint    batch_first;
  guint    batch_last;
  guint    batch_slot;

  /* HTTP */
  http_parser    parser;
  BsHttpRequest *building; /* being parsed */
  BsHttpRequest *current;  /* waiting for its response */
  GByteArray    *pending_in;
  gsize          header_bytes;
  guint          n_headers;
  GString       *field;
  GString       *value;
  gboolean       in_value;
  gboolean       reject_pending; /* a limit was hit: respond with reject_status */
  guint          reject_status;

  /* WebSocket (bs-ws.c): the frame being received */
  guint8       ws_head[14]; /* its header, while incomplete */
  guint8       ws_head_len;
  guint8       ws_mask[4];
  guint8       ws_opcode;
  guint8       ws_msg_opcode; /* text or binary, from a message's first frame to its last */
  gboolean     ws_fin;
  gboolean     ws_in_frame; /* header done, payload coming */
  guint64      ws_frame_len;
  guint64      ws_got;    /* payload bytes of the frame seen */
  gsize        ws_ctl_at; /* where a control frame's payload starts in ws_buf */
  GByteArray  *ws_buf;    /* an incomplete message or frame, NULL otherwise */
  BsEioSocket *eio;
  gboolean     ws_closing; /* our close frame is out, or about to be */
};

struct _BsHttpRequest
{
  gint        ref_count;
  BsConn     *conn; /* NULL once the connection is gone */
  char       *method;
  GString    *url;
  char       *path;
  GHashTable *query;   /* decoded name -> decoded value (first one wins) */
  GHashTable *headers; /* lower-case name -> value (repeats joined by ", ") */
  GString    *body;
  char       *remote_addr;
  gboolean    head;
  gboolean    keep_alive;
  gboolean    upgrade; /* the parser saw Connection: upgrade + Upgrade */
  gboolean    responded;
  gsize       body_limit;
  gboolean    eio_overlap; /* a POST that came while another was outstanding */

  /* CORS headers for the response, computed when the request is routed. */
  char    *cors_origin;
  gboolean cors_credentials;
  gboolean cors_vary;

  /* Told when the connection goes away before the response was sent. */
  void (*on_abort) (BsHttpRequest *request, gpointer data);
  gpointer abort_data;
};

/* bs-net.c */
void bs_net_warn_rejected (BsNet *net, const char *reason, const char *format, ...)
    G_GNUC_PRINTF (3, 4);
void     bs_net_schedule (BsNet *net);
void     bs_net_live_ref (BsNet *net);
void     bs_net_live_unref (BsNet *net);
void     bs_net_route_request (BsNet *net, BsConn *conn, BsHttpRequest *request);
gboolean bs_net_is_socket_path (BsNet *net, const char *path);
void     bs_conn_write_owned (BsConn *conn, char *owned, gsize len);
void bs_conn_write_frame (BsConn *conn, const guint8 *header, gsize header_len, GBytes *payload);
void bs_conn_read_start (BsConn *conn);
void bs_conn_read_stop (BsConn *conn);
void bs_conn_close (BsConn *conn);
void bs_conn_close_gracefully (BsConn *conn);
void bs_conn_request_done (BsConn *conn, gboolean keep_alive);
void bs_conn_schedule_resume (BsConn *conn);
void bs_conn_set_timer (BsConn *conn, guint ms);

/* bs-http.c */
void           bs_http_conn_init (BsConn *conn);
void           bs_http_conn_clear (BsConn *conn);
void           bs_http_conn_feed (BsConn *conn, char *data, gsize len);
void           bs_http_conn_resume (BsConn *conn);
void           bs_http_conn_detach (BsConn *conn);
BsHttpRequest *bs_http_request_new (void);
void           bs_http_request_prepare (BsHttpRequest *request, BsNet *net);
void           bs_http_request_respond_full (BsHttpRequest *request,
                                             guint          status,
                                             const char    *content_type,
                                             const char    *extra_headers,
                                             const char    *body,
                                             gsize          len,
                                             gboolean       close);
void           bs_http_respond_preflight (BsHttpRequest *request);
char          *bs_http_percent_decode (const char *data, gsize len, gboolean plus_is_space);

/* bs-ws.c */
void     bs_ws_accept (BsConn *conn, BsHttpRequest *request);
void     bs_ws_clear (BsConn *conn);
void     bs_ws_feed (BsConn *conn, guint8 *data, gsize len);
void     bs_ws_send (BsConn *conn, guint8 opcode, GBytes *payload);
void     bs_ws_close (BsConn *conn, guint16 code);
gboolean bs_ws_check_handshake (BsHttpRequest *request);
void     bs_ws_reject (BsHttpRequest *request, const char *message);

/* bs-eio.c */
void     bs_eio_handle_request (BsNet *net, BsHttpRequest *request);
void     bs_eio_data_begin (BsNet *net, BsHttpRequest *request);
gboolean bs_eio_handle_upgrade (
    BsNet *net, BsConn *conn, BsHttpRequest *request, guint8 *rest, gsize rest_len);
void bs_eio_ws_message (
    BsEioSocket *socket, BsConn *conn, gboolean binary, const guint8 *data, gsize len);
void     bs_eio_ws_closed (BsEioSocket *socket, BsConn *conn, gboolean error);
void     bs_eio_flush (BsEioSocket *socket);
void     bs_eio_finish (BsEioSocket *socket);
void     bs_eio_shutdown_all (BsNet *net);
void     bs_eio_payload_too_large (BsNet *net, const char *sid);
gboolean bs_eio_is_websocket (BsEioSocket *socket);

G_END_DECLS
