import Markup

nonisolated(unsafe) let page = try! Document(
    html: """
        <html><body><div id="a" class="x y"><p lang="en">One <a href="/1">link</a></p><ul><li>1</li><li>2</li></ul>
        </div><span title="t'q&quot;">s</span></body></html>
        """, url: "https://fuzz.example/")

// libFuzzer calls the target from one thread, so the shared page is never used concurrently.
/// The CSS selector parser (and XPath compilation) on arbitrary text; whatever compiles is evaluated.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSelector(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    for selector in [try? Selector(text), try? Selector(cssOrXPath: text)].compactMap({ $0 }) {
        _ = page.root?.select(selector)
    }
    return 0
}
