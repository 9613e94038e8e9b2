import Extract
import Fetch
import Markup

/// `feedpipe clean` on arbitrary bytes: charset detection, HTML parsing, extraction, sanitising and
/// Markdown rendering.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzClean(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: count))
    let html = Charset.decode(bytes, contentType: nil)
    guard let document = try? Document(html: html, url: "https://fuzz.example/page") else { return 0 }
    let article = Extractor().extract(document)
    _ = Extractor.render(article, as: .markdown)
    return 0
}
