internal import CCurl
import Foundation

/// What a transfer may reach: `file:` URLs only inside the folder a pipeline reads, and addresses that are
/// not the machine's own or its network's unless the request allows them.
package enum AddressPolicy {
    /// Whether an IP address, as libcurl reports the one it connected to, is loopback, private, link-local,
    /// shared (carrier-grade NAT), unspecified, or a cloud metadata address: one a link from the public web
    /// must not make feedpipe reach. IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms are judged by the
    /// IPv4 address they carry. Text that is no address counts as private (nothing is fetched).
    package static func isPrivate(_ text: String, publicForTesting: Set<String> = []) -> Bool {
        !publicForTesting.contains(text) && isPrivate(text)
    }

    static func isPrivate(_ text: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return isPrivate(v4: UInt32(bigEndian: v4.s_addr))
        }
        var v6 = in6_addr()
        let unbracketed = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let withoutZone = unbracketed.split(separator: "%").first.map(String.init) ?? unbracketed
        guard inet_pton(AF_INET6, withoutZone, &v6) == 1 else { return true }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        let embedded = UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
        let firstTen = bytes.prefix(10).allSatisfy { $0 == 0 }
        if firstTen, bytes[10] == 0xFF, bytes[11] == 0xFF { return isPrivate(v4: embedded) }  // ::ffff:a.b.c.d
        if firstTen, bytes[10] == 0, bytes[11] == 0 {
            // :: and ::1, and the deprecated IPv4-compatible ::a.b.c.d
            return embedded <= 1 || isPrivate(v4: embedded)
        }
        // 64:ff9b::/96, the NAT64 prefix: the IPv4 address is what is reached.
        if bytes.prefix(12) == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return isPrivate(v4: embedded) }
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7, unique local
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10, link-local
        if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0xC0 { return true }  // fec0::/10, the old site-local
        if bytes[0] == 0xFF { return true }  // multicast
        return false
    }

    private static func isPrivate(v4 address: UInt32) -> Bool {
        func within(_ network: UInt32, _ bits: UInt32) -> Bool { address >> (32 - bits) == network >> (32 - bits) }
        return within(0x0000_0000, 8)  // 0.0.0.0/8, "this network"
            || within(0x7F00_0000, 8)  // 127/8, loopback
            || within(0x0A00_0000, 8)  // 10/8
            || within(0xAC10_0000, 12)  // 172.16/12
            || within(0xC0A8_0000, 16)  // 192.168/16
            || within(0xA9FE_0000, 16)  // 169.254/16, link-local and cloud metadata (169.254.169.254)
            || within(0x6440_0000, 10)  // 100.64/10, shared address space (carrier-grade NAT)
            || within(0xC000_0000, 24)  // 192.0.0/24, protocol assignments (some metadata services)
            || within(0xC612_0000, 15)  // 198.18/15, benchmarking
            || address >> 28 >= 0xE  // multicast and reserved, 224/4 and 240/4
    }

    /// The text form of an IPv4 or IPv6 socket address, as `isPrivate` reads it; empty for another family.
    static func text(of address: UnsafePointer<sockaddr>) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        feedpipe_sockaddr_text(address, &text, socklen_t(text.count))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether a `file:` URL names a file inside `folder` once both are resolved (`..` and symbolic links
    /// followed), and names no other host.
    static func file(_ url: String, isInside folder: String) -> Bool {
        guard let parsed = URL(string: url), parsed.isFileURL,
            parsed.host.map({ $0.isEmpty || $0.lowercased() == "localhost" }) ?? true
        else { return false }
        let root = resolved(folder)
        let path = resolved(parsed.path)
        return path == root || path.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    /// The path with `..`, `.` and symbolic links resolved as far as it exists.
    private static func resolved(_ path: String) -> String {
        let standard = URL(fileURLWithPath: path).standardizedFileURL.path
        guard let real = realpath(standard, nil) else { return standard }
        defer { free(real) }
        return String(cString: real)
    }
}
