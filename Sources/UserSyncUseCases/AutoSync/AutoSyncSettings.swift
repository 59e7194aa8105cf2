/// How the worker follows directory groups.
public struct AutoSyncSettings: Sendable {
    /// How often the Entra groups read through a Teams connection are polled with Graph delta
    /// queries; each poll's next time is jittered by ±10% so connections spread out.
    public var pollInterval: Duration = .seconds(300)
    /// How often the scheduler looks for due polls and for run requests a running job missed.
    public var sweepInterval: Duration = .seconds(15)

    public init() {}
}
