/* test-api-error.c: unit tests of the BEACON_API_ERROR domain: the server's codes mapped to
 * ours (with the HTTP status as a fallback) and the sentence shown for each. */

#include "config.h"

#include <gio/gio.h>

#include "beacon-api-error.h"

static void
test_server_codes (void)
{
  static const struct
  {
    const char    *code;
    guint          status;
    BeaconApiError expected;
  } cases[] = {
    { "invalid_credentials", 401, BEACON_API_ERROR_INVALID_CREDENTIALS },
    { "token_missing", 401, BEACON_API_ERROR_TOKEN_MISSING },
    { "token_invalid", 401, BEACON_API_ERROR_TOKEN_INVALID },
    { "token_expired", 401, BEACON_API_ERROR_TOKEN_EXPIRED },
    { "user_not_found", 401, BEACON_API_ERROR_USER_NOT_FOUND },
    { "bad_request", 400, BEACON_API_ERROR_BAD_REQUEST },
    { "not_found", 404, BEACON_API_ERROR_NOT_FOUND },
    { "forbidden", 403, BEACON_API_ERROR_FORBIDDEN },
    { "rate_limited", 429, BEACON_API_ERROR_RATE_LIMITED },
    { "login_throttled", 429, BEACON_API_ERROR_RATE_LIMITED },
    { "internal", 500, BEACON_API_ERROR_INTERNAL },
    /* Unknown or missing codes: the HTTP status decides. */
    { "something_new", 400, BEACON_API_ERROR_BAD_REQUEST },
    { NULL, 401, BEACON_API_ERROR_TOKEN_INVALID },
    { NULL, 403, BEACON_API_ERROR_FORBIDDEN },
    { NULL, 404, BEACON_API_ERROR_NOT_FOUND },
    { NULL, 429, BEACON_API_ERROR_RATE_LIMITED },
    { NULL, 503, BEACON_API_ERROR_INTERNAL },
    { "conflict", 409, BEACON_API_ERROR_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (beacon_api_error_from_server_code (cases[i].code, cases[i].status), ==,
                     cases[i].expected);
}

static void
test_sentences (void)
{
  g_autoptr (GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autoptr (GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "x");

  for (int code = BEACON_API_ERROR_FAILED; code <= BEACON_API_ERROR_INSECURE; code++)
    {
      g_autoptr (GError) error = g_error_new_literal (BEACON_API_ERROR, code, "server text");
      const char        *sentence = beacon_api_error_sentence (error);

      g_assert_nonnull (sentence);
      g_assert_true (g_str_has_suffix (sentence, "."));
      g_assert_cmpstr (sentence, !=, "server text");
    }
  {
    g_autoptr (GError) error =
        g_error_new_literal (BEACON_API_ERROR, BEACON_API_ERROR_INVALID_CREDENTIALS, "x");
    g_assert_cmpstr (beacon_api_error_sentence (error), ==, "Wrong email or password.");
  }
  {
    g_autoptr (GError) error =
        g_error_new_literal (BEACON_API_ERROR, BEACON_API_ERROR_NETWORK, "x");
    g_assert_cmpstr (beacon_api_error_sentence (error), ==, "Cannot reach the server.");
  }
  {
    g_autoptr (GError) error =
        g_error_new_literal (BEACON_API_ERROR, BEACON_API_ERROR_UNPARSEABLE, "x");
    g_assert_cmpstr (beacon_api_error_sentence (error), ==,
                     "This does not look like a Beacon server.");
  }
  g_assert_cmpstr (beacon_api_error_sentence (cancelled), ==, "Cancelled.");
  g_assert_cmpstr (beacon_api_error_sentence (other), ==, "Something went wrong.");
}

int
main (int argc, char *argv[])
{
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/api-error/server-codes", test_server_codes);
  g_test_add_func ("/api-error/sentences", test_sentences);

  return g_test_run ();
}
