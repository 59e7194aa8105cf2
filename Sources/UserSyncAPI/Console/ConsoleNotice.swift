import Hummingbird

/// What a page says after a change sent the browser back to it (`?notice=<code>`). Only these
/// fixed texts are shown, so a crafted link cannot make the console say anything else.
enum ConsoleNotice: String {
    case connected = "Connected. The credentials were verified and stored encrypted."
    case updated = "Saved."
    case verified = "Checked with the platform just now."
    case disconnected = "Disconnected. The credentials were erased; everything else is kept."
    case importQueued = "Import queued: it runs in the background, and this page follows it."
    case teamsSaved = "Team selection saved."
    case primarySet = "Primary platform saved."
    case syncStarted = "Sync started: the worker carries it out now."
    case retryQueued = "The sync will be tried again."
    case resetQueued = "Reset queued: the person's syncs are being broken."
    case repromptQueued = "A new consent link is being sent."
    case removeQueued = "Removal queued: the person's syncs are broken, then their data is deleted."
    case keyRevoked = "API key revoked. Sessions opened with it have ended."
    case memberUpdated = "Member's role changed."
    case memberRevoked = "Member revoked. Their sessions have ended."
    case invitationRevoked = "Invitation withdrawn: its link no longer works."
    case policyCreated = "Policy created: its first run follows as soon as the group's membership is read."
    case policyDeleted = "Policy deleted. The syncs it made stay."
    case runQueued = "Run queued: the group is read again and the plan applied."
    case runApproved = "Approved: the held removals are being carried out."
    case runRejected = "Rejected: the held syncs stay, and the policy lets go of them."

    static let codes: [String: ConsoleNotice] = [
        "connected": .connected, "updated": .updated, "verified": .verified, "disconnected": .disconnected,
        "import_queued": .importQueued, "teams_saved": .teamsSaved, "primary_set": .primarySet, "sync_started": .syncStarted,
        "retry_queued": .retryQueued, "reset_queued": .resetQueued, "reprompt_queued": .repromptQueued, "remove_queued": .removeQueued,
        "key_revoked": .keyRevoked, "member_updated": .memberUpdated, "member_revoked": .memberRevoked,
        "invitation_revoked": .invitationRevoked, "policy_created": .policyCreated, "policy_deleted": .policyDeleted,
        "run_queued": .runQueued, "run_approved": .runApproved, "run_rejected": .runRejected,
    ]

    static func text(_ request: Request) -> String? {
        request.uri.queryParameters.get("notice").flatMap { codes[String($0)]?.rawValue }
    }
}
