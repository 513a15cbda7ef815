// htpasswd and Basic credentials: `Htpasswd.parse` never traps, gives only well-formed entries,
// and parses a file cut at any line end as the two halves parsed apart; the built-in hash
// checks and apr1 never trap; `AccessControl.credentials` splits at the first colon.
@testable import WebservCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = Array(UnsafeBufferPointer(start: data, count: size))
    let entries = Htpasswd.parse(raw)
    Fuzz.require(entries.count <= raw.filter { $0 == 0x0A }.count + 1, "more entries than lines")
    for entry in entries {
        Fuzz.require(!entry.user.isEmpty, "empty user")
        Fuzz.require(!entry.user.contains(0x3A) && !entry.user.contains(0x0A), "user holds ':' or LF")
        Fuzz.require(!entry.hash.contains(0x3A) && !entry.hash.contains(0x0A), "hash holds ':' or LF")
        Fuzz.require(entry.user.first != UInt8(ascii: "#"), "a comment line became an entry")
        if let scheme = Htpasswd.scheme(entry.hash) {
            switch scheme {
            case .plain:
                Fuzz.require(Htpasswd.verifyBuiltIn(entry.hash.dropFirst(7), hash: entry.hash, scheme: .plain), "{PLAIN} rejects its own text")
            case .sha, .saltedSHA:
                _ = Htpasswd.verifyBuiltIn(entry.user, hash: entry.hash, scheme: scheme)
            case .apr1:
                if let computed = APR1.hash(password: entry.user, setting: entry.hash) {
                    Fuzz.require(computed.starts(with: "$apr1$".utf8), "apr1 output without its magic")
                }
            case .crypt:
                break  // the system's crypt_r: not ours to fuzz, and bcrypt is slow by design
            }
        }
    }
    // Split at a line end: the halves parse to the whole.
    if let cut = raw.firstIndex(of: 0x0A) {
        let halves = Htpasswd.parse(raw[...cut]) + Htpasswd.parse(raw[(cut + 1)...])
        Fuzz.require(halves == entries, "parse differs when cut after the first line end")
    }
    // The input as a Basic Authorization value.
    let header = Array("Basic ".utf8) + Array(Base64.encode(raw).utf8)
    if let (user, password) = AccessControl.credentials(header[...]) {
        Fuzz.require(!user.isEmpty && !user.contains(0x3A), "user empty or holding ':'")
        Fuzz.require(Array(user) + [0x3A] + Array(password) == raw, "credentials do not rebuild the input")
    } else {
        Fuzz.require(raw.firstIndex(of: 0x3A).map { $0 == 0 } ?? true, "user:password refused")
    }
    return 0
}
