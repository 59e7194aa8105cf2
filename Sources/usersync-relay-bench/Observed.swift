import Foundation
import UserSyncSimulator

/// The benchmark's messages as the simulator holds them: each as written, and each delivery of
/// it by the app's bot in the order the recipient's platform stored them.
struct Observed: Sendable {
    struct Sighting: Sendable {
        let id: String
        let at: Date
        /// Position among the recipient platform's messages: the order of arrival.
        let order: Int
    }

    private(set) var written: [Tag: Sighting] = [:]
    private(set) var delivered: [Tag: [Sighting]] = [:]

    init(slack: [SimChatMessage], teams: [SimChatMessage]) {
        for (onSlack, messages) in [(true, slack), (false, teams)] {
            for (order, message) in messages.enumerated() {
                guard let tag = Tag.parse(message.text) else { continue }
                let sighting = Sighting(id: message.id, at: message.at, order: order)
                if message.author == "bot" {
                    if tag.fromSlack != onSlack { delivered[tag, default: []].append(sighting) }
                } else if message.recipient == "bot", tag.fromSlack == onSlack, written[tag] == nil {
                    written[tag] = sighting
                }
            }
        }
    }
}
