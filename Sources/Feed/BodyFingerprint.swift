/// A fingerprint of an entry's body, which finds the same article under unrelated addresses (the `dedupe`
/// filter). The state store keeps each entry's beside it, so that a feed's are known without its bodies.
package enum BodyFingerprint {
    /// A fingerprint of a body's words (letters and digits, lower-cased, in order), blind to markup, white
    /// space and punctuation; empty bodies have none.
    package static func of(_ html: String?) -> UInt64? {
        guard var html, !html.isEmpty else { return nil }
        return html.withUTF8(of(bytes:))
    }

    /// Worked on UTF-8 bytes: ASCII (most text) is classified and lower-cased by arithmetic, and so are the
    /// no-break space and the General Punctuation block (curly quotes, dashes, ellipses), which hold no
    /// letters; other scalars are decoded and classified by their Unicode properties.
    private static func of(bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        var inTag = false
        var words = 0
        var inWord = false
        /// Notes a letter or digit: the start of a word when the byte before was none.
        func wordCharacter() {
            if !inWord {
                words += 1
                mix(0x20)
            }
            inWord = true
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                index += 1
                if byte == UInt8(ascii: "<") { inTag = true }
                if inTag {
                    if byte == UInt8(ascii: ">") { inTag = false }
                    inWord = false
                    continue
                }
                guard (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A || byte >= 0x30 && byte <= 0x39 else {
                    inWord = false
                    continue
                }
                wordCharacter()
                mix(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
                continue
            }
            let start = index
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
            var value = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for offset in 1..<length where start + offset < bytes.count {
                value = value << 6 | UInt32(bytes[start + offset] & 0x3F)
            }
            index = min(bytes.count, start + length)
            guard !inTag, value != 0xA0, !(0x2000...0x206F).contains(value), let scalar = Unicode.Scalar(value),
                scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            else {
                inWord = false
                continue
            }
            wordCharacter()
            if scalar.properties.changesWhenLowercased {
                for lower in String(scalar).lowercased().utf8 { mix(lower) }
            } else {
                for offset in start..<index { mix(bytes[offset]) }
            }
        }
        // A few words say too little to call two bodies the same.
        return words >= 20 ? hash : nil
    }
}
