import Foundation

extension SimPersona {
    /// The persona a bot message names in its first line as `Name (via Platform)`: docs/relay.md
    /// has Webex, Zoom and Teams bot messages carry the sender's name and label as the first line
    /// or card head. Markup around it (`**…**`, `<b>…</b>`) is ignored. Nil for any other first line.
    /// It reads the text once, up to that line, without Foundation's regular expressions (the
    /// relay benchmark's simulator spent more on them than on the rest of a post).
    static func heading(_ text: String) -> SimPersona? {
        var line = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            var lineEnds = character == "\n"
            if character == "<", let close = text[index...].firstIndex(of: ">") {
                lineEnds = lineBreakTags.contains(text[text.index(after: index)..<close].lowercased())
                index = text.index(after: close)
            } else {
                index = text.index(after: index)
                if !lineEnds && !"*~`".contains(character) { line.append(character) }
            }
            if lineEnds {
                if line.contains(where: { !$0.isWhitespace || $0.isNewline }) { break }
                line = ""
            }
        }
        let first = line.trimmingCharacters(in: .whitespaces)
        return first.isEmpty ? nil : split(first)
    }

    /// Tags that end a line, as `<br>` and the end of a paragraph or a block do.
    private static let lineBreakTags: Set<String> = ["br", "br/", "br /", "/p", "/div"]

    /// Slack's `username` (and `icon_url`) on a bot post: the name, with its label when the name
    /// ends in `(via Platform)`.
    static func slack(username: String?, iconURL: String?) -> SimPersona? {
        guard let username = username?.trimmingCharacters(in: .whitespaces), !username.isEmpty else { return nil }
        var persona = split(username) ?? SimPersona(name: username)
        persona.avatarURL = iconURL.flatMap { $0.isEmpty ? nil : $0 }
        return persona
    }

    /// `Name (via Platform)` → name and label `via Platform`.
    private static func split(_ line: String) -> SimPersona? {
        var line = line
        if line.hasSuffix(":") { line.removeLast() }
        guard line.hasSuffix(")"), let open = line.range(of: "(via ", options: .backwards) else { return nil }
        let name = line[..<open.lowerBound].trimmingCharacters(in: .whitespaces)
        let label = line[line.index(after: open.lowerBound)..<line.index(before: line.endIndex)].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !label.contains("(") else { return nil }
        return SimPersona(name: name, label: label)
    }
}
