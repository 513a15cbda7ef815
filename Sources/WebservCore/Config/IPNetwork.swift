#if canImport(Glibc)
    import Glibc
#endif

/// An address or CIDR block of `allow`/`deny`: IPv4 or IPv6, the bits below the prefix cleared.
public struct IPNetwork: Hashable, Sendable {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let address: [UInt8]
    public let prefixLength: Int

    /// `ADDR` or `ADDR/BITS`; nil when either part is invalid.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.addressBytes(String(parts[0])) else { return nil }
        var bits = bytes.count * 8
        if parts.count == 2 {
            guard let n = ConfigValues.decimal(parts[1]), n <= bits else { return nil }
            bits = n
        }
        var masked = bytes
        for i in masked.indices {
            let keep = max(0, min(8, bits - i * 8))
            masked[i] &= keep == 8 ? 0xFF : ~(0xFF >> keep)
        }
        address = masked
        prefixLength = bits
    }

    /// The bytes of a numeric IPv4 or IPv6 address, nil when `text` is neither.
    public static func addressBytes(_ text: String) -> [UInt8]? {
        let family = text.contains(":") ? AF_INET6 : AF_INET
        var buffer = [UInt8](repeating: 0, count: 16)
        let ok = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) } == 1
        guard ok else { return nil }
        return family == AF_INET ? Array(buffer.prefix(4)) : buffer
    }

    /// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its IPv4 bytes; other addresses as they are.
    public static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else {
            return bytes
        }
        return Array(bytes[12..<16])
    }

    /// True when `bytes` (a client address, already unmapped) lies inside this network.
    public func contains(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == address.count else { return false }
        var bits = prefixLength
        for i in address.indices where bits > 0 {
            let keep = min(8, bits)
            let mask: UInt8 = keep == 8 ? 0xFF : ~(0xFF >> keep)
            if bytes[i] & mask != address[i] { return false }
            bits -= keep
        }
        return true
    }
}

/// One `allow` or `deny` line; a nil network is `all`.
public struct AccessRule: Hashable, Sendable {
    public var allow: Bool
    public var network: IPNetwork?

    public init(allow: Bool, network: IPNetwork?) {
        self.allow = allow
        self.network = network
    }

    /// nginx's access phase: the first rule that matches decides; none matching allows.
    /// `client` is the address's bytes, IPv4-mapped IPv6 already turned into IPv4.
    public static func allows(_ rules: [AccessRule], client: [UInt8]?) -> Bool {
        for rule in rules {
            guard let network = rule.network else { return rule.allow }
            if let client, network.contains(client) { return rule.allow }
        }
        return true
    }
}
