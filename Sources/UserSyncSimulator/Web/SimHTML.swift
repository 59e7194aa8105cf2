import HTTPTypes

/// The simulator's HTML: every page is a string built in Swift, so every value put into one goes
/// through `escape` first.
enum SimHTML {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A whole page; `body` is HTML already escaped by its builder.
    static func page(title: String, body: String, status: HTTPResponse.Status = .ok, style: String = "") -> SimReply {
        let head = "<meta charset=\"utf-8\"><title>\(escape(title))</title>" + (style.isEmpty ? "" : "<style>\(style)</style>")
        return SimHTTP.raw(
            "<!doctype html><html><head>\(head)</head><body><h1>\(escape(title))</h1>\(body)</body></html>",
            status: status, contentType: "text/html; charset=utf-8")
    }

    static func hidden(_ name: String, _ value: String?) -> String {
        value.map { "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape($0))\">" } ?? ""
    }
}
