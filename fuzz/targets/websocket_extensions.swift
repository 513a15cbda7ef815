// Sec-WebSocket-Extensions: `WebSocketExtensionParser` fed whole, byte by byte and at random
// splits must yield the same offers; whatever permessage-deflate negotiation accepts is within
// RFC 7692's ranges, and its answer parses back to the same parameters.
@testable import WebservCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let seed = Fuzz.hash(input)
    let reference = WebSocketExtensionParser.parse(input)
    for split in Fuzz.splits(count: size, seed: seed) {
        var parser = WebSocketExtensionParser()
        for piece in split { parser.feed(input[piece]) }
        Fuzz.require(parser.finish() == reference, "split parses other offers than one read")
    }
    for offer in reference where !offer.malformed {
        Fuzz.require(!offer.name.isEmpty, "a well-formed offer without a name")
        Fuzz.require(offer.name.allSatisfy(WebSocketExtensionParser.isTokenByte), "a name with a non-token byte")
    }
    for broadcast in [false, true] {
        guard let p = PerMessageDeflateNegotiation.negotiate(header: input, forceServerNoContextTakeover: broadcast) else {
            continue
        }
        Fuzz.require((8...15).contains(p.serverMaxWindowBits), "window bits \(p.serverMaxWindowBits)")
        Fuzz.require((9...15).contains(p.compressorWindowBits), "compressor window \(p.compressorWindowBits)")
        Fuzz.require(!broadcast || p.serverNoContextTakeover, "broadcast keeps context")
        let answer = WebSocketExtensionParser.parse(Array(p.responseHeader.utf8))
        Fuzz.require(answer.count == 1, "answer is not one extension")
        Fuzz.require(PerMessageDeflateNegotiation.accept(answer[0]) == p, "answer reads back differently")
    }
    return 0
}
