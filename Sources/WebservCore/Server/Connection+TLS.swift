/// What the transport's TLS state decides about a parsed request before any handler runs.
extension Connection {
    /// nginx's page for a plain HTTP request on a TLS port.
    static let plainHTTPPage = """
        <html>
        <head><title>400 The plain HTTP request was sent to HTTPS port</title></head>
        <body>
        <center><h1>400 Bad Request</h1></center>
        <center>The plain HTTP request was sent to HTTPS port</center>
        <hr><center>webserv</center>
        </body>
        </html>

        """

    /// Answers a request that TLS refuses and returns true: plain HTTP on a TLS port gets 400
    /// and the close (nginx); a `Host` whose server presents another certificate than the one
    /// the SNI name chose gets 421 Misdirected Request (SPEC §7).
    func refusedByTransport() -> Bool {
        // Without a Host (HTTP/1.0), the server the SNI name chose answers, as in nginx.
        if request?.host == nil, let chosen = transport.sniServer { serverIndex = chosen }
        if transport.sentPlainHTTP {
            keepAlive = false
            respond(.html(400, Self.plainHTTPPage, headers: []))
            return true
        }
        if let chosen = transport.sniServer, chosen != serverIndex, server.tls?.shareCertificate(chosen, serverIndex) != true {
            respondError(421)
            return true
        }
        return false
    }
}
