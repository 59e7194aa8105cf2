import Logging

/// swift-log's `StreamLogHandler` lines, with a logger's metadata kept as a dictionary and
/// formatted once per line written. `StreamLogHandler` formats all of its metadata again each
/// time a key is set; a request sets five (its id, organization, key) and usually writes one
/// line; those formattings were about 7% of `serve`'s time in a profile of person reads.
struct LineLogHandler: LogHandler {
    private var lines: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    /// `lines` writes; its own metadata stays empty.
    init(writingWith lines: StreamLogHandler) {
        self.lines = lines
    }

    var logLevel: Logger.Level {
        get { lines.logLevel }
        set { lines.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { lines.metadataProvider }
        set { lines.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        lines.log(event: event)
    }
}
