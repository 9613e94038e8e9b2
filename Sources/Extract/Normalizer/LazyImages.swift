import Foundation
import Markup

/// Gives images their real source when the page loads them lazily: `data-src` and friends, `srcset`
/// copies, and the `<noscript>` twin that sites add for readers without JavaScript.
enum LazyImages {
    static let sourceAttributes = [
        "data-src", "data-lazy-src", "data-original", "data-lazy", "data-url", "data-hi-res-src", "data-full-src",
        "data-echo", "data-img-src", "data-orig-file",
    ]
    static let srcsetAttributes = ["data-srcset", "data-lazy-srcset", "data-original-set"]

    /// Fixes every image below `root` and replaces `<noscript>` copies of images by their content.
    static func apply(below root: Node) {
        var images: [Node] = []
        var noscripts: [Node] = []
        for node in root.descendants where node.isElement {
            if node.is("img") { images.append(node) } else if node.is("noscript") { noscripts.append(node) }
        }
        for noscript in noscripts {
            let copies = noscript.descendants.filter { $0.is("img") }
            guard !copies.isEmpty else { continue }
            // The lazily loaded twin sits next to the <noscript>, often inside the same wrapper.
            for sibling in [noscript.previousElementSibling, noscript.nextElementSibling].compactMap({ $0 })
            where sibling.is("img") && images.contains(sibling) {
                images.removeAll { $0 == sibling }
                sibling.remove()
            }
            noscript.unwrap()
            images.append(contentsOf: copies)
        }
        for image in images { fix(image) }
    }

    static func fix(_ image: Node) {
        let current = image.attribute("src")
        if current == nil || isPlaceholder(current!) {
            if let real = sourceAttributes.lazy.compactMap({ image.attribute($0) }).first(where: { !isPlaceholder($0) })
            {
                image.setAttribute("src", real)
            } else if let set =
                (srcsetAttributes.lazy.compactMap { image.attribute($0) }.first
                    ?? image.attribute("srcset")), let first = firstURL(inSrcset: set)
            {
                image.setAttribute("src", first)
            }
        }
        if let set = srcsetAttributes.lazy.compactMap({ image.attribute($0) }).first {
            image.setAttribute("srcset", set)
        }
    }

    static let placeholderWords = [
        "blank.", "placeholder", "spacer.", "lazy.", "lazyload", "1x1", "pixel.gif", "transparent.", "grey.gif",
        "loading.gif",
    ].map { Array($0.utf8) }

    static func isPlaceholder(_ source: String) -> Bool {
        let value = TextBytes.lowercasedASCII(TextBytes.trim(source))
        if value.isEmpty || value.starts(with: "data:".utf8) || value == [0x23] || value.starts(with: "about:".utf8) {
            return true
        }
        return placeholderWords.contains { TextBytes.contains(value, $0) }
    }

    static func firstURL(inSrcset set: String) -> String? {
        set.split(separator: ",").first?.split(whereSeparator: \.isWhitespace).first.map(String.init)
    }
}
