import Foundation
import Testing
import UserSyncDomain

@Suite struct ScimResourceTests {
    /// Entra's "Create User" request from Microsoft's "Develop a SCIM endpoint" tutorial.
    static let entraCreateUser = #"""
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
            "active": true,
            "emails": [{"primary": true, "type": "work", "value": "Test_User_11bb11bb@testuser.com"}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
            "roles": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}}
        }
        """#

    /// Okta's create (and AIW PUT) body: it also sends `password`, `groups`, `locale` and an `id`.
    static let oktaUser = #"""
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "usr_123",
            "userName": "test.user@okta.local",
            "name": {"givenName": "Test", "familyName": "User"},
            "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
            "displayName": "Test User",
            "locale": "en-US",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],
            "password": "1mz050nq",
            "active": true
        }
        """#

    @Test func entrasCreateBodyKeepsWhatIsStoredAndIgnoresTheRest() throws {
        let user = try ScimUserInput.decode(Data(Self.entraCreateUser.utf8))
        #expect(
            user
                == ScimUserInput(
                    userName: "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee", externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", active: true,
                    name: .init(givenName: "givenName", familyName: "familyName", formatted: "givenName familyName"),
                    email: "Test_User_11bb11bb@testuser.com"))
        #expect(user.preferredDisplayName == "givenName familyName")
    }

    @Test func oktasBodyWithPasswordAndGroupsIsAccepted() throws {
        let user = try ScimUserInput.decode(Data(Self.oktaUser.utf8))
        #expect(
            user
                == ScimUserInput(
                    userName: "test.user@okta.local", externalId: "00ujl29u0le5T6Aj10h7", active: true, displayName: "Test User",
                    name: .init(givenName: "Test", familyName: "User"), email: "test.user@okta.local"))
    }

    @Test func aPutWithActiveFalseDeactivatesAndOneWithoutLeavesItUnsaid() throws {
        let deactivated = try ScimUserInput.decode(Data(Self.oktaUser.replacingOccurrences(of: #""active": true"#, with: #""active": false"#).utf8))
        #expect(deactivated.active == false)
        let silent = try ScimUserInput.decode(Data(#"{"userName": "a@b.c"}"#.utf8))
        #expect(silent.active == nil && silent.email == nil && silent.preferredDisplayName == nil)
    }

    @Test(arguments: [("\"False\"", false), ("\"TRUE\"", true), ("\"true\"", true), ("false", false)])
    func activeTakesEntrasStringBooleans(_ raw: String, _ active: Bool) throws {
        #expect(try ScimUserInput.decode(Data(#"{"userName": "a@b.c", "active": \#(raw)}"#.utf8)).active == active)
    }

    @Test func attributeNamesAreCaseInsensitive() throws {
        let user = try ScimUserInput.decode(Data(#"{"USERNAME": "a@b.c", "Name": {"GivenName": "Ada"}, "EMAILS": [{"Value": "a@b.c"}]}"#.utf8))
        #expect(user == ScimUserInput(userName: "a@b.c", name: .init(givenName: "Ada"), email: "a@b.c"))
    }

    @Test func thePrimaryEmailWinsThenTheWorkOneThenTheFirst() throws {
        func email(_ emails: String) throws -> String? {
            try ScimUserInput.decode(Data(#"{"userName": "u", "emails": \#(emails)}"#.utf8)).email
        }
        #expect(
            try email(
                #"[{"value": "home@x", "type": "home"}, {"value": "work@x", "type": "work"}, {"value": "p@x", "type": "other", "primary": "True"}]"#)
                == "p@x")
        #expect(try email(#"[{"value": "home@x", "type": "home"}, {"value": "work@x", "type": "Work"}]"#) == "work@x")
        #expect(try email(#"[{"value": "", "type": "work"}, {"value": "first@x"}, {"value": "second@x"}]"#) == "first@x")
        #expect(try email("[]") == nil)
    }

    @Test func badUsersAreRefusedWithTheFieldNamed() {
        func error(_ body: String) -> String? {
            scimError { try ScimUserInput.decode(Data(body.utf8)) }.map { "\($0.scimType!.rawValue): \($0.detail)" }
        }
        #expect(error("{") == "invalidSyntax: The request body is not valid JSON.")
        #expect(error("[]") == "invalidSyntax: A User must be a JSON object, got an array.")
        #expect(error(#"{"displayName": "Ada"}"#) == "invalidValue: userName is required.")
        #expect(error(#"{"userName": "  "}"#) == "invalidValue: userName must not be empty.")
        #expect(error(#"{"userName": 42}"#) == "invalidValue: userName must be a non-empty string, got a number.")
        #expect(error(#"{"userName": "a", "active": "maybe"}"#) == #"invalidValue: active must be true or false, got "maybe"."#)
        #expect(error(#"{"userName": "a", "active": 1}"#) == "invalidValue: active must be true or false, got a number.")
        #expect(
            error(#"{"userName": "a", "emails": [{"value": "a@b.c", "primary": 1}]}"#)
                == "invalidValue: emails[0].primary must be true or false, got a number.")
        #expect(error(#"{"userName": "a", "emails": "a@b.c"}"#) == "invalidValue: emails must be an array of {value, type, primary}, got a string.")
        #expect(error(#"{"userName": "a", "emails": [{"value": 1}]}"#) == "invalidValue: emails[0].value must be a string, got a number.")
        #expect(
            error(#"{"userName": "a", "name": "Ada"}"#) == "invalidValue: name must be an object {givenName, familyName, formatted}, got a string.")
    }

    @Test func entrasGroupIsCreatedWithoutMembers() throws {
        let body = #"""
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
             "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName", "meta": {"resourceType": "Group"}}
            """#
        #expect(
            try ScimGroupInput.decode(Data(body.utf8))
                == ScimGroupInput(displayName: "displayName", externalId: "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"))
    }

    @Test func oktasGroupPushCarriesMembersOnceEach() throws {
        let body = #"""
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Test SCIMv2",
             "members": [{"value": "u1", "display": "Ada"}, {"value": "u2", "$ref": null}, {"value": "u1", "display": "again"}]}
            """#
        #expect(try ScimGroupInput.decode(Data(body.utf8)).members == [.init(value: "u1", display: "Ada"), .init(value: "u2")])
    }

    @Test func badGroupsAreRefusedWithTheFieldNamed() {
        func error(_ body: String) -> String? {
            scimError { try ScimGroupInput.decode(Data(body.utf8)) }.map { "\($0.scimType!.rawValue): \($0.detail)" }
        }
        #expect(error(#"{"externalId": "x"}"#) == "invalidValue: displayName is required.")
        #expect(
            error(#"{"displayName": "G", "members": ["u1"]}"#) == #"invalidValue: members[0] must be an object {"value": "<user id>"}, got a string."#
        )
        #expect(error(#"{"displayName": "G", "members": [{"display": "Ada"}]}"#) == "invalidValue: members[0].value is required.")
    }
}
