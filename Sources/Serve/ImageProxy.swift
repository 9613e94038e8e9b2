import Feed
import Fetch
import Foundation
import Markup

/// `serve --image-proxy`: the images of the feeds served are loaded through this server, as Miniflux's media
/// proxy does — readers then reveal nothing to the sites the images come from, images that a site keeps from
/// other sites (hot-link blocks) load, and a page served over https shows no insecure content. Each image
/// address in a feed (the entry's picture and the `<img>` of its HTML) becomes `/image?url=…&sig=…`, signed
/// with the access key: the server fetches only addresses it signed itself, under the address policy, and
/// only images, up to `maxBytes`.
struct ImageProxy: Sendable {
    let key: AccessKey
    /// Fetches the images: link policy, no robots (a browser loading an image reads none), the size limit.
    let client: HTTPClient
    let privateAddresses: Bool
    static let maxBytes = 5 << 20
    /// Images fetched at once in all, and for one client.
    let slots = WorkSlots(limit: 4, perClient: 2)

    init(key: AccessKey, privateAddresses: Bool, publicForTesting: Set<String> = []) {
        self.key = key
        self.privateAddresses = privateAddresses
        var options = FetchOptions()
        options.maxBodyBytes = Self.maxBytes
        options.timeout = 20
        options.publicForTesting = publicForTesting
        client = HTTPClient(options: options)
    }

    /// The address of an image through the proxy, on the server at `origin`.
    func address(of image: String, origin: String) -> String {
        let encoded = image.addingPercentEncoding(withAllowedCharacters: Self.queryValueAllowed) ?? image
        return origin + "/image?url=" + encoded + "&sig=" + key.signature(path: "/image", url: image)
    }

    /// Characters a query value may hold as they are.
    static let queryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+#?"))

    /// Whether an image address is one the proxy takes over: a web address (a `data:` image stays).
    static func isProxied(_ address: String) -> Bool {
        let lowered = address.prefix(8).lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    // MARK: Feeds

    /// The feed with every image address through the proxy; `nil` when it is not a feed of that format.
    func rewrite(_ feed: [UInt8], as format: FeedFormat, origin: String) -> [UInt8]? {
        switch format {
        case .atom, .rss: rewriteXML(feed, origin: origin)
        case .json: rewriteJSON(feed, origin: origin)
        }
    }

    /// Atom and RSS: image links and enclosures, Media RSS pictures, the feed's logo, and the HTML bodies.
    private func rewriteXML(_ feed: [UInt8], origin: String) -> [UInt8]? {
        guard let document = try? Document(xml: feed), let root = document.root else { return nil }
        var elements: [Node] = []
        root.walk { node in
            if node.isElement { elements.append(node) }
            return .enter
        }
        for element in elements {
            let type = element.attribute("type")?.lowercased() ?? ""
            switch (element.namespace, element.localName) {
            case (Self.media, "thumbnail"):
                proxy(attribute: "url", of: element, origin: origin)
            case (Self.media, "content") where element.attribute("medium") == "image" || type.hasPrefix("image/"):
                proxy(attribute: "url", of: element, origin: origin)
            case (Self.atom, "content"), (Self.atom, "summary"):
                if type == "html" { element.setText(rewriteHTML(element.text, origin: origin)) }
            case (nil, "description"), (Self.contentModule, "encoded"):
                element.setText(rewriteHTML(element.text, origin: origin))
            case (Self.atom, "link") where element.attribute("rel") == "enclosure" && type.hasPrefix("image/"):
                proxy(attribute: "href", of: element, origin: origin)
            case (nil, "enclosure") where type.hasPrefix("image/"):
                proxy(attribute: "url", of: element, origin: origin)
            case (Self.atom, "logo"), (Self.atom, "icon"):
                let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
                if Self.isProxied(text) { element.setText(address(of: text, origin: origin)) }
            case (nil, "url") where element.parent?.localName == "image":
                let text = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
                if Self.isProxied(text) { element.setText(address(of: text, origin: origin)) }
            default:
                continue
            }
        }
        return document.xmlBytes
    }

    static let atom = "http://www.w3.org/2005/Atom"
    static let media = "http://search.yahoo.com/mrss/"
    static let contentModule = "http://purl.org/rss/1.0/modules/content/"

    private func proxy(attribute name: String, of element: Node, origin: String) {
        guard let value = element.attribute(name), Self.isProxied(value) else { return }
        element.setAttribute(name, address(of: value, origin: origin))
    }

    /// JSON Feed: the feed's icons, each item's `image` and `banner_image`, image attachments and
    /// `content_html`.
    private func rewriteJSON(_ feed: [UInt8], origin: String) -> [UInt8]? {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(feed))) as? [String: Any] else { return nil }
        func proxied(_ value: Any?) -> Any? {
            guard let text = value as? String, Self.isProxied(text) else { return value }
            return address(of: text, origin: origin)
        }
        object["icon"] = proxied(object["icon"])
        object["favicon"] = proxied(object["favicon"])
        if let items = object["items"] as? [[String: Any]] {
            object["items"] = items.map { original in
                var item = original
                item["image"] = proxied(item["image"])
                item["banner_image"] = proxied(item["banner_image"])
                if let html = item["content_html"] as? String {
                    item["content_html"] = rewriteHTML(html, origin: origin)
                }
                if let attachments = item["attachments"] as? [[String: Any]] {
                    item["attachments"] = attachments.map { attachment in
                        var attachment = attachment
                        if (attachment["mime_type"] as? String)?.lowercased().hasPrefix("image/") == true {
                            attachment["url"] = proxied(attachment["url"])
                        }
                        return attachment
                    }
                }
                return item
            }
        }
        let options: JSONSerialization.WritingOptions = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return (try? JSONSerialization.data(withJSONObject: object, options: options)).map(Array.init)
    }

    /// An entry's HTML with each picture through the proxy: `src` of images and `poster` of videos; other
    /// candidates (`srcset`, `<source>` of a `<picture>`) are dropped, as a reader would load them directly.
    func rewriteHTML(_ html: String, origin: String) -> String {
        guard html.contains("<"), let document = try? Document(html: "<html><body>" + html + "</body></html>"),
            let body = document.body
        else { return html }
        var dropped: [Node] = []
        body.walk { node in
            guard node.isElement else { return .enter }
            if node.is("img") {
                proxy(attribute: "src", of: node, origin: origin)
                node.removeAttribute("srcset")
            } else if node.is("video") {
                proxy(attribute: "poster", of: node, origin: origin)
            } else if node.is("source"), node.parent?.is("picture") == true {
                dropped.append(node)
            } else if node.hasAttribute("srcset") {
                node.removeAttribute("srcset")
            }
            return .enter
        }
        Node.remove(dropped)
        return body.innerHTML
    }

    // MARK: Images

    /// The answer to `/image?url=…`, whose signature was checked: the image, or why there is none.
    func image(at url: String, client address: String) async -> (status: Int, type: String, bytes: [UInt8]) {
        if let refusal = await slots.take(for: address) {
            return (refusal == .busy ? 503 : 429, "text/plain; charset=utf-8", Array("busy; ask again shortly\n".utf8))
        }
        var policy = privateAddresses ? Request.Policy() : Request.Policy.forLinks
        policy.obeysRobots = false
        policy.retries = 0
        let result = await client.fetch(Request(url: url, headers: ["Accept": "image/*"], policy: policy))
        await slots.release(for: address)
        switch result {
        case .success(let response):
            let type = response.contentType?.split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard let type, type.hasPrefix("image/") else {
                return (502, "text/plain; charset=utf-8", Array("\(url): not an image\n".utf8))
            }
            return (200, type, response.body)
        case .failure(let error):
            return (502, "text/plain; charset=utf-8", Array("\(error.description)\n".utf8))
        }
    }
}
