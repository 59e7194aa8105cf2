extension RelaySender {
    /// The first line or card head of a persona's message on a platform whose bot cannot take
    /// another name (Teams, Zoom, Webex): "Ada Lovelace (via Slack)". It is written by the
    /// connector around the text, so nothing in the text can replace it.
    var personaHead: String? {
        guard case .persona(let name, _, let label) = self else { return nil }
        return "\(name) (\(label))"
    }
}
