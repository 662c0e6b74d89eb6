/* fuzz-jwt.c: fuzz target for the HS256 JWT verifier: arbitrary tokens, and arbitrary
 * header and payload text signed with the right key, checked for consistent answers. */

#include "beacon-jwt.h"
#include "beacon-json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The corpus seeds are signed with this key and meant for this clock. */
#define FUZZ_KEY     ((const guint8 *) "beacon-fuzz-key")
#define FUZZ_KEY_LEN (sizeof "beacon-fuzz-key" - 1)
#define FUZZ_NOW     G_GINT64_CONSTANT (1700000000)

#define CHECK(cond)                                                          \
  G_STMT_START                                                               \
  {                                                                          \
    if (!(cond))                                                             \
      {                                                                      \
        g_printerr ("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort ();                                                            \
      }                                                                      \
  }                                                                          \
  G_STMT_END

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char *
claims_to_string (JsonObject *claims)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), claims);

  return beacon_json_to_string (node);
}

static void
append_base64url (GString *out, const char *data, gsize len)
{
  g_autofree char *b64 = g_base64_encode ((const guchar *) data, len);

  for (const char *p = b64; *p && *p != '='; p++)
    g_string_append_c (out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
}

/* Verifies @token, and checks that the answer holds together: a result or an error,
 * never both; a wire code for every error; and accepted claims that sign and verify
 * again to the same claims, and read back the same without verifying. */
static void
verify_and_check (const char *token, gsize len)
{
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  const char            *wire;

  claims = beacon_jwt_verify (token, len, FUZZ_KEY, FUZZ_KEY_LEN, FUZZ_NOW, &error);
  CHECK ((claims == NULL) == (error != NULL));
  if (error != NULL)
    {
      CHECK (error->domain == BEACON_JWT_ERROR);
      wire = beacon_jwt_error_to_wire_code (error);
      CHECK (strcmp (wire, "token_invalid") == 0 || strcmp (wire, "token_expired") == 0);
      return;
    }

  CHECK (len <= BEACON_JWT_MAX_LENGTH);
  CHECK (memchr (token, '\0', len) == NULL);

  {
    g_autofree char       *text = claims_to_string (claims);
    g_autofree char       *copy = g_strndup (token, len);
    g_autofree char       *resigned = beacon_jwt_sign (claims, FUZZ_KEY, FUZZ_KEY_LEN);
    g_autoptr (JsonObject) peeked = NULL;
    g_autoptr (GError)     peek_error = NULL;

    peeked = beacon_jwt_peek_claims (copy, &peek_error);
    CHECK (peeked != NULL && peek_error == NULL);
    {
      g_autofree char *peeked_text = claims_to_string (peeked);

      CHECK (strcmp (text, peeked_text) == 0);
    }

    if (strlen (resigned) <= BEACON_JWT_MAX_LENGTH)
      {
        g_autoptr (GError)     again_error = NULL;
        g_autoptr (JsonObject) again = NULL;
        g_autofree char       *again_text = NULL;

        again = beacon_jwt_verify (resigned, strlen (resigned), FUZZ_KEY, FUZZ_KEY_LEN, FUZZ_NOW,
                                   &again_error);
        CHECK (again != NULL && again_error == NULL);
        again_text = claims_to_string (again);
        CHECK (strcmp (text, again_text) == 0);
      }

    /* Any other key refuses it. */
    {
      g_autoptr (GError)     wrong_error = NULL;
      g_autoptr (JsonObject) wrong =
          beacon_jwt_verify (token, len, (const guint8 *) "other", 5, FUZZ_NOW, &wrong_error);

      CHECK (wrong == NULL);
      CHECK (g_error_matches (wrong_error, BEACON_JWT_ERROR, BEACON_JWT_ERROR_BAD_SIGNATURE));
    }
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data;
  const char *newline;

  /* The input as a token */
  verify_and_check (text, size);

  /* The input as a NUL-terminated token read without verifying */
  {
    g_autofree char       *copy = g_strndup (text, size);
    g_autoptr (GError)     error = NULL;
    g_autoptr (JsonObject) claims = beacon_jwt_peek_claims (copy, &error);

    CHECK ((claims == NULL) == (error != NULL));
  }

  /* "header\npayload": both encoded and signed with the right key, so that the checks
   * behind the signature (algorithm, payload, claim types and times) get fuzzed too. */
  newline = memchr (text, '\n', size);
  if (newline != NULL && size <= 4 * BEACON_JWT_MAX_LENGTH)
    {
      GString          *token = g_string_new (NULL);
      g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, FUZZ_KEY, FUZZ_KEY_LEN);
      guint8            mac[32];
      gsize             mac_len = sizeof mac;

      append_base64url (token, text, newline - text);
      g_string_append_c (token, '.');
      append_base64url (token, newline + 1, size - (newline + 1 - text));
      g_hmac_update (hmac, (const guchar *) token->str, token->len);
      g_hmac_get_digest (hmac, mac, &mac_len);
      g_string_append_c (token, '.');
      append_base64url (token, (const char *) mac, mac_len);

      verify_and_check (token->str, token->len);
      g_string_free (token, TRUE);
    }

  return 0;
}
