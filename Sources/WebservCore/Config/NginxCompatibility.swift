/// Directives a configuration moved from nginx usually carries that webserv reads without
/// acting on: tuning that does not apply to one `poll()` loop (`sendfile`, `tcp_nopush`, hash
/// table sizes, `events { }`), and `worker_processes 1` (SPEC 10's default). Each value is
/// still checked, so a typo is reported as nginx would report it.
enum NginxCompatibility {
    static let rows: [DirectiveRow] = [
        // sendfile is used wherever the transport allows; TCP_NODELAY is always on, and MSG_MORE
        // joins a head to the file behind it (what tcp_nopush is for).
        DirectiveRow("sendfile", .anyHTTP, arguments: 1...1, set: flag),
        DirectiveRow("tcp_nopush", .anyHTTP, arguments: 1...1, set: flag),
        DirectiveRow("tcp_nodelay", .anyHTTP, arguments: 1...1, set: flag),
        // The Server header never names a version.
        DirectiveRow("server_tokens", .anyHTTP, arguments: 1...1) { _, n, _ throws(ConfigError) in
            guard ["on", "off", "build"].contains(n.args[0]) else { throw Setters.invalidValue(n) }
        },
        // Numbers, not sizes (nginx's num slot: `1k` is refused).
        DirectiveRow("types_hash_max_size", .anyHTTP, arguments: 1...1, set: number),
        DirectiveRow("types_hash_bucket_size", .anyHTTP, arguments: 1...1, set: number),
        DirectiveRow("server_names_hash_max_size", .http, arguments: 1...1, set: number),
        DirectiveRow("server_names_hash_bucket_size", .http, arguments: 1...1, set: number),
        DirectiveRow("worker_processes", .main, arguments: 1...1) { _, n, _ throws(ConfigError) in
            guard n.args[0] == "1" else {
                throw n.error(argument: 0, "\"worker_processes \(n.args[0])\" is not supported: webserv runs one process")
            }
        },
        DirectiveRow("events", .main, arguments: 0...0, block: true),
        DirectiveRow("worker_connections", .events, arguments: 1...1) { _, n, _ throws(ConfigError) in
            guard let count = ConfigValues.decimal(Substring(n.args[0])), count > 0 else { throw Setters.invalidValue(n) }
        },
        DirectiveRow("multi_accept", .events, arguments: 1...1, set: flag),
        DirectiveRow("accept_mutex", .events, arguments: 1...1, set: flag),
        DirectiveRow("use", .events, arguments: 1...1) { _, n, _ throws(ConfigError) in
            guard ["epoll", "poll", "select", "kqueue", "eventport", "/dev/poll"].contains(n.args[0]) else {
                throw Setters.invalidValue(n)
            }
        },
    ]

    private static func flag(_: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        _ = try Setters.flag(n)
    }

    private static func number(_: inout BlockSettings, _ n: ConfigNode, _: inout CheckState) throws(ConfigError) {
        guard ConfigValues.decimal(Substring(n.args[0])) != nil else { throw Setters.invalidValue(n) }
    }
}

extension DirectiveContext {
    /// Inside the top-level `events { }`.
    static let events = DirectiveContext(rawValue: 32)
}
