extension Connection {
    /// The values of nginx's variables for the request being answered: the one place that
    /// gathers them from the connection, its server block and the request.
    func variables() -> VariableContext {
        let port = local.port != 0 ? Int(local.port) : Int(SocketAddress.localPort(fd))
        // TLS: "https" when the connection is TLS (`isTLS` comes with the TLS transport).
        let scheme = "http"
        return VariableContext(
            scheme: scheme, serverName: serverConfig.serverNames.first ?? "", serverPort: port, request: request,
            remoteAddress: { [unowned self] in self.peerAddress })
    }
}
