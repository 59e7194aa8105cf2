import Hummingbird

extension SlackSimulator {
    /// `users.info?user=U…` with the bot token: one user in the `users.list` shape, admin and
    /// owner flags included; deactivated users are found (`deleted: true`), removed ones are not.
    func usersInfo(_ request: Request, _ fields: [String: String]) throws -> SimReply {
        let token = try token(request, fields)
        guard let id = fields["user"], let account = try organization(token).directory(.slack).account(id) else {
            throw SimError.notFound(code: "user_not_found", message: "")
        }
        return SimHTTP.json(SlackUserInfo(ok: true, user: Self.wire(account)))
    }
}

struct SlackUserInfo: Encodable {
    var ok: Bool
    var user: SlackWireUser
}
