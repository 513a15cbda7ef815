// Config parser: `ConfigLoader.load(text:fileName:prefix:)` on arbitrary text. Includes resolve
// inside fuzz/config-sandbox (set by fuzz/run in WEBSERV_FUZZ_CONFIG_DIR); an input that names
// an include and contains "/" is skipped, so the fuzzer never reads /dev/zero or a FIFO.
#if canImport(Glibc)
import Glibc
#endif
@testable import WebservCore

private let sandbox: String = {
    if let dir = getenv("WEBSERV_FUZZ_CONFIG_DIR") { return String(cString: dir) }
    var buffer = [CChar](repeating: 0, count: 4096)
    let cwd = getcwd(&buffer, buffer.count).map { String(cString: $0) } ?? "."
    return cwd + "/fuzz/config-sandbox"
}()

private func mentionsInclude(_ input: [UInt8]) -> Bool {
    let word = Array("include".utf8)
    guard input.count >= word.count else { return false }
    return (0...(input.count - word.count)).contains { input[$0..<($0 + word.count)].elementsEqual(word) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    if input.contains(0x2F), mentionsInclude(input) { return -1 }
    let text = String(decoding: input, as: UTF8.self)
    do {
        let configuration = try ConfigLoader.load(text: text, fileName: "fuzz.conf", prefix: sandbox)
        // What the server does with resolved values must not overflow: deadlines are
        // `now + timeout` in milliseconds, sizes are compared and subtracted.
        let bound = Int.max / 2
        for server in configuration.servers {
            for t in [server.keepaliveTimeout, server.clientHeaderTimeout, server.clientBodyTimeout, server.sendTimeout] {
                Fuzz.require(t >= 0 && t <= bound, "timeout \(t) ms")
            }
            Fuzz.require(!server.listens.isEmpty, "server without a listen address")
            for location in server.locations + [server.fallbackLocation] {
                Fuzz.require(location.cgiTimeout >= 0 && location.cgiTimeout <= bound, "cgi_timeout \(location.cgiTimeout) ms")
                Fuzz.require(location.clientMaxBodySize >= 0 && location.websocketMaxMessage >= 0, "negative size")
            }
        }
    } catch {
        Fuzz.require(!error.message.isEmpty, "empty error message")
        if error.file == "fuzz.conf" {
            // Lines are counted from 1 and cannot lie past the end of the text.
            let lines = text.utf8.reduce(1) { $0 + ($1 == 10 ? 1 : 0) }
            Fuzz.require(error.line >= 1 && error.line <= lines, "error on line \(error.line) of \(lines): \(error)")
        }
    }
    return 0
}
