import Foundation

/// An organization's rules for the relay: whether files cross platforms (as links), separately
/// for messages a stand-in carries, as admins of such products expect. Who may not message across
/// platforms at all is a list of people beside it.
public struct RelayPolicy: Sendable, Equatable {
    public var filesAllowed: Bool
    public var standInFilesAllowed: Bool

    public init(filesAllowed: Bool = true, standInFilesAllowed: Bool = true) {
        self.filesAllowed = filesAllowed
        self.standInFilesAllowed = standInFilesAllowed
    }

    /// Whether a message posted as `sendAs` (`MessageRouting`'s sender kinds) may carry files.
    public func allowsFiles(throughStandIn: Bool) -> Bool {
        filesAllowed && (!throughStandIn || standInFilesAllowed)
    }

    /// What replaces the files a message may not carry, so the recipient knows something was left out.
    public static func withheldFilesNote(count: Int) -> String {
        count == 1
            ? "(1 file was not relayed: your organization does not share files across platforms.)"
            : "(\(count) files were not relayed: your organization does not share files across platforms.)"
    }
}
