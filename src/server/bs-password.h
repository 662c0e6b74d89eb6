/* bs-password.h: password hashing for beacon-server with libsodium's argon2id
 * (crypto_pwhash_str); thread-safe, so logins can verify off the event loop. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Must be called once before any other function here (sodium_init). FALSE if it failed. */
gboolean bs_password_init (void);
/* A new argon2id hash string for password, or NULL (out of memory). */
char    *bs_password_hash (const char *password);
/* TRUE when password matches hash; constant time. */
gboolean bs_password_verify (const char *hash, const char *password);

G_END_DECLS
