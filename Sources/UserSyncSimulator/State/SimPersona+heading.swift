import Foundation

extension SimPersona {
    /// The persona a bot message names in its first line as `Name (via Platform)`: docs/relay.md
    /// has Webex, Zoom and Teams bot messages carry the sender's name and label as the first line
    /// or card head. Markup around it (`**…**`, `<b>…</b>`) is ignored. Nil for any other first line.
    static func heading(_ text: String) -> SimPersona? {
        var plain = text
        for separator in ["<br>", "<br/>", "<br />", "</p>", "</div>"] {
            plain = plain.replacingOccurrences(of: separator, with: "\n", options: .caseInsensitive)
        }
        plain = plain.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        plain = plain.filter { !"*~`".contains($0) }
        guard let line = plain.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).first(where: { !$0.isEmpty }) else {
            return nil
        }
        return split(line)
    }

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
