// OpenSSL 3 from the system (Debian libssl-dev), as nginx links it.
#ifndef WEBSERV_COPENSSL_SHIM_H
#define WEBSERV_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

// Macros Swift cannot import, as functions.
static inline long webserv_SSL_CTX_set_options(SSL_CTX *ctx, unsigned long op) { return (long)SSL_CTX_set_options(ctx, op); }
static inline long webserv_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long webserv_SSL_CTX_set_read_ahead(SSL_CTX *ctx, long yes) { return SSL_CTX_set_read_ahead(ctx, yes); }
static inline long webserv_SSL_set_mode(SSL *ssl, long mode) { return SSL_set_mode(ssl, mode); }
static inline long webserv_SSL_clear_mode(SSL *ssl, long mode) { return SSL_clear_mode(ssl, mode); }
static inline long webserv_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_session_cache_mode(ctx, mode); }
static inline long webserv_SSL_CTX_sess_set_cache_size(SSL_CTX *ctx, long size) { return SSL_CTX_sess_set_cache_size(ctx, size); }
static inline int webserv_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_min_proto_version(ctx, v); }
static inline int webserv_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_max_proto_version(ctx, v); }
static inline long webserv_SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, int (*cb)(SSL *, int *, void *)) {
    return SSL_CTX_set_tlsext_servername_callback(ctx, cb);
}
static inline long webserv_SSL_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg) { return SSL_CTX_set_tlsext_servername_arg(ctx, arg); }
static inline long webserv_SSL_CTX_add_extra_chain_cert(SSL_CTX *ctx, X509 *x509) { return SSL_CTX_add_extra_chain_cert(ctx, x509); }
static inline int webserv_SSL_CTX_set_num_tickets(SSL_CTX *ctx, size_t n) { return SSL_CTX_set_num_tickets(ctx, n); }

// tls: ALPN selection for the server: HTTP/1.x (h2 can be added to the list later). A client
// that offers none of them gets the fatal no_application_protocol alert (RFC 7301 section 3.2;
// nginx since 1.21.4).
static const unsigned char webserv_alpn_protocols[] = "\x08http/1.1\x08http/1.0";
static inline int webserv_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                      const unsigned char *in, unsigned int inlen, void *arg) {
    unsigned char *chosen = NULL;
    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto(&chosen, outlen, webserv_alpn_protocols, sizeof(webserv_alpn_protocols) - 1, in, inlen)
        != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}
static inline void webserv_SSL_CTX_select_http11(SSL_CTX *ctx) { SSL_CTX_set_alpn_select_cb(ctx, webserv_alpn_select, NULL); }
static inline long webserv_SSL_CTX_clear_options(SSL_CTX *ctx, unsigned long op) { return (long)SSL_CTX_clear_options(ctx, op); }
static inline void *webserv_SSL_get_app_data(const SSL *ssl) { return SSL_get_ex_data(ssl, 0); }
static inline int webserv_SSL_set_app_data(SSL *ssl, void *arg) { return SSL_set_ex_data(ssl, 0, arg); }
// tls: SSL_OP_* are built by a macro Swift cannot import.
static const uint64_t webserv_SSL_OP_NO_SSLv3 = SSL_OP_NO_SSLv3;
static const uint64_t webserv_SSL_OP_NO_TLSv1 = SSL_OP_NO_TLSv1;
static const uint64_t webserv_SSL_OP_NO_TLSv1_1 = SSL_OP_NO_TLSv1_1;
static const uint64_t webserv_SSL_OP_NO_TLSv1_2 = SSL_OP_NO_TLSv1_2;
static const uint64_t webserv_SSL_OP_NO_TLSv1_3 = SSL_OP_NO_TLSv1_3;
static const uint64_t webserv_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t webserv_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
static const uint64_t webserv_SSL_OP_IGNORE_UNEXPECTED_EOF = SSL_OP_IGNORE_UNEXPECTED_EOF;
static const uint64_t webserv_SSL_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;
static const uint64_t webserv_SSL_OP_NO_TICKET = SSL_OP_NO_TICKET;
#endif
