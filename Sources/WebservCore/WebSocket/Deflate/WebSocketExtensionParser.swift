/// Incremental parser of `Sec-WebSocket-Extensions` (RFC 6455 §9.1):
/// `extension *( ";" token [ "=" ( token / quoted-string ) ] )`, comma-separated, optional
/// whitespace around the separators. Fed in any pieces, it yields the same offers; an element
/// with bad syntax is kept as `malformed` (its name may be partial) so a negotiator skips it
/// and still considers the next one.
public struct WebSocketExtensionParser: Sendable {
    /// One list element: an extension name and its parameters, in order.
    public struct Offer: Equatable, Sendable {
        public var name: [UInt8] = []
        public var parameters: [Parameter] = []
        /// The element broke the grammar somewhere; its content must not be trusted.
        public var malformed = false
    }

    /// `name` or `name=value`; a quoted value is stored unquoted.
    public struct Parameter: Equatable, Sendable {
        public var name: [UInt8]
        public var value: [UInt8]?
    }

    private enum State: Sendable {
        case beforeName, name, afterName
        case beforeParameter, parameterName, afterParameterName
        case beforeValue, tokenValue, quotedValue, quotedEscape, afterValue
        /// After bad syntax: skip to the next comma outside a quoted string.
        case skip, skipQuoted, skipQuotedEscape
    }

    private var state = State.beforeName
    private var current = Offer()
    private var offers: [Offer] = []

    public init() {}

    /// The offers of a whole header value.
    public static func parse(_ value: some Sequence<UInt8>) -> [Offer] {
        var parser = WebSocketExtensionParser()
        parser.feed(value)
        return parser.finish()
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        for byte in bytes { step(byte) }
    }

    /// Ends the input and returns every element, malformed ones included.
    public mutating func finish() -> [Offer] {
        switch state {
        case .beforeName:
            break
        case .beforeParameter, .beforeValue, .quotedValue, .quotedEscape:
            // `name;`, `name; p=` or an unterminated quoted string.
            current.malformed = true
            endElement()
        default:
            endElement()
        }
        state = .beforeName
        let result = offers
        offers = []
        return result
    }

    private mutating func step(_ byte: UInt8) {
        let space = byte == 0x20 || byte == 0x09
        let token = Self.isTokenByte(byte)
        switch state {
        case .beforeName:
            if space || byte == UInt8(ascii: ",") { return }
            if token {
                current.name.append(byte)
                state = .name
            } else {
                malformed(byte)
            }
        case .name:
            if token {
                current.name.append(byte)
            } else {
                separator(byte, space: space, next: .afterName)
            }
        case .afterParameterName where byte == UInt8(ascii: "="):
            // `name = value`: whitespace around "=" is tolerated (RFC 9110's BWS).
            current.parameters[current.parameters.count - 1].value = []
            state = .beforeValue
        case .afterName, .afterParameterName, .afterValue:
            separator(byte, space: space, next: state)
        case .beforeParameter:
            if space { return }
            if token {
                current.parameters.append(Parameter(name: [byte], value: nil))
                state = .parameterName
            } else {
                malformed(byte)
            }
        case .parameterName:
            if token {
                current.parameters[current.parameters.count - 1].name.append(byte)
            } else if byte == UInt8(ascii: "=") {
                current.parameters[current.parameters.count - 1].value = []
                state = .beforeValue
            } else {
                separator(byte, space: space, next: .afterParameterName)
            }
        case .beforeValue:
            if space { return }
            if token {
                current.parameters[current.parameters.count - 1].value = [byte]
                state = .tokenValue
            } else if byte == UInt8(ascii: "\"") {
                state = .quotedValue
            } else {
                malformed(byte)
            }
        case .tokenValue:
            if token {
                current.parameters[current.parameters.count - 1].value!.append(byte)
            } else {
                separator(byte, space: space, next: .afterValue)
            }
        case .quotedValue:
            if byte == UInt8(ascii: "\"") {
                state = .afterValue
            } else if byte == UInt8(ascii: "\\") {
                state = .quotedEscape
            } else if byte < 0x20 && byte != 0x09 || byte == 0x7F {
                malformed(byte)
            } else {
                current.parameters[current.parameters.count - 1].value!.append(byte)
            }
        case .quotedEscape:
            current.parameters[current.parameters.count - 1].value!.append(byte)
            state = .quotedValue
        case .skip:
            if byte == UInt8(ascii: ",") {
                endElement()
            } else if byte == UInt8(ascii: "\"") {
                state = .skipQuoted
            }
        case .skipQuoted:
            if byte == UInt8(ascii: "\"") {
                state = .skip
            } else if byte == UInt8(ascii: "\\") {
                state = .skipQuotedEscape
            }
        case .skipQuotedEscape:
            state = .skipQuoted
        }
    }

    /// After a name or value: whitespace, `;` (a parameter follows), `,` (the element ends).
    private mutating func separator(_ byte: UInt8, space: Bool, next: State) {
        if space {
            state = next
        } else if byte == UInt8(ascii: ";") {
            state = .beforeParameter
        } else if byte == UInt8(ascii: ",") {
            endElement()
        } else {
            malformed(byte)
        }
    }

    private mutating func malformed(_ byte: UInt8) {
        current.malformed = true
        state = .skip
        // The byte that broke the grammar may itself end the element or open a quote.
        step(byte)
    }

    private mutating func endElement() {
        if current.name.isEmpty { current.malformed = true }
        offers.append(current)
        current = Offer()
        state = .beforeName
    }

    /// RFC 9110 §5.6.2 tchar.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}
