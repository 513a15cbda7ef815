/// The client's `Accept-Encoding` (RFC 9110 §12.5.3), read into the qualities (0…1000) the
/// server cares about. Pure, and allocation-free: it runs on every request to a location that
/// compresses.
public struct AcceptEncoding: Equatable, Sendable {
    /// Explicit qualities; nil when the coding is not named.
    public private(set) var gzip: Int?
    public private(set) var br: Int?
    public private(set) var zstd: Int?
    /// `*`: every coding not named.
    public private(set) var any: Int?
    /// `identity`, for completeness: the identity answer is sent whatever it says (as nginx,
    /// which never answers 406).
    public private(set) var identity: Int?

    public init() {}

    /// Parses a header value; malformed members are skipped, a malformed q counts as 0 (as
    /// nginx's `ngx_http_gzip_quantity`, which then refuses the coding).
    public init(_ value: [UInt8]) {
        add(value[...])
    }

    /// Adds one more field's members (a request may send the header several times, RFC 9110
    /// §5.3: as one comma-separated list). For each coding the first member naming it counts.
    public mutating func add(_ value: ArraySlice<UInt8>) {
        var start = value.startIndex
        while start <= value.endIndex {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.endIndex
            addMember(value[start..<end])
            start = end + 1
        }
    }

    /// The quality the client gives `coding`: its own entry, else `*`'s, else 0 (not accepted).
    public func quality(_ coding: ContentCoding) -> Int {
        let own: Int?
        switch coding {
        case .gzip: own = gzip
        case .br: own = br
        case .zstd: own = zstd
        }
        return own ?? any ?? 0
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
    private mutating func addMember(_ member: ArraySlice<UInt8>) {
        let tokenEnd = member.firstIndex(of: UInt8(ascii: ";")) ?? member.endIndex
        let token = Self.trimmed(member[member.startIndex..<tokenEnd])
        guard !token.isEmpty else { return }
        var q = 1000
        var i = tokenEnd
        while i < member.endIndex {
            let paramEnd = member[(i + 1)...].firstIndex(of: UInt8(ascii: ";")) ?? member.endIndex
            let p = Self.trimmed(member[(i + 1)..<paramEnd])
            if p.count >= 2, p.first! | 0x20 == UInt8(ascii: "q"), p[p.startIndex + 1] == UInt8(ascii: "=") {
                q = Self.qvalue(p.dropFirst(2)) ?? 0
            }
            i = paramEnd
        }
        if Bytes.equalsLowercased(token, "*") {
            if any == nil { any = q }
        } else if Bytes.equalsLowercased(token, "identity") {
            if identity == nil { identity = q }
        } else if Bytes.equalsLowercased(token, "gzip") || Bytes.equalsLowercased(token, "x-gzip") {
            if gzip == nil { gzip = q }
        } else if Bytes.equalsLowercased(token, "br") {
            if br == nil { br = q }
        } else if Bytes.equalsLowercased(token, "zstd") {
            if zstd == nil { zstd = q }
        }
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
