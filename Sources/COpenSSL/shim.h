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
static inline long prunedoc_SSL_CTX_set_max_cert_list(SSL_CTX *ctx, long n) { return SSL_CTX_set_max_cert_list(ctx, n); }
static inline long prunedoc_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int v) { return SSL_CTX_set_min_proto_version(ctx, v); }
static inline long prunedoc_SSL_CTX_set_options_no_renegotiation(SSL_CTX *ctx) { return (long)SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION); }
static inline size_t prunedoc_BIO_pending(BIO *b) { return BIO_ctrl_pending(b); }
static inline int prunedoc_BIO_set_mem_eof_return(BIO *b, int v) { return (int)BIO_set_mem_eof_return(b, v); }
static inline int prunedoc_sk_X509_NAME_num(const STACK_OF(X509_NAME) *s) { return sk_X509_NAME_num(s); }

/// RFC 2253 order and escaping, UTF-8 kept as is.
static inline unsigned long prunedoc_name_flags(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }

/// What the handshake showed, seen from OpenSSL's message callback (TLS 1.3 messages are encrypted on the wire).
typedef struct prunedoc_msg_stats {
    size_t largest_certificate_message; // Go refuses Certificate messages over 262144 bytes …
    size_t largest_other_message;       // … and other handshake messages over 65536 bytes
    int certificate_requested;          // the server sent a CertificateRequest
    int hello_requests;                 // TLS 1.2 renegotiation attempts (HelloRequest)
    int alert_received;                 // last alert description from the peer, -1 if none
    int alert_level;
} prunedoc_msg_stats;

static void prunedoc_msg_callback(int write_p, int version, int content_type, const void *buf, size_t len, SSL *ssl, void *arg) {
    (void)version; (void)ssl;
    prunedoc_msg_stats *st = (prunedoc_msg_stats *)arg;
    if (!st || write_p) return;
    const unsigned char *b = (const unsigned char *)buf;
    if (content_type == SSL3_RT_HANDSHAKE && len >= 4) {
        size_t n = ((size_t)b[1] << 16) | ((size_t)b[2] << 8) | (size_t)b[3];
        if (b[0] == SSL3_MT_CERTIFICATE) { if (n > st->largest_certificate_message) st->largest_certificate_message = n; }
        else if (n > st->largest_other_message) st->largest_other_message = n;
        if (b[0] == SSL3_MT_CERTIFICATE_REQUEST) st->certificate_requested = 1;
        if (b[0] == SSL3_MT_HELLO_REQUEST) st->hello_requests += 1;
    } else if (content_type == SSL3_RT_ALERT && len >= 2) {
        st->alert_level = b[0];
        st->alert_received = b[1];
    }
}
static inline void prunedoc_SSL_observe_messages(SSL *ssl, prunedoc_msg_stats *stats) {
    stats->alert_received = -1;
    SSL_set_msg_callback(ssl, prunedoc_msg_callback);
    SSL_set_msg_callback_arg(ssl, stats);
}
#endif
