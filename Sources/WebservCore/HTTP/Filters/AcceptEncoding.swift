/// The client's `Accept-Encoding` (RFC 9110 §12.5.3), read into the qualities (0…1000) the
/// server cares about. Pure: bytes in, choice out.
public struct AcceptEncoding: Equatable, Sendable {
    /// Explicit qualities by coding; nil when the coding is not named.
    public private(set) var qualities: [ContentCoding: Int] = [:]
    /// `*`: every coding not named.
    public private(set) var any: Int?
    /// `identity`, for completeness: the identity answer is sent whatever it says (as nginx,
    /// which never answers 406).
    public private(set) var identity: Int?

    /// Parses a header value; malformed members are skipped, a malformed q counts as 0 (as
    /// nginx's `ngx_http_gzip_quantity`, which then refuses the coding).
    public init(_ value: some Collection<UInt8>) {
        var member: [UInt8] = []
        for b in value {
            if b == UInt8(ascii: ",") {
                add(member)
                member.removeAll(keepingCapacity: true)
            } else {
                member.append(b)
            }
        }
        add(member)
    }

    /// The quality the client gives `coding`: its own entry, else `*`'s, else 0 (not accepted).
    public func quality(_ coding: ContentCoding) -> Int {
        qualities[coding] ?? any ?? 0
    }

    /// The acceptable coding of highest quality among `offered` (in the server's order of
    /// preference, which breaks ties), or nil for identity.
    public func choose(_ offered: [ContentCoding]) -> ContentCoding? {
        var best: ContentCoding?
        var bestQ = 0
        for coding in offered {
            let q = quality(coding)
            if q > bestQ {
                best = coding
                bestQ = q
            }
        }
        return best
    }

    /// One member: `token *( OWS ";" OWS param )`; only `q` is read.
    private mutating func add(_ member: [UInt8]) {
        let parts = member.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false)
        guard let first = parts.first else { return }
        let token = Self.trimmed(first)
        guard !token.isEmpty else { return }
        var q = 1000
        for param in parts.dropFirst() {
            let p = Self.trimmed(param)
            guard p.count >= 2, p.first! | 0x20 == UInt8(ascii: "q"), p[p.startIndex + 1] == UInt8(ascii: "=") else {
                continue
            }
            q = Self.qvalue(p.dropFirst(2)) ?? 0
        }
        if Bytes.equalsLowercased(token, "*") {
            if any == nil { any = q }
        } else if Bytes.equalsLowercased(token, "identity") {
            if identity == nil { identity = q }
        } else if let coding = Self.coding(token), qualities[coding] == nil {
            qualities[coding] = q
        }
    }

    static func coding(_ token: ArraySlice<UInt8>) -> ContentCoding? {
        if Bytes.equalsLowercased(token, "gzip") || Bytes.equalsLowercased(token, "x-gzip") { return .gzip }
        if Bytes.equalsLowercased(token, "br") { return .br }
        if Bytes.equalsLowercased(token, "zstd") { return .zstd }
        return nil
    }

    /// RFC 9110 §12.4.2: `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in
    /// thousandths; nil when it is not one.
    static func qvalue(_ text: ArraySlice<UInt8>) -> Int? {
        guard let first = text.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - UInt8(ascii: "0")) * 1000
        let rest = text.dropFirst()
        if rest.isEmpty { return value }
        guard rest.first == UInt8(ascii: "."), rest.count <= 4 else { return nil }
        var scale = 100
        for d in rest.dropFirst() {
            guard d >= UInt8(ascii: "0") && d <= UInt8(ascii: "9") else { return nil }
            value += Int(d - UInt8(ascii: "0")) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var t = s
        while let f = t.first, f == 0x20 || f == 0x09 { t = t.dropFirst() }
        while let l = t.last, l == 0x20 || l == 0x09 { t = t.dropLast() }
        return t
    }
}
