extension Connection {
    /// The values of nginx's variables for the request being answered: the one place that
    /// gathers them from the connection, its server block and the request.
    func variables() -> VariableContext {
        let port = local.port != 0 ? Int(local.port) : localPort
        var context = VariableContext(
            scheme: isTLS ? "https" : "http", serverName: serverConfig.serverNames.first ?? "", serverPort: port,
            request: request,
            remoteAddress: { [unowned self] in self.peerAddress })
        context.remotePort = { [unowned self] in self.peerPort }
        context.serverAddress = { [unowned self] in SocketAddress.local(self.fd).host }
        let started = log.started
        context.elapsedMilliseconds = { max(0, Clock.monotonicMilliseconds() - started) }
        context.location = { [unowned self] in
            self.route?.config ?? self.request.map { Dispatcher.location(for: $0.path, in: self.serverConfig) }
                ?? self.serverConfig.fallbackLocation
        }
        return context
    }
}
