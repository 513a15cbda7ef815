// WebSocket frame decoder alone: `WebSocketFrameDecoder.append` + `nextFrame` whole, byte by byte
// and at random splits (through both `append` overloads) must decode the same frames and error.
@testable import WebservCore

private enum Outcome: Equatable {
    case needMore(buffered: Int, partial: [UInt8]?)
    case failed(WebSocketError)
}

private func run(_ input: UnsafeRawBufferPointer, _ split: [Range<Int>], maxPayload: Int, mixed: Bool) -> (frames: [WebSocketFrame], outcome: Outcome) {
    var decoder = WebSocketFrameDecoder(maxPayloadLength: maxPayload)
    var frames: [WebSocketFrame] = []
    for (k, piece) in split.enumerated() {
        if mixed && k % 2 == 1 {
            decoder.append(Array(input[piece])[...])
        } else {
            decoder.append(UnsafeRawBufferPointer(rebasing: input[piece]))
        }
        do {
            while let frame = try decoder.nextFrame() {
                if frame.opcode.isControl {
                    Fuzz.require(frame.fin && frame.payload.count <= 125, "bad control frame accepted")
                } else {
                    Fuzz.require(frame.payload.count <= maxPayload, "frame over the limit accepted")
                }
                Fuzz.require(frame.reservedBits == 0, "reserved bits accepted")
                frames.append(frame)
            }
        } catch {
            return (frames, .failed(error))
        }
        Fuzz.require(decoder.bufferedByteCount >= 0, "negative buffered count")
    }
    return (frames, .needMore(buffered: decoder.bufferedByteCount, partial: decoder.partialFrame.map { Array($0.payload) }))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    let seed = Fuzz.hash(input)
    let maxPayload = seed & 1 == 0 ? 200 : 1 << 20
    let splits = Fuzz.splits(count: size, seed: seed)
    let reference = run(input, splits[0], maxPayload: maxPayload, mixed: false)
    for (k, split) in splits.dropFirst().enumerated() {
        let other = run(input, split, maxPayload: maxPayload, mixed: k % 2 == 1)
        Fuzz.require(other.frames == reference.frames, "split decodes other frames than one read")
        switch (reference.outcome, other.outcome) {
        case (.failed(let a), .failed(let b)):
            Fuzz.require(a == b, "split fails with \(b), one read with \(a)")
        case (.needMore(let a, let pa), .needMore(let b, let pb)):
            // Split reads may have moved part of a payload out of the buffer already.
            Fuzz.require(a + (pa?.count ?? 0) == b + (pb?.count ?? 0), "split leaves other bytes pending")
            if let pa, let pb { Fuzz.require(pa.prefix(pb.count) == pb.prefix(pa.count), "partial payloads differ") }
        default:
            Fuzz.require(false, "split gives \(other.outcome), one read \(reference.outcome)")
        }
    }
    return 0
}
