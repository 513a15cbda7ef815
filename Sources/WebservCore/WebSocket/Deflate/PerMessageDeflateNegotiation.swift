/// The permessage-deflate parameters one connection agreed on (RFC 7692 §7.1).
public struct PerMessageDeflateParameters: Hashable, Sendable {
    /// We reset our compressor after every message (§7.1.1.1).
    public var serverNoContextTakeover = false
    /// The client resets its compressor after every message, so we may reset our inflater (§7.1.1.2).
    public var clientNoContextTakeover = false
    /// The LZ77 window we promised not to exceed (§7.1.2.1); 15 when the client did not ask.
    public var serverMaxWindowBits = 15
    /// Echoed in the response only when the offer asked for it.
    var answersServerMaxWindowBits = false

    public init(
        serverNoContextTakeover: Bool = false, clientNoContextTakeover: Bool = false, serverMaxWindowBits: Int = 15
    ) {
        self.serverNoContextTakeover = serverNoContextTakeover
        self.clientNoContextTakeover = clientNoContextTakeover
        self.serverMaxWindowBits = serverMaxWindowBits
    }

    /// zlib refuses a raw 256-byte window (8); its 512-byte window (9) never reaches further back
    /// than 250 bytes (the window less MIN_LOOKAHEAD), so its output is valid for a peer that was
    /// promised 8 — what zlib itself does for 8 with a zlib header, and what other servers do.
    public var compressorWindowBits: Int { max(serverMaxWindowBits, 9) }

    /// The `Sec-WebSocket-Extensions` value of the 101.
    public var responseHeader: String {
        var value = "permessage-deflate"
        if serverNoContextTakeover { value += "; server_no_context_takeover" }
        if clientNoContextTakeover { value += "; client_no_context_takeover" }
        if answersServerMaxWindowBits { value += "; server_max_window_bits=\(serverMaxWindowBits)" }
        return value
    }
}

/// Picks the first acceptable permessage-deflate offer of a `Sec-WebSocket-Extensions` header.
public enum PerMessageDeflateNegotiation {
    /// `forceServerNoContextTakeover` answers `server_no_context_takeover` even when the client did
    /// not ask (§7.1.1.1 allows it): a broadcast room then compresses each message once for all
    /// members with the same window instead of once per member.
    public static func negotiate(
        header: some Sequence<UInt8>, forceServerNoContextTakeover: Bool = false
    ) -> PerMessageDeflateParameters? {
        for offer in WebSocketExtensionParser.parse(header) {
            guard var accepted = accept(offer) else { continue }
            if forceServerNoContextTakeover { accepted.serverNoContextTakeover = true }
            return accepted
        }
        return nil
    }

    /// The parameters for one offer, or nil when it is not permessage-deflate or breaks §7.1:
    /// "an unknown parameter", "a parameter with an invalid value", "multiple parameters with the
    /// same name" each make the server decline that offer (§7), not the handshake.
    public static func accept(_ offer: WebSocketExtensionParser.Offer) -> PerMessageDeflateParameters? {
        guard !offer.malformed, equalsIgnoringCase(offer.name, "permessage-deflate") else { return nil }
        var result = PerMessageDeflateParameters()
        var seen: Set<String> = []
        for parameter in offer.parameters {
            let name = String(decoding: parameter.name.map(lower), as: UTF8.self)
            guard seen.insert(name).inserted else { return nil }
            switch name {
            case "server_no_context_takeover":
                guard parameter.value == nil else { return nil }
                result.serverNoContextTakeover = true
            case "client_no_context_takeover":
                guard parameter.value == nil else { return nil }
                result.clientNoContextTakeover = true
            case "server_max_window_bits":
                guard let value = parameter.value, let bits = windowBits(value) else { return nil }
                result.serverMaxWindowBits = bits
                result.answersServerMaxWindowBits = true
            case "client_max_window_bits":
                // Valueless: the client could take a limit. We inflate with the largest window,
                // which reads any smaller one, so no limit is answered either way.
                if let value = parameter.value, windowBits(value) == nil { return nil }
            default:
                return nil
            }
        }
        return result
    }

    /// §7.1.2: "a decimal integer value 8 to 15 inclusive ... without leading zeros".
    static func windowBits(_ value: [UInt8]) -> Int? {
        guard (1...2).contains(value.count), value[0] != UInt8(ascii: "0"),
            value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let number = value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return (8...15).contains(number) ? number : nil
    }

    private static func equalsIgnoringCase(_ bytes: [UInt8], _ text: String) -> Bool {
        bytes.count == text.utf8.count && zip(bytes, text.utf8).allSatisfy { lower($0) == $1 }
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }
}
