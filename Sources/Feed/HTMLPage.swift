/// The start of every HTML page feedpipe writes: the document type, UTF-8, a viewport for phones, the
/// escaped title, `<link>` lines (`alternate` addresses) and the page's style, up to the open `<body>`.
package enum HTMLPage {
    package static func head(title: String, links: [(rel: String, type: String, href: String)] = [], style: String)
        -> String
    {
        let escape = XMLBuilder.escape
        var head = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>

            """
        for link in links {
            head += "<link rel=\"\(link.rel)\" type=\"\(link.type)\" href=\"\(escape(link.href))\">\n"
        }
        return head + "<style>\(style)</style>\n</head>\n<body>\n"
    }
}
