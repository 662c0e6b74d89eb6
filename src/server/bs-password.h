/* bs-password.h: password hashing for beacon-server with libsodium's argon2id
 * (crypto_pwhash_str); thread-safe, so logins can verify off the event loop. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Hashes use argon2id with libsodium's INTERACTIVE limits (2 passes, 64 MiB). With the
 * environment variable BEACON_PASSWORD_FAST=1 (read by bs_password_init) they use the MIN
 * limits instead: for tests and big demo imports only, never for real accounts. Hashes of
 * either kind verify in both modes (the string carries its parameters). */

/* Must be called once before any other function here (sodium_init). FALSE if it failed. */
gboolean bs_password_init (void);
/* A new argon2id hash string for password, or NULL (out of memory). */
char *bs_password_hash (const char *password);
/* TRUE when password matches hash; constant time. */
gboolean bs_password_verify (const char *hash, const char *password);
/* TRUE when hash was made with other limits than the current mode's (e.g. a fast demo hash
 * on a normal server), or is not an argon2id string: re-hash the password after a login. */
gboolean bs_password_needs_rehash (const char *hash);

G_END_DECLS
