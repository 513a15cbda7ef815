extension Connection {
    /// The values of nginx's variables for the request being answered: the one place that
    /// gathers them from the connection, its server block and the request.
    func variables() -> VariableContext {
        let port = local.port != 0 ? Int(local.port) : localPort
        return VariableContext(
            scheme: isTLS ? "https" : "http", serverName: serverConfig.serverNames.first ?? "", serverPort: port,
            request: request,
            remoteAddress: { [unowned self] in self.peerAddress })
    }
}
