import Foundation

/// Makes URLs absolute against a page's base and keeps only schemes that are safe in a feed.
struct URLResolver {
    let base: URL?

    init(base: String?) {
        self.base = base.flatMap { URL(string: $0) }
    }

    /// The absolute form of `reference`, or `nil` when it cannot be resolved or uses a scheme that is not
    /// allowed (`javascript:`, `vbscript:`, `data:` and the like).
    func resolve(_ reference: String, allowDataImages: Bool = false) -> String? {
        let trimmed = TextBytes.trim(reference)
        guard !trimmed.isEmpty else { return nil }
        // Most links are already absolute and clean: keep them as they are.
        if trimmed.hasPrefix("https://") || trimmed.hasPrefix("http://"),
            !trimmed.utf8.contains(where: {
                $0 <= 0x20 || $0 == 0x22 || $0 == 0x3C || $0 == 0x3E || $0 == 0x5C || $0 >= 0x7F
            })
        {
            return trimmed
        }
        let scheme = Self.scheme(of: trimmed)
        if let scheme {
            if scheme == "data" {
                return allowDataImages && trimmed.lowercased().hasPrefix("data:image/")
                    && !trimmed.lowercased().hasPrefix("data:image/svg") ? trimmed : nil
            }
            guard Self.allowedSchemes.contains(scheme) else { return nil }
        }
        if trimmed.hasPrefix("#") { return trimmed }
        let encoded =
            URL(string: trimmed) == nil
            ? trimmed.addingPercentEncoding(withAllowedCharacters: Self.urlCharacters) ?? trimmed : trimmed
        guard let url = URL(string: encoded, relativeTo: base) else { return nil }
        let absolute = url.absoluteString
        guard let resolvedScheme = Self.scheme(of: absolute), Self.allowedSchemes.contains(resolvedScheme) else {
            return scheme == nil && base == nil ? trimmed : nil
        }
        return absolute
    }

    static let allowedSchemes: Set<String> = ["http", "https", "mailto", "ftp", "file", "tel"]
    static let urlCharacters = CharacterSet.urlQueryAllowed.union(CharacterSet(charactersIn: "#%"))

    /// The scheme in lower case, ignoring the control and space characters browsers ignore (`java\tscript:`).
    static func scheme(of reference: String) -> String? {
        var scheme = ""
        for character in reference.unicodeScalars {
            if character == ":" { return scheme.isEmpty ? nil : scheme }
            if CharacterSet.whitespacesAndNewlines.contains(character)
                || CharacterSet.controlCharacters.contains(character)
            {
                continue
            }
            guard character.isASCII,
                CharacterSet.alphanumerics.contains(character) || "+-.".unicodeScalars.contains(character)
            else { return nil }
            scheme.unicodeScalars.append(character)
        }
        return nil
    }
}
