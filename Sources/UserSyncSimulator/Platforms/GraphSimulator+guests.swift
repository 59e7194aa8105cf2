import Foundation
import Hummingbird

extension GraphSimulator {
    // MARK: Guests

    func invite(_ request: Request, _ token: SimToken) async throws -> SimReply {
        guard let body = await SimHTTP.jsonBody(request), let email = body["invitedUserEmailAddress"] as? String,
            email.contains("@"), let redirect = body["inviteRedirectUrl"] as? String
        else {
            throw SimError.badRequest(code: "BadRequest", message: "invitedUserEmailAddress and inviteRedirectUrl are required.")
        }
        let displayName = body["invitedUserDisplayName"] as? String ?? email
        let userID = UUID().uuidString.lowercased()
        let invitationID = UUID().uuidString.lowercased()
        let created =
            state.withOrganization(token.organization) { organization -> Bool in
                if organization.directories[.teams]?.find(login: email) != nil { return false }
                var guest = SimAccount(id: userID, emails: [email], firstName: "", lastName: "", displayName: displayName)
                guest.guest = true
                organization.directories[.teams]?.append(guest)
                return true
            } ?? false
        guard created else {
            throw SimError.badRequest(code: "BadRequest", message: "The invited user already exists in the directory as a member.")
        }
        state.store.withLock {
            $0.invitations.append(
                SimInvitation(
                    organization: token.organization, id: invitationID, email: email, displayName: displayName, userID: userID,
                    redirectURL: redirect, deleted: false))
        }
        return SimHTTP.json(
            [
                "id": .string(invitationID), "inviteRedeemUrl": .string("\(http.baseURL(request))/login/redeem?id=\(invitationID)"),
                "invitedUserDisplayName": .string(displayName), "invitedUserEmailAddress": .string(email), "inviteRedirectUrl": .string(redirect),
                "sendInvitationMessage": .bool(body["sendInvitationMessage"] as? Bool ?? false), "status": "PendingAcceptance",
                "invitedUser": .object(["id": .string(userID)]),
            ] as [String: AnyCodable], status: .created)
    }
}
