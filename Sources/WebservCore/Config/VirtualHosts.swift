/// Picks the `server` for a connection's listen address and `Host` header, built once from a
/// `Configuration` so that each request pays only byte comparisons.
public struct VirtualHosts: Sendable {
    /// Distinct listen addresses in order of first appearance in the file.
    public let addresses: [ListenAddress]
    /// The sockets that serve them (`ListenSocket.plan`).
    public let sockets: [ListenSocket]
    private let groups: [Group]
    private let groupIndex: [ListenAddress: Int]

    /// The servers sharing one address.
    private struct Group: Sendable {
        var defaultServer: Int
        var hasExplicitDefault = false
        /// Lower-case names; the first server in the file wins a name two servers share.
        var exact: [(name: [UInt8], server: Int)] = []
        /// `*.example.com` stored as `.example.com`, longest first.
        var wildcards: [(suffix: [UInt8], server: Int)] = []
    }

    public init(_ configuration: Configuration) {
        var listens: [Listen] = []
        var groups: [Group] = []
        var groupIndex: [ListenAddress: Int] = [:]
        for (serverIndex, server) in configuration.servers.enumerated() {
            for listen in server.listens {
                let g: Int
                if let existing = groupIndex[listen.address] {
                    g = existing
                } else {
                    g = groups.count
                    groupIndex[listen.address] = g
                    listens.append(listen)
                    groups.append(Group(defaultServer: serverIndex))
                }
                if listen.defaultServer && !groups[g].hasExplicitDefault {
                    groups[g].defaultServer = serverIndex
                    groups[g].hasExplicitDefault = true
                }
                for name in server.serverNames where !name.isEmpty {
                    if name.hasPrefix("*.") {
                        groups[g].wildcards.append((Array(name.utf8.dropFirst()), serverIndex))
                    } else {
                        groups[g].exact.append((Array(name.utf8), serverIndex))
                    }
                }
            }
        }
        for g in groups.indices {
            // Stable: among equally long wildcards the earlier server stays first.
            let ordered = groups[g].wildcards.enumerated().sorted {
                $0.element.suffix.count != $1.element.suffix.count
                    ? $0.element.suffix.count > $1.element.suffix.count : $0.offset < $1.offset
            }
            groups[g].wildcards = ordered.map(\.element)
        }
        self.addresses = listens.map(\.address)
        self.sockets = ListenSocket.plan(listens, groups: groupIndex)
        self.groups = groups
        self.groupIndex = groupIndex
    }

    /// Index into `configuration.servers` for a connection accepted on `address` (one of
    /// `addresses`) with Host header bytes `host` (nil when absent). Case, port and a trailing
    /// dot are ignored. Exact name, then the longest wildcard, then the address's default server.
    public func serverIndex(for address: ListenAddress, host: ArraySlice<UInt8>?) -> Int {
        guard let g = group(for: address) else { return 0 }
        return serverIndex(inGroup: g, host: host)
    }

    /// The servers listening on `address`, as a number for `serverIndex(inGroup:host:)`: a
    /// connection looks it up once (`ListenSocket.route`) rather than for every request.
    public func group(for address: ListenAddress) -> Int? { groupIndex[address] }

    public func serverIndex(inGroup g: Int, host: ArraySlice<UInt8>?) -> Int {
        let group = groups[g]
        // Without names every Host maps to the default server: no need to parse it.
        if group.exact.isEmpty && group.wildcards.isEmpty { return group.defaultServer }
        guard let host, let name = Self.hostName(host), !name.isEmpty else { return group.defaultServer }
        for entry in group.exact where Self.equalsLowercased(name, entry.name[...]) {
            return entry.server
        }
        for entry in group.wildcards where name.count > entry.suffix.count {
            let tail = name[(name.endIndex - entry.suffix.count)...]
            if Self.equalsLowercased(tail, entry.suffix[...]) { return entry.server }
        }
        return group.defaultServer
    }

    /// The host part of a Host value: surrounding blanks, `:port` and one trailing dot removed;
    /// an IPv6 literal keeps its brackets. nil when malformed.
    static func hostName(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var host = value
        while let first = host.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
            host.removeFirst()
        }
        while let last = host.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { host.removeLast() }
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            return host[...close]
        }
        if let colon = host.firstIndex(of: UInt8(ascii: ":")) { host = host[..<colon] }
        if host.last == UInt8(ascii: ".") { host.removeLast() }
        return host
    }

    /// `candidate` equals the lower-case `name`, ASCII case-insensitively.
    private static func equalsLowercased(_ candidate: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        guard candidate.count == name.count else { return false }
        var i = candidate.startIndex
        var j = name.startIndex
        while i < candidate.endIndex {
            var byte = candidate[i]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            if byte != name[j] { return false }
            i += 1
            j += 1
        }
        return true
    }
}
