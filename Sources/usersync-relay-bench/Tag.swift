import Foundation

/// What names one message of the benchmark, in its text: the conversation, the side that wrote
/// it and its number in the conversation (`bench c12 s4`: conversation 12, written on Slack,
/// message 4). It survives the relay's formatting, so a delivered message says which it is.
struct Tag: Hashable, Sendable {
    let conversation: Int
    let fromSlack: Bool
    let number: Int

    var text: String { "bench c\(conversation) \(fromSlack ? "s" : "t")\(number)" }

    /// The tag anywhere in `text` (a persona's name may come first).
    static func parse(_ text: String) -> Tag? {
        guard let start = text.range(of: "bench c") else { return nil }
        var rest = text[start.upperBound...]
        let conversation = rest.prefix { $0.isASCII && $0.isNumber }
        rest = rest.dropFirst(conversation.count)
        guard rest.first == " " else { return nil }
        rest = rest.dropFirst()
        guard let side = rest.first, side == "s" || side == "t" else { return nil }
        let number = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
        guard let c = Int(conversation), let n = Int(number) else { return nil }
        return Tag(conversation: c, fromSlack: side == "s", number: n)
    }
}
