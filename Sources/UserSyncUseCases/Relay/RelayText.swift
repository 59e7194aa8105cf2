import Foundation
import Logging
import UserSyncConnectors
import UserSyncDomain
import UserSyncPersistence

/// A message's text as the destination platform shows it: the source markup converted
/// (``RichText``), mentions of people turned into the destination's mentions of the same people
/// (or their names where they have no account there), and files as links (or a note that
/// they were withheld, where the organization's policy keeps files on their platform).
enum RelayText {
    static func render(
        _ event: InboundEvent, from source: PlatformConnection, to destination: PlatformConnection, allowingFiles: Bool,
        messages: RelayMessageRepository,
        database: Database, organization: OrganizationID, logger: Logger
    ) async throws -> String {
        let parsed = RichText(parsing: event.text ?? "", as: source.platform.markup)
        let mentioned = parsed.mentionedUserIDs
        let people =
            mentioned.isEmpty
            ? [:]
            : try await database.withTenant(organization, logger: logger) { db in
                try await messages.mentions(
                    organization, source: source.id, platformUserIDs: mentioned, destination: destination.id, on: db, logger: logger)
            }
        var rendered = parsed.rendered(as: destination.platform.markup) { mention in
            guard let person = people[mention.userID] else { return nil }
            // Someone with no account there is shown by name.
            return RichText.Mention(userID: person.destinationUserID ?? "", name: person.name)
        }
        if !allowingFiles, !event.files.isEmpty {
            let note = RichText(text: RelayPolicy.withheldFilesNote(count: event.files.count)).rendered(as: destination.platform.markup)
            return rendered + (rendered.isEmpty ? "" : "\n") + note
        }
        for file in event.files {
            let size = file.size.map { " (\(ByteCountFormatter.string(fromByteCount: Int64($0), countStyle: .file)))" } ?? ""
            let link = RichText([.link(url: file.url, label: file.name)]).rendered(as: destination.platform.markup)
            rendered += (rendered.isEmpty ? "" : "\n") + "📎 \(link)\(size)"
        }
        return rendered
    }
}
