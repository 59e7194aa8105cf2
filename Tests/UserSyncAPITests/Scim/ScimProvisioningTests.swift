import Foundation
import Testing

/// Entra's and Okta's provisioning, step by step, leave the same stored membership and active
/// flags behind: what Auto Sync plans from.
@Suite struct ScimProvisioningTests {
    @Test(arguments: ScimIdentityProvider.allCases)
    func aProvisioningCycleStoresTheSameEffects(_ provider: ScimIdentityProvider) async throws {
        try await withAPI { api in
            try await api.createOrganization("acme")
            let token = try await api.scimToken(name: "\(provider)").secret
            let ada = try await provider.provision(api, token: token, email: "Ada.Lovelace@acme.test", given: "Ada", family: "Lovelace")
            let grace = try await provider.provision(api, token: token, email: "grace@acme.test", given: "Grace", family: "Hopper")
            let alan = try await provider.provision(api, token: token, email: "alan@acme.test", given: "Alan", family: "Turing")
            #expect(try await api.storedUser(ada)?.email == "ada.lovelace@acme.test")
            // Looking the user up again (Entra does before every update) finds it.
            let found = try await api.scim(.get, "/Users?\(scimFilter(#"userName eq "ada.lovelace@ACME.test""#))", token: token)
            #expect(found.resourceIDs == [ada])

            let group = try await provider.createGroup(api, token: token, name: "Engineering")
            #expect(try await api.storedMembers(group).isEmpty)
            try await provider.addMembers(api, token: token, group: group, users: [ada, grace])
            try await provider.addMembers(api, token: token, group: group, users: [alan, ada])
            #expect(try await api.storedMembers(group) == [ada, grace, alan])

            try await provider.deactivate(api, token: token, user: ada)
            #expect(try await api.storedUser(ada)?.active == false)
            let soft = try await api.scim(.get, "/Users/\(ada)", token: token)
            #expect(try soft.status == .ok && soft.decode(ScimReply.User.self).active == false, "a deactivated user stays readable")
            #expect(try await api.storedMembers(group) == [ada, grace, alan], "deactivation keeps the membership")

            try await provider.removeMember(api, token: token, group: group, user: grace)
            try await provider.removeMember(api, token: token, group: group, user: grace)  // a retry changes nothing
            #expect(try await api.storedMembers(group) == [ada, alan])
            #expect(try await api.storedUser(grace)?.active == true)

            switch provider {
            case .entra:
                #expect(try await api.scim(.delete, "/Users/\(alan)", token: token).status == .noContent)
                #expect(try await api.storedUser(alan) == nil)
            case .okta:
                // Okta pushes a group's membership whole, and never deletes users.
                let put = try await api.scim(
                    .put, "/Groups/\(group)", token: token,
                    body:
                        #"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"\#(group)","displayName":"Engineering","members":[{"value":"\#(ada)"}]}"#
                )
                #expect(put.status == .ok, "\(put.text)")
                try await provider.deactivate(api, token: token, user: alan)
            }
            #expect(try await api.storedMembers(group) == [ada])
            #expect(try await api.storedUser(ada)?.active == false)
            #expect(try await api.storedUser(grace)?.active == true)
            let listed = try await api.scim(.get, "/Groups/\(group)", token: token)
            #expect(try listed.decode(ScimReply.Group.self).members?.map(\.value) == [ada])
        }
    }
}
