/* beacon-jwt.h: JSON Web Tokens signed with HMAC-SHA256 (HS256): signing, strict
 * verification against an injected clock, and reading the claims without verifying. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BEACON_JWT_ERROR (beacon_jwt_error_quark ())

typedef enum
{
  BEACON_JWT_ERROR_MALFORMED,
  BEACON_JWT_ERROR_BAD_ALGORITHM,
  BEACON_JWT_ERROR_BAD_SIGNATURE,
  BEACON_JWT_ERROR_EXPIRED,
  BEACON_JWT_ERROR_NOT_YET_VALID,
  BEACON_JWT_ERROR_BAD_CLAIMS,
  BEACON_JWT_ERROR_TOO_LARGE,
} BeaconJwtError;

/* Tokens longer than this many bytes are refused before any decoding. */
#define BEACON_JWT_MAX_LENGTH 8192

GQuark beacon_jwt_error_quark (void);

char       *beacon_jwt_sign (JsonObject *claims, const guint8 *key, gsize key_len);
JsonObject *beacon_jwt_verify (const char   *token,
                               gsize         len,
                               const guint8 *key,
                               gsize         key_len,
                               gint64        now_seconds,
                               GError      **error);
JsonObject *beacon_jwt_peek_claims (const char *token, GError **error);
const char *beacon_jwt_error_to_wire_code (const GError *error);

G_END_DECLS
