#ifndef PRUNEDOC_COPENSSL_SHIM_H
#define PRUNEDOC_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/crypto.h>

// Swift cannot call OpenSSL's function-like macros; these wrap the ones we use.
static inline long prunedoc_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
static inline long prunedoc_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline const char *prunedoc_OpenSSL_version_text(void) {
    return OpenSSL_version(OPENSSL_VERSION);
}
static inline long prunedoc_BIO_get_mem_data(BIO *b, char **pp) {
    return BIO_get_mem_data(b, pp);
}
static inline STACK_OF(X509) *prunedoc_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int prunedoc_sk_X509_num(const STACK_OF(X509) *s) { return sk_X509_num(s); }
static inline X509 *prunedoc_sk_X509_value(const STACK_OF(X509) *s, int i) { return sk_X509_value(s, i); }
static inline int prunedoc_sk_X509_push(STACK_OF(X509) *s, X509 *x) { return sk_X509_push(s, x); }
static inline void prunedoc_sk_X509_free(STACK_OF(X509) *s) { sk_X509_free(s); }
static inline void prunedoc_sk_X509_pop_free(STACK_OF(X509) *s) { sk_X509_pop_free(s, X509_free); }
static inline int prunedoc_sk_GENERAL_NAME_num(const STACK_OF(GENERAL_NAME) *s) { return sk_GENERAL_NAME_num(s); }
static inline GENERAL_NAME *prunedoc_sk_GENERAL_NAME_value(const STACK_OF(GENERAL_NAME) *s, int i) { return sk_GENERAL_NAME_value(s, i); }
static inline void prunedoc_GENERAL_NAMES_free(STACK_OF(GENERAL_NAME) *s) { GENERAL_NAMES_free(s); }
#endif
