/// The server's TLS state: an OpenSSL context per server that has a certificate, which
/// listen addresses speak TLS, and the SNI choice (the `Host` rules of `VirtualHosts`).
final class TLSServers {
    /// By server index; nil for a server without a certificate.
    let contexts: [TLSContext?]
    let vhosts: VirtualHosts
    /// Where a TLS transport reads file data before encrypting it (one thread: one buffer).
    /// Allocated last in `init`, so that a configuration error leaves nothing behind.
    let scratch: UnsafeMutableRawPointer

    /// The most file data read at once; it leaves as four 16 KiB records. nginx reads 32 KiB
    /// (`output_buffers`); one pread() per four records instead of one each saves 48 system
    /// calls per MiB.
    static let fileChunk = 64 * 1024
    /// One TLS record's worth of plaintext.
    static let record = 16 * 1024

    /// Loads every certificate and key (a server with `ssl_certificate` but no TLS listen
    /// too, as nginx does) and checks that every `listen ... ssl` has one, and that no port
    /// is TLS on one address and plain on another that shares its socket.
    init(_ configuration: Configuration, vhosts: VirtualHosts) throws(ConfigError) {
        try Self.checkPorts(configuration)
        var contexts: [TLSContext?] = []
        for (server, tls) in zip(configuration.servers, configuration.tls) {
            let ssl = server.listens.first { $0.ssl }
            if ssl == nil && tls.certificates.isEmpty {
                contexts.append(nil)
                continue
            }
            let place = ssl.map { DirectivePlace(file: $0.file, line: $0.line) } ?? DirectivePlace(file: "", line: 0)
            contexts.append(try TLSContext(tls, listenPlace: place))
        }
        self.contexts = contexts
        self.vhosts = vhosts
        scratch = UnsafeMutableRawPointer.allocate(byteCount: TLSServers.fileChunk, alignment: 16)
    }

    deinit { scratch.deallocate() }

    /// True when the configuration has any TLS listen (only then is a `TLSServers` needed at run time).
    static func needed(_ configuration: Configuration) -> Bool {
        configuration.servers.contains { s in s.listens.contains { $0.ssl } }
            || configuration.tls.contains { !$0.certificates.isEmpty }
    }

    /// One port cannot be TLS and plain where a socket is shared: the same address, or a
    /// wildcard and any address of its family.
    private static func checkPorts(_ configuration: Configuration) throws(ConfigError) {
        let listens = configuration.servers.flatMap(\.listens)
        for (i, a) in listens.enumerated() {
            for b in listens[..<i] where b.ssl != a.ssl && b.address.port == a.address.port {
                // Port 0 is no shared port (`ListenSocket.plan`), but one address is one socket.
                let shared =
                    a.address == b.address
                    || (a.address.port != 0 && a.address.isIPv6 == b.address.isIPv6
                        && (a.address.isWildcard || b.address.isWildcard))
                guard shared else { continue }
                throw ConfigError(
                    file: a.file, line: a.line,
                    message:
                        "\(a.address) is \(a.ssl ? "ssl" : "plain") here but \(b.ssl ? "ssl" : "plain") in \"listen\" at \(b.file):\(b.line)"
                )
            }
        }
    }

    /// The server and context for a handshake on `group` whose SNI name is `name` (nil: none).
    func choose(group: Int, name: ArraySlice<UInt8>?) -> (server: Int, context: TLSContext)? {
        let server = vhosts.serverIndex(inGroup: group, host: name)
        if let context = contexts[server] { return (server, context) }
        let fallback = vhosts.serverIndex(inGroup: group, host: nil)
        return contexts[fallback].map { (fallback, $0) }
    }

    /// Whether servers `a` and `b` present the same certificate.
    func shareCertificate(_ a: Int, _ b: Int) -> Bool {
        a == b || (contexts[a] != nil && contexts[a]?.identity == contexts[b]?.identity)
    }
}
