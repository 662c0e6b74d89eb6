/* beacon-api-error.c: the BEACON_API_ERROR domain: the server's codes mapped to ours, and
 * one short sentence per code that the interface can show as it is. */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "beacon-api-error.h"

G_DEFINE_QUARK (beacon - api - error - quark, beacon_api_error)

static const struct
{
  const char    *code;
  BeaconApiError error;
} server_codes[] = {
  { "invalid_credentials", BEACON_API_ERROR_INVALID_CREDENTIALS },
  { "token_missing", BEACON_API_ERROR_TOKEN_MISSING },
  { "token_invalid", BEACON_API_ERROR_TOKEN_INVALID },
  { "token_expired", BEACON_API_ERROR_TOKEN_EXPIRED },
  { "user_not_found", BEACON_API_ERROR_USER_NOT_FOUND },
  { "bad_request", BEACON_API_ERROR_BAD_REQUEST },
  { "not_found", BEACON_API_ERROR_NOT_FOUND },
  { "forbidden", BEACON_API_ERROR_FORBIDDEN },
  { "rate_limited", BEACON_API_ERROR_RATE_LIMITED },
  { "login_throttled", BEACON_API_ERROR_RATE_LIMITED },
  { "internal", BEACON_API_ERROR_INTERNAL },
};

/* The code of an error answer: the server's code when we know it, else one from the HTTP
 * status. */
BeaconApiError
beacon_api_error_from_server_code (const char *code, guint http_status)
{
  if (code != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (server_codes); i++)
      if (g_str_equal (code, server_codes[i].code))
        return server_codes[i].error;

  switch (http_status)
    {
    case 400: return BEACON_API_ERROR_BAD_REQUEST;
    case 401: return BEACON_API_ERROR_TOKEN_INVALID;
    case 403: return BEACON_API_ERROR_FORBIDDEN;
    case 404: return BEACON_API_ERROR_NOT_FOUND;
    case 429: return BEACON_API_ERROR_RATE_LIMITED;
    default: break;
    }
  if (http_status >= 500)
    return BEACON_API_ERROR_INTERNAL;
  return BEACON_API_ERROR_FAILED;
}

/* A short sentence for the person in front of the screen (the server's own message is in
 * error->message, for logs). */
const char *
beacon_api_error_sentence (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _ ("Cancelled.");
  if (error->domain != BEACON_API_ERROR)
    return _ ("Something went wrong.");

  switch ((BeaconApiError) error->code)
    {
    case BEACON_API_ERROR_INVALID_CREDENTIALS: return _ ("Wrong email or password.");
    case BEACON_API_ERROR_TOKEN_MISSING:
    case BEACON_API_ERROR_TOKEN_INVALID: return _ ("Please sign in again.");
    case BEACON_API_ERROR_TOKEN_EXPIRED:
      return _ ("Your session has expired. Please sign in again.");
    case BEACON_API_ERROR_USER_NOT_FOUND: return _ ("This account no longer exists.");
    case BEACON_API_ERROR_BAD_REQUEST: return _ ("The server did not accept this request.");
    case BEACON_API_ERROR_NOT_FOUND: return _ ("Not found.");
    case BEACON_API_ERROR_FORBIDDEN: return _ ("You are not allowed to do this.");
    case BEACON_API_ERROR_RATE_LIMITED: return _ ("Too many attempts. Please wait a minute.");
    case BEACON_API_ERROR_INTERNAL: return _ ("The server had a problem. Please try again later.");
    case BEACON_API_ERROR_NETWORK: return _ ("Cannot reach the server.");
    case BEACON_API_ERROR_TIMEOUT: return _ ("The server is not answering.");
    case BEACON_API_ERROR_UNPARSEABLE: return _ ("This does not look like a Beacon server.");
    case BEACON_API_ERROR_INSECURE:
      return _ ("This server address is not secure. Use an https:// address.");
    case BEACON_API_ERROR_FAILED:
    default: break;
    }
  return _ ("Something went wrong.");
}
