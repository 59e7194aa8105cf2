import Foundation

/// How a person starts a conversation with someone whose presence on their platform is the app's
/// bot (a stand-in): the first words of a message to the bot name the recipient's email address —
/// `ada@example.com: hello`, `to ada@example.com hello`, `@ada@example.com hello`, or Slack's
/// `<mailto:ada@example.com|ada@example.com> hello`. Replies need no address: they answer the
/// persona they reply to (docs/relay.md).
public enum RelayAddressing {
    /// The address a message starts with and the text after it; nil when it starts with none.
    public static func leadingAddress(in text: String) -> (email: String, rest: String)? {
        var rest = Substring(text).drop(while: \.isWhitespace)
        let opening = rest.prefix(3).lowercased()  // not the whole message, which may be long
        if opening == "to " || opening == "to:" {
            rest = rest.dropFirst(3).drop(while: \.isWhitespace)
        }
        if rest.hasPrefix("@") { rest = rest.dropFirst() }
        let address: Substring
        if rest.hasPrefix("<mailto:"), let close = rest.firstIndex(of: ">") {
            let inside = rest[rest.index(rest.startIndex, offsetBy: 8)..<close]
            address = inside.split(separator: "|", maxSplits: 1).first ?? inside
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex { $0.isWhitespace || $0 == ":" || $0 == "," } ?? rest.endIndex
            address = rest[..<end]
            rest = rest[end...]
        }
        guard let email = EmailAddress.normalize(String(address)), isAddress(email) else { return nil }
        rest = rest.drop { $0 == ":" || $0 == "," }.drop(while: \.isWhitespace)
        return (email, String(rest))
    }

    private static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else {
            return false
        }
        return !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
    }
}
