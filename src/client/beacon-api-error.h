/* beacon-api-error.h: the BEACON_API_ERROR GError domain of the REST client: the server's
 * error codes, and failures of the network, of time, of the answer and of plain HTTP. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BEACON_API_ERROR (beacon_api_error_quark ())

typedef enum
{
  BEACON_API_ERROR_FAILED,              /* a server error with a code we do not know */
  BEACON_API_ERROR_INVALID_CREDENTIALS, /* invalid_credentials */
  BEACON_API_ERROR_TOKEN_MISSING,       /* token_missing */
  BEACON_API_ERROR_TOKEN_INVALID,       /* token_invalid */
  BEACON_API_ERROR_TOKEN_EXPIRED,       /* token_expired */
  BEACON_API_ERROR_USER_NOT_FOUND,      /* user_not_found */
  BEACON_API_ERROR_BAD_REQUEST,         /* bad_request */
  BEACON_API_ERROR_NOT_FOUND,           /* not_found */
  BEACON_API_ERROR_FORBIDDEN,           /* forbidden */
  BEACON_API_ERROR_RATE_LIMITED,        /* rate_limited (and login_throttled) */
  BEACON_API_ERROR_INTERNAL,            /* internal */
  BEACON_API_ERROR_NETWORK,             /* connection refused, host or network unreachable */
  BEACON_API_ERROR_TIMEOUT,             /* no answer within the session's timeout */
  BEACON_API_ERROR_UNPARSEABLE,         /* an answer that is not the JSON we expect */
  BEACON_API_ERROR_INSECURE,            /* plain http:// to a host that is not loopback */
} BeaconApiError;

GQuark beacon_api_error_quark (void);

BeaconApiError beacon_api_error_from_server_code (const char *code, guint http_status);
const char    *beacon_api_error_sentence (const GError *error);

G_END_DECLS
