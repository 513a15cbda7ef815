// Chunked decoder: `ChunkedDecoder.decode` fed whole, byte by byte and at random splits must
// give the same payload, the same end, the same leftover and the same error.
@testable import WebservCore

private enum Outcome: Equatable {
    case needMore
    case finished(leftover: [UInt8])
    case failed(ChunkedError)
}

private func run(
    _ input: UnsafeRawBufferPointer, _ split: [Range<Int>], lineLimit: Int, trailerLimit: Int
) -> (payload: [UInt8], outcome: Outcome) {
    var decoder = ChunkedDecoder(maxChunkLineLength: lineLimit, maxTrailerBytes: trailerLimit)
    var payload: [UInt8] = []
    for (k, piece) in split.enumerated() {
        let buffer = UnsafeRawBufferPointer(rebasing: input[piece])
        do {
            let before = decoder.totalPayload
            let result = try decoder.decode(buffer) { chunk in
                Fuzz.require(!chunk.isEmpty, "empty payload run handed out")
                payload.append(contentsOf: chunk)
            }
            Fuzz.require(decoder.totalPayload - before <= result.consumed, "more payload than consumed bytes")
            Fuzz.require(decoder.totalPayload == payload.count, "totalPayload \(decoder.totalPayload) != \(payload.count)")
            Fuzz.require(decoder.announcedPayload >= decoder.totalPayload, "announcedPayload below totalPayload")
            Fuzz.require(result.finished == decoder.isFinished, "finished flag disagrees with isFinished")
            if result.finished {
                // What follows the body belongs to the next request.
                let rest = Array(buffer[result.consumed...]) + split[(k + 1)...].flatMap { Array(input[$0]) }
                return (payload, .finished(leftover: rest))
            }
            Fuzz.require(result.consumed == buffer.count, "unfinished decoder left \(buffer.count - result.consumed) bytes")
        } catch let error as ChunkedError {
            return (payload, .failed(error))
        } catch {
            Fuzz.require(false, "unexpected error \(error)")
        }
    }
    return (payload, .needMore)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let seed = Fuzz.hash(input)
    // Small limits half of the time so the line and trailer limits are reached too.
    let small = seed & 1 == 0
    let lineLimit = small ? 16 : 4096
    let trailerLimit = small ? 32 : 16384
    let splits = Fuzz.splits(count: size, seed: seed)
    let reference = run(input, splits[0], lineLimit: lineLimit, trailerLimit: trailerLimit)
    for split in splits.dropFirst() {
        let other = run(input, split, lineLimit: lineLimit, trailerLimit: trailerLimit)
        Fuzz.require(other.outcome == reference.outcome, "split gives \(other.outcome), one read \(reference.outcome)")
        if case .failed = reference.outcome {
            // Payload before the error may be cut differently but never differs in content.
            let n = min(other.payload.count, reference.payload.count)
            Fuzz.require(other.payload[..<n] == reference.payload[..<n], "payload before the error differs")
        } else {
            Fuzz.require(other.payload == reference.payload, "payload differs between splits")
        }
    }
    return 0
}
