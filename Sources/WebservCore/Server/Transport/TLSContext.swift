import COpenSSL

#if canImport(Glibc)
    import Glibc
#endif

/// One server's OpenSSL context (`SSL_CTX`): its certificate chain and key, protocols,
/// ciphers, session cache and tickets, and ALPN. Built when the configuration is checked
/// (so `-t` loads every certificate and key) and again when the server starts.
final class TLSContext {
    let ctx: OpaquePointer
    /// The certificate and key files: servers that share them may answer each other's names.
    private(set) var identity: String

    /// Errors name the directive that is at fault, as nginx's do.
    init(_ settings: TLSSettings, listenPlace: DirectivePlace) throws(ConfigError) {
        func fail(_ place: DirectivePlace, _ message: String) -> ConfigError {
            ConfigError(file: place.file, line: place.line, message: message)
        }
        let (certificates, keys) = (settings.certificates, settings.certificateKeys)
        guard let first = certificates.first else {
            throw fail(listenPlace, "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive")
        }
        // Each certificate with its key, in order; a list longer than the other names its first extra.
        if certificates.count > keys.count {
            let extra = certificates[keys.count]
            throw fail(extra.place, "no \"ssl_certificate_key\" is defined for certificate \"\(extra.path)\"")
        }
        if keys.count > certificates.count {
            let extra = keys[certificates.count]
            throw fail(extra.place, "no \"ssl_certificate\" is defined for certificate key \"\(extra.path)\"")
        }
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw fail(first.place, "SSL_CTX_new() failed\(Self.sslError())")
        }
        self.ctx = ctx
        identity = zip(certificates, keys).map { $0.path + "\u{0}" + $1.path }.joined(separator: "\u{0}")
        ERR_clear_error()
        // An encrypted key is an error, never a passphrase prompt on the terminal.
        SSL_CTX_set_default_passwd_cb(ctx) { _, _, _, _ in 0 }
        // Several pairs (an ECDSA beside an RSA certificate): OpenSSL keeps one per key type.
        for (certificate, key) in zip(certificates, keys) {
            try Self.load(ctx, certificate: certificate, key: key)
        }
        let cipherPlace = settings.ciphersPlace ?? first.place
        guard SSL_CTX_set_cipher_list(ctx, settings.ciphers) == 1 else {
            throw fail(cipherPlace, "SSL_CTX_set_cipher_list(\"\(settings.ciphers)\") failed\(Self.sslError())")
        }
        configure(settings)
    }

    deinit { SSL_CTX_free(ctx) }

    /// A certificate (with its chain) and its key, checked against each other.
    private static func load(_ ctx: OpaquePointer, certificate: PathAt, key: PathAt) throws(ConfigError) {
        func fail(_ place: DirectivePlace, _ message: String) -> ConfigError {
            ConfigError(file: place.file, line: place.line, message: message)
        }
        let (cert, keyPath) = (certificate.path, key.path)
        if let problem = unreadable(cert) {
            throw fail(certificate.place, "cannot load certificate \"\(cert)\": \(problem)")
        }
        guard SSL_CTX_use_certificate_chain_file(ctx, cert) == 1, let loaded = SSL_CTX_get0_certificate(ctx) else {
            throw fail(certificate.place, "cannot load certificate \"\(cert)\": not a PEM certificate\(sslError())")
        }
        if let problem = unreadable(keyPath) {
            throw fail(key.place, "cannot load certificate key \"\(keyPath)\": \(problem)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, keyPath, SSL_FILETYPE_PEM) == 1 else {
            let reason = sslError()
            if reason.contains("mismatch") {
                throw fail(key.place, "certificate key \"\(keyPath)\" does not match certificate \"\(cert)\"\(reason)")
            }
            throw fail(key.place, "cannot load certificate key \"\(keyPath)\": not an unencrypted PEM private key\(reason)")
        }
        // This certificate against this key: OpenSSL files a key by its type, so an RSA key after
        // an ECDSA certificate would land beside an earlier RSA certificate and pass its check.
        guard X509_check_private_key(loaded, SSL_CTX_get0_privatekey(ctx)) == 1 else {
            ERR_clear_error()
            throw fail(key.place, "certificate key \"\(keyPath)\" does not match certificate \"\(cert)\"")
        }
    }

    /// Protocols, options, modes, sessions and ALPN.
    private func configure(_ settings: TLSSettings) {
        let versions: [(TLSProtocol, Int32, UInt64)] = [
            (.sslv3, SSL3_VERSION, webserv_SSL_OP_NO_SSLv3), (.tlsv1, TLS1_VERSION, webserv_SSL_OP_NO_TLSv1),
            (.tlsv1_1, TLS1_1_VERSION, webserv_SSL_OP_NO_TLSv1_1), (.tlsv1_2, TLS1_2_VERSION, webserv_SSL_OP_NO_TLSv1_2),
            (.tlsv1_3, TLS1_3_VERSION, webserv_SSL_OP_NO_TLSv1_3),
        ]
        let enabled = versions.filter { settings.protocols.contains($0.0) }
        var options = webserv_SSL_OP_NO_RENEGOTIATION | webserv_SSL_OP_NO_COMPRESSION
        options |= webserv_SSL_OP_IGNORE_UNEXPECTED_EOF
        if let low = enabled.first, let high = enabled.last {
            _ = webserv_SSL_CTX_set_min_proto_version(ctx, low.1)
            _ = webserv_SSL_CTX_set_max_proto_version(ctx, high.1)
            // A gap in the list (TLSv1 TLSv1.2) is switched off on its own.
            for v in versions where v.0 > low.0 && v.0 < high.0 && !settings.protocols.contains(v.0) { options |= v.2 }
        } else {
            // Only SSLv2 listed (or nothing OpenSSL still speaks): no handshake can succeed.
            _ = webserv_SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)
            options |= webserv_SSL_OP_NO_TLSv1_3
        }
        if settings.preferServerCiphers { options |= webserv_SSL_OP_CIPHER_SERVER_PREFERENCE }
        if !settings.sessionTickets { options |= webserv_SSL_OP_NO_TICKET }
        _ = webserv_SSL_CTX_set_options(ctx, UInt(options))
        _ = webserv_SSL_CTX_set_mode(
            ctx, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        // One read() takes every record the socket holds (TLSTransport.readRecords).
        _ = webserv_SSL_CTX_set_read_ahead(ctx, 1)
        let sid: [UInt8] = Array("webserv".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sid, UInt32(sid.count))
        _ = SSL_CTX_set_timeout(ctx, max(1, settings.sessionTimeout / 1000))
        switch settings.sessionCache {
        case .off:
            _ = webserv_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        case .none:
            // nginx's "none": sessions look reusable to the client, none is stored.
            _ = webserv_SSL_CTX_set_session_cache_mode(
                ctx, Int(SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_AUTO_CLEAR | SSL_SESS_CACHE_NO_INTERNAL_STORE))
            _ = webserv_SSL_CTX_sess_set_cache_size(ctx, 1)
        case .sessions(let n):
            _ = webserv_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_SERVER))
            _ = webserv_SSL_CTX_sess_set_cache_size(ctx, n)
        }
        webserv_SSL_CTX_select_http11(ctx)
        _ = webserv_SSL_CTX_set_tlsext_servername_callback(ctx, TLSTransport.serverNameCallback)
    }

    /// Why `path` cannot be opened for reading, or nil.
    private static func unreadable(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return String(cString: strerror(errno)) }
        Sys.close(fd)
        return nil
    }

    /// OpenSSL's last queued error as ` (SSL: ...)`, emptied; "" when none.
    static func sslError() -> String {
        var last: UInt = 0
        while true {
            let e = ERR_get_error()
            if e == 0 { break }
            last = e
        }
        guard last != 0 else { return "" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(last, &buffer, buffer.count)
        return " (SSL: \(Bytes.string(cString: buffer)))"
    }
}
