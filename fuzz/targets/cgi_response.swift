// CGI response parser: `CGIResponseParser.feed` over a script's output, whole and split, must
// agree on the head, where the body starts, and the error.
@testable import WebservCore

private struct Head: Equatable {
    var status: Int
    var reason: String?
    var location: String?
    var isLocalRedirect: Bool
    var contentType: String?
    var contentLength: Int?
    var headers: [String]
}

private enum Outcome: Equatable {
    case needMore
    case complete(Head, body: [UInt8])
    case failed(CGIResponseError)
}

private func run(_ input: UnsafeRawBufferPointer, _ split: [Range<Int>]) -> Outcome {
    var parser = CGIResponseParser(maxHeaderBytes: 1024)
    for (k, piece) in split.enumerated() {
        let buffer = UnsafeRawBufferPointer(rebasing: input[piece])
        do {
            switch try parser.feed(buffer) {
            case .needMore:
                continue
            case .complete(let h, let offset):
                Fuzz.require(offset > 0 && offset <= buffer.count, "body offset \(offset) outside the input")
                Fuzz.require((100...999).contains(h.status), "status \(h.status)")
                Fuzz.require(parser.isComplete, "complete but isComplete is false")
                for (name, value) in h.headers {
                    // Response splitting: no header the server forwards may carry a line break.
                    Fuzz.require(!name.utf8.contains(where: { $0 < 0x21 || $0 == 0x3A }), "bad header name forwarded")
                    Fuzz.require(!value.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }), "line break in a forwarded value")
                }
                let head = Head(
                    status: h.status, reason: h.reason, location: h.location, isLocalRedirect: h.isLocalRedirect,
                    contentType: h.contentType, contentLength: h.contentLength,
                    headers: h.headers.map { "\($0.name): \($0.value)" })
                let body = Array(buffer[offset...]) + split[(k + 1)...].flatMap { Array(input[$0]) }
                return .complete(head, body: body)
            }
        } catch {
            return .failed(error)
        }
    }
    do {
        try parser.finish()
        Fuzz.require(false, "finish() accepted an incomplete header section")
    } catch {
        Fuzz.require(error == .missingHeaderSection, "finish() threw \(error)")
    }
    return .needMore
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let splits = Fuzz.splits(count: size, seed: Fuzz.hash(input))
    let reference = run(input, splits[0])
    for split in splits.dropFirst() {
        let other = run(input, split)
        Fuzz.require(other == reference, "split gives \(other), one read \(reference)")
    }
    return 0
}
