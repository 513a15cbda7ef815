// Multipart scanner. Input: the boundary on the first line (up to LF, at most 70 bytes), then
// the body. `MultipartScanner.feed` whole, byte by byte and at random splits must report the same
// parts, and no part's data may contain the delimiter.
@testable import WebservCore

private enum Item: Equatable {
    case begin(MultipartPartHeaders)
    case data([UInt8])
    case end
    case close
}

private enum Outcome: Equatable {
    case finished
    case truncated
    case failed(MultipartError)
}

private func run(_ body: UnsafeRawBufferPointer, boundary: [UInt8], _ split: [Range<Int>]) -> (items: [Item], outcome: Outcome) {
    var scanner = MultipartScanner(boundary: boundary, maxHeaderBytes: 256)
    var items: [Item] = []
    var inPart = false
    do {
        for piece in split {
            try scanner.feed(UnsafeRawBufferPointer(rebasing: body[piece])) { event in
                switch event {
                case .partBegin(let headers):
                    Fuzz.require(!inPart, "partBegin inside a part")
                    inPart = true
                    items.append(.begin(headers))
                case .partData(let chunk):
                    Fuzz.require(inPart, "data outside a part")
                    Fuzz.require(!chunk.isEmpty, "empty data event")
                    // Runs are cut differently by each split: join them.
                    if case .data(let previous) = items.last {
                        items[items.count - 1] = .data(previous + Array(chunk))
                    } else {
                        items.append(.data(Array(chunk)))
                    }
                case .partEnd:
                    Fuzz.require(inPart, "partEnd outside a part")
                    inPart = false
                    items.append(.end)
                case .end:
                    Fuzz.require(!inPart, "end inside a part")
                    items.append(.close)
                }
            }
        }
    } catch let error as MultipartError {
        return (items, .failed(error))
    } catch {
        Fuzz.require(false, "unexpected error \(error)")
    }
    do {
        try scanner.finish()
        Fuzz.require(scanner.isFinished && items.last == .close, "finished without the close delimiter")
        return (items, .finished)
    } catch {
        return (items, .truncated)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    guard let lf = input.prefix(71).firstIndex(of: 10) else { return 0 }
    let boundary = Array(input[..<lf])
    let body = UnsafeRawBufferPointer(rebasing: input[(lf + 1)...])
    let delimiter = Array("\r\n--".utf8) + boundary
    let splits = Fuzz.splits(count: body.count, seed: Fuzz.hash(input))
    let reference = run(body, boundary: boundary, splits[0])
    if case .failed(.invalidBoundary) = reference.outcome {
        Fuzz.require(boundary.isEmpty || boundary.contains(13), "valid boundary refused")
        return 0
    }
    for item in reference.items {
        guard case .data(let bytes) = item, bytes.count >= delimiter.count else { continue }
        for start in 0...(bytes.count - delimiter.count) where bytes[start] == 13 {
            Fuzz.require(!bytes[start..<(start + delimiter.count)].elementsEqual(delimiter), "part data contains the delimiter")
        }
    }
    for split in splits.dropFirst() {
        let other = run(body, boundary: boundary, split)
        Fuzz.require(other.outcome == reference.outcome, "split gives \(other.outcome), one read \(reference.outcome)")
        if case .failed = reference.outcome { continue }
        Fuzz.require(other.items == reference.items, "split reports other parts than one read")
    }
    return 0
}
