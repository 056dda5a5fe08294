/// Turns a JSON array of records (`[{…},{…}]`, on one line or pretty-printed over many) into JSON lines, one
/// element per line, as bytes stream through: what `hubble observe -o json` users and many repositories save is
/// read by the same line readers as JSON lines, with memory bounded by one element (the driver's line bound),
/// never by the array.
///
/// Line numbers stay the input's: newlines inside an element become spaces and are given back after it, so an
/// element is reported at the line where it starts. In a one-line array each element still gets its own line,
/// so there the number is the element's position (1, 2, 3 …) until the input's next newline.
///
/// Only the top level is rewritten: outside the outermost array, bytes pass unchanged; inside an element only
/// newlines outside strings change (JSON allows none inside one). Malformed arrays (a missing comma, a trailing
/// one) still split at element boundaries; the readers judge each element.
struct JSONArrayLines {
    /// 0 outside the array, 1 between its elements, 2 and more inside an element.
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// An element is being written (a scalar element has no closing bracket to end it).
    private var inElement = false
    /// Newlines written minus newlines read: negative while an element's newlines are held back.
    private var lineDebt = 0

    /// True when the first byte that is not whitespace opens an array.
    static func startsWithArray(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        for b in bytes where !isSpace(b) && b != 0x0A { return b == UInt8(ascii: "[") }
        return nil  // only whitespace so far
    }

    @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    mutating func feed(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + input.count + 16)
        for b in input {
            if inString {
                out.append(b)
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == 0x22 {
                    inString = false
                } else if b == 0x0A {
                    // A raw newline (invalid in a string) ends the line: the reader rejects the broken element.
                    inString = false
                    inElement = false
                    depth = 1
                    settle(&out)
                }
                continue
            }
            switch depth {
            case 0:
                if b == UInt8(ascii: "[") { depth = 1 } else if b == 0x0A { newline(&out) } else { out.append(b) }
            case 1:
                switch b {
                case 0x0A:
                    if inElement { endElement(&out) }
                    newline(&out)
                case 0x20, 0x09, 0x0D:
                    if inElement { endElement(&out) }
                case UInt8(ascii: ","):
                    if inElement { endElement(&out) }
                case UInt8(ascii: "]"):
                    if inElement { endElement(&out) }
                    depth = 0
                    settle(&out)
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if inElement { endElement(&out) }
                    out.append(b)
                    depth = 2
                    inElement = true
                case 0x22:
                    if inElement { endElement(&out) }
                    out.append(b)
                    inString = true
                    inElement = true
                default:
                    out.append(b)  // a scalar element (the reader rejects it)
                    inElement = true
                }
            default:
                switch b {
                case 0x22:
                    inString = true
                    out.append(b)
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                    out.append(b)
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    out.append(b)
                    if depth == 1 { endElement(&out) }
                case 0x0A:
                    out.append(0x20)  // whitespace inside the element; given back after it
                    lineDebt -= 1
                default:
                    out.append(b)
                }
            }
        }
    }

    /// Ends the element being written with a newline of its own, then gives back its held newlines.
    private mutating func endElement(_ out: inout [UInt8]) {
        inElement = false
        out.append(0x0A)
        lineDebt += 1
        settle(&out)
    }

    /// A newline of the input between elements: written unless an element already wrote one for it.
    private mutating func newline(_ out: inout [UInt8]) {
        if lineDebt > 0 { lineDebt -= 1 } else { out.append(0x0A) }
    }

    /// Writes the newlines an element held back, so the next element starts on its own input line.
    private mutating func settle(_ out: inout [UInt8]) {
        while lineDebt < 0 {
            out.append(0x0A)
            lineDebt += 1
        }
    }
}
