extension Duration {
    /// The duration in seconds, fractions included (for `Date` arithmetic and figures).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
