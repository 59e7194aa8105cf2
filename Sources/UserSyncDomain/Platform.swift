/// The chat platforms a connection can be of. The list will grow; stored as text.
public enum Platform: String, Sendable, Codable, CaseIterable {
    case slack, teams, zoom, webex
}

/// A connection's health, as the Connect Center shows it.
public enum ConnectionHealth: String, Sendable, Codable, CaseIterable {
    case connected
    case needsAttention = "needs_attention"
    case disconnected
}

/// What the admin sees per sync.
public enum SyncStatus: String, Sendable, Codable, CaseIterable {
    case notCreated = "not_created"
    case pending, synced, failed
}
