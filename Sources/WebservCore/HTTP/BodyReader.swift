/// Frames a request body on the connection: counts down a Content-Length or runs the
/// chunked decoder, enforcing `client_max_body_size` as soon as it is exceeded.
struct BodyReader {
    private var remaining: Int
    private var chunked: ChunkedDecoder?
    private(set) var received = 0
    /// `client_max_body_size` for this body (0: none): the server's until the request's
    /// location is chosen, then that location's, for good — an error page or internal
    /// redirect routed later must not change the limit of the body still being read.
    private(set) var limit: Int
    private var limitChosen = false

    init(framing: BodyFraming, limit: Int) {
        self.limit = limit
        switch framing {
        case .none:
            remaining = 0
        case .contentLength(let n):
            remaining = n
        case .chunked:
            remaining = 0
            chunked = ChunkedDecoder()
        }
    }

    /// The location's limit, taken once.
    mutating func chooseLimit(_ value: Int) {
        guard !limitChosen else { return }
        limit = value
        limitChosen = true
    }

    /// Feeds buffered bytes; `onData` gets decoded body bytes. Returns (consumed, finished).
    mutating func feed(
        _ input: UnsafeRawBufferPointer,
        onData: (UnsafeRawBufferPointer) throws(HandlerError) -> Void
    ) throws(HandlerError) -> (Int, Bool) {
        if var decoder = chunked {
            var total = received
            let limit = self.limit
            let result: (consumed: Int, finished: Bool)
            do {
                result = try decoder.decode(input) { chunk in
                    total += chunk.count
                    if limit > 0 && total > limit { throw HandlerError(413) }
                    try onData(chunk)
                }
            } catch let e as HandlerError {
                throw e
            } catch {
                throw HandlerError(400)
            }
            received = total
            chunked = decoder
            // A chunk whose size line alone passes the limit is refused before its data arrives.
            if limit > 0 && decoder.announcedPayload > limit { throw HandlerError(413) }
            return (result.consumed, result.finished)
        }
        let n = min(remaining, input.count)
        if n > 0 { try onData(UnsafeRawBufferPointer(rebasing: input[0..<n])) }
        remaining -= n
        received += n
        return (n, remaining == 0)
    }
}
