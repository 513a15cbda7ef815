// Request head: `RequestHeadParser.findEnd` on a growing buffer, fed as a connection would
// (whole, byte by byte, random reads), then `RequestHeadParser.parse` on what it found.
@testable import WebservCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let seed = Fuzz.hash(input)

    // The whole input in one read is the reference.
    var whole = RequestHeadParser()
    let wholeEnd: Int?
    do { wholeEnd = try whole.findEnd(input) } catch { wholeEnd = nil }

    for split in Fuzz.splits(count: size, seed: seed).dropFirst() {
        var parser = RequestHeadParser()
        var found: Int?
        var failed = false
        for piece in split {
            // The connection's buffer grows; findEnd sees all of it and remembers where it stopped.
            do {
                found = try parser.findEnd(UnsafeRawBufferPointer(rebasing: input[..<piece.upperBound]))
            } catch {
                failed = true
                break
            }
            if found != nil { break }
        }
        // A split read may refuse earlier (it can hit a size limit on a prefix), never find another end.
        if let found {
            Fuzz.require(found == wholeEnd, "split read found the head end at \(found), one read at \(String(describing: wholeEnd))")
        } else if !failed, let wholeEnd {
            Fuzz.require(false, "one read found the head end at \(wholeEnd), split reads none")
        }
    }

    guard let end = wholeEnd else { return 0 }
    Fuzz.require(end > 0 && end <= size, "head end \(end) outside 1...\(size)")
    let head = Array(input[..<end])
    do {
        let request = try RequestHeadParser.parse(head)
        Fuzz.require(request.path.first == 0x2F, "path does not start with /")
        Fuzz.require(!request.path.contains(0), "NUL in path")
        // The path handlers see is already normal: normalising it again changes nothing.
        if !request.path.contains(0x25) {
            let again = try? PathNormalizer.normalize(request.path[...])
            Fuzz.require(again == request.path, "path is not normal: \(request.pathString)")
        }
        for field in request.headers {
            Fuzz.require(field.name.upperBound <= head.count && field.value.upperBound <= head.count, "header range outside the head")
            Fuzz.require(!field.name.isEmpty, "empty header name")
        }
        for range in [request.methodRange, request.targetRange] + [request.queryRange, request.hostRange].compactMap({ $0 }) {
            Fuzz.require(range.upperBound <= head.count, "range \(range) outside the head")
        }
        if case .contentLength(let n) = request.framing { Fuzz.require(n > 0, "zero or negative Content-Length framing") }
        _ = request.headerPairs
        _ = (request.target, request.query, request.methodString)
    } catch {
        // A head that findEnd delimited always has its lines terminated.
        Fuzz.require(error != .badRequest("unterminated line"), "findEnd and parse disagree on the head's end")
        Fuzz.require([400, 403, 414, 431, 501, 505].contains(error.status), "unexpected status \(error.status)")
    }
    return 0
}
