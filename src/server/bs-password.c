/* bs-password.c: password hashing for beacon-server: libsodium's argon2id string format
 * (crypto_pwhash_str), interactive limits, or the minimum ones when BEACON_PASSWORD_FAST=1. */

#include "bs-password.h"

#include <sodium.h>
#include <string.h>

/* Read by every hash, set by every init: atomic, so a late init races with nothing. */
static gint fast_limits;

gboolean
bs_password_init (void)
{
  if (sodium_init () < 0)
    return FALSE;

  g_atomic_int_set (&fast_limits, g_strcmp0 (g_getenv ("BEACON_PASSWORD_FAST"), "1") == 0);
  if (g_atomic_int_get (&fast_limits))
    g_debug ("Password hashing with argon2id's minimum limits (BEACON_PASSWORD_FAST=1)");
  return TRUE;
}

static void
get_limits (unsigned long long *opslimit, size_t *memlimit)
{
  if (g_atomic_int_get (&fast_limits))
    {
      *opslimit = crypto_pwhash_OPSLIMIT_MIN;
      *memlimit = crypto_pwhash_MEMLIMIT_MIN;
    }
  else
    {
      *opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      *memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    }
}

char *
bs_password_hash (const char *password)
{
  char               out[crypto_pwhash_STRBYTES];
  unsigned long long opslimit;
  size_t             memlimit;

  g_return_val_if_fail (password != NULL, NULL);

  get_limits (&opslimit, &memlimit);
  if (crypto_pwhash_str (out, password, strlen (password), opslimit, memlimit) != 0)
    {
      g_warning ("Could not hash a password: out of memory");
      return NULL;
    }
  return g_strdup (out);
}

gboolean
bs_password_verify (const char *hash, const char *password)
{
  if (hash == NULL || password == NULL)
    return FALSE;
  /* crypto_pwhash_str_verify reads at most crypto_pwhash_STRBYTES bytes of the hash: refuse
   * a longer (or unterminated) string rather than have it truncated. */
  if (strnlen (hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

gboolean
bs_password_needs_rehash (const char *hash)
{
  unsigned long long opslimit;
  size_t             memlimit;

  if (hash == NULL)
    return TRUE;
  get_limits (&opslimit, &memlimit);
  /* 0: fine; 1: other parameters; -1: not an argon2id string at all. */
  return crypto_pwhash_str_needs_rehash (hash, opslimit, memlimit) != 0;
}
