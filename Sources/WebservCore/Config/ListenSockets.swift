/// One socket to open for the configured `listen` addresses.
///
/// As nginx does, a port that has a wildcard address (`0.0.0.0` or `[::]`) gets only the
/// wildcard socket of that family: binding a specific address of the same family and port
/// beside it would collide with it. The specific addresses stay apart all the same: a
/// connection's local address (`getsockname`) picks the servers listening on exactly that
/// address, else those on the wildcard.
public struct ListenSocket: Equatable, Sendable {
    /// The address to bind.
    public var address: ListenAddress
    /// The `listen` directive that asked for `address`, where a failure to bind it is reported.
    public var file: String
    public var line: Int
    /// The group of servers (`VirtualHosts`) listening on `address` itself.
    public var group: Int
    /// Specific addresses this wildcard socket accepts for, with their own groups; empty when
    /// every connection belongs to `group` (then the local address is never asked for).
    public var specific: [ListenAddress: Int]
    /// `listen ... ssl`: connections speak TLS.
    public var ssl = false

    public init(address: ListenAddress, file: String, line: Int, group: Int, specific: [ListenAddress: Int] = [:]) {
        self.address = address
        self.file = file
        self.line = line
        self.group = group
        self.specific = specific
    }

    /// The listen address and group for a connection whose local address is `local` (nil
    /// when it was not asked for).
    public func route(local: ListenAddress?) -> (address: ListenAddress, group: Int) {
        if let local, let group = specific[local] { return (local, group) }
        return (address, group)
    }

    /// The sockets for `listens` (the first `listen` of each distinct address, in file order),
    /// whose groups are `groups`, in order of each socket's first address in the file.
    static func plan(_ listens: [Listen], groups: [ListenAddress: Int]) -> [ListenSocket] {
        func group(_ address: ListenAddress) -> Int { groups[address] ?? 0 }
        /// Family and port: the addresses one wildcard socket takes in.
        struct Port: Hashable {
            var isIPv6: Bool
            var number: UInt16
            init(_ address: ListenAddress) {
                isIPv6 = address.isIPv6
                number = address.port
            }
        }
        // Port 0 is no shared port: each address gets an ephemeral port of its own.
        var wildcards: [Port: Listen] = [:]
        for listen in listens where listen.address.isWildcard && listen.address.port != 0 {
            wildcards[Port(listen.address)] = listen
        }
        var sockets: [ListenSocket] = []
        var socketForPort: [Port: Int] = [:]
        for listen in listens {
            guard let wildcard = wildcards[Port(listen.address)] else {
                sockets.append(
                    ListenSocket(address: listen.address, file: listen.file, line: listen.line, group: group(listen.address)))
                continue
            }
            let s: Int
            if let existing = socketForPort[Port(listen.address)] {
                s = existing
            } else {
                s = sockets.count
                socketForPort[Port(listen.address)] = s
                sockets.append(
                    ListenSocket(
                        address: wildcard.address, file: wildcard.file, line: wildcard.line, group: group(wildcard.address)))
            }
            if !listen.address.isWildcard { sockets[s].specific[listen.address] = group(listen.address) }
        }
        // tls: the check at load time keeps ssl and plain off one socket.
        for i in sockets.indices { sockets[i].ssl = listens.contains { $0.ssl && $0.address == sockets[i].address } }
        return sockets
    }
}

extension ListenAddress {
    /// `0.0.0.0` or `::`: every address of its family.
    public var isWildcard: Bool { host == "0.0.0.0" || host == "::" }
}
