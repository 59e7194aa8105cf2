import Foundation
import Testing
import UserSyncDomain

/// A PatchOp body with these operations (JSON text of the `Operations` array).
func patchBody(_ operations: String) -> Data {
    Data(#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": \#(operations)}"#.utf8)
}

@Suite struct ScimUserPatchTests {
    func changes(_ operations: String) throws -> [ScimUserChange] {
        try ScimPatchRequest.decode(patchBody(operations)).userChanges()
    }

    func refusal(_ operations: String) -> String? {
        scimError { try ScimPatchRequest.decode(patchBody(operations)).userChanges() }.map { "\($0.status) \($0.scimType!.rawValue): \($0.detail)" }
    }

    @Test func entraDisablesWithTheStringFalse() throws {
        #expect(try changes(#"[{"op": "Replace", "path": "active", "value": "False"}]"#) == [.active(false)])
        #expect(try changes(#"[{"op": "replace", "path": "active", "value": false}]"#) == [.active(false)])
        #expect(try changes(#"[{"op": "Replace", "path": "active", "value": "True"}]"#) == [.active(true)])
    }

    @Test func oktaDeactivatesWithAPathlessValueObject() throws {
        #expect(try changes(#"[{"op": "replace", "value": {"active": false}}]"#) == [.active(false)])
    }

    @Test func entrasMultiAttributeUpdateKeepsWhatIsStored() throws {
        let operations = #"""
            [{"op": "Replace", "path": "displayName", "value": "Pvlo"},
             {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "TestBcwqnm@test.microsoft.com"},
             {"op": "Replace", "path": "name.givenName", "value": "Gtfd"},
             {"op": "Replace", "path": "name.familyName", "value": "Pkqf"},
             {"op": "Replace", "path": "externalId", "value": "Eqpj"},
             {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "Eqpj"}]
            """#
        #expect(
            try changes(operations) == [
                .displayName("Pvlo"), .email("TestBcwqnm@test.microsoft.com"), .givenName("Gtfd"), .familyName("Pkqf"), .externalId("Eqpj"),
            ])
    }

    @Test func entraWithTheComplianceFlagSendsDottedKeysWithoutAPath() throws {
        let operations = #"""
            [{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
             {"op": "replace", "value": {"displayName": "Bjfe", "name.givenName": "Kkom", "name.familyName": "Unua",
                                         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"}}]
            """#
        #expect(try changes(operations) == [.email("TestMhvaes@test.microsoft.com"), .displayName("Bjfe"), .familyName("Unua"), .givenName("Kkom")])
    }

    @Test func opsAndPathsMatchInAnyCase() throws {
        let operations = #"""
            [{"op": "Add", "path": "UserName", "value": "ada@example.com"},
             {"op": "REPLACE", "path": "Emails[Type eq \"Work\"].Value", "value": "ada@example.com"},
             {"op": "Remove", "path": "urn:ietf:params:scim:schemas:core:2.0:User:externalId"}]
            """#
        #expect(try changes(operations) == [.userName("ada@example.com"), .email("ada@example.com"), .externalId(nil)])
    }

    @Test func attributesEntraMapsButWeDoNotKeepAreIgnored() throws {
        let operations = #"""
            [{"op": "Add", "path": "nickName", "value": "Babs"},
             {"op": "Replace", "path": "title", "value": "CEO"},
             {"op": "Replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "555"},
             {"op": "Replace", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St"},
             {"op": "Add", "path": "emails[type eq \"other\"].value", "value": "alias@example.com"},
             {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": {"value": "m1"}},
             {"op": "Replace", "path": "name.middleName", "value": "J"},
             {"op": "replace", "value": {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D"}, "preferredLanguage": "en"}}]
            """#
        #expect(try changes(operations) == [])
    }

    @Test func oktasFullValueObjectSetsNameAndEmails() throws {
        let operations = #"""
            [{"op": "replace", "value": {"id": "usr_1", "userName": "ada@example.com", "name": {"givenName": "Ada", "familyName": "Lovelace"},
                                        "emails": [{"value": "old@example.com", "type": "home"}, {"value": "ada@example.com", "type": "work", "primary": true}],
                                        "groups": [], "active": true}}]
            """#
        #expect(
            try changes(operations) == [
                .active(true), .email("ada@example.com"), .givenName("Ada"), .familyName("Lovelace"), .userName("ada@example.com"),
            ])
    }

    @Test func nullAndEmptyClearOptionalAttributes() throws {
        let operations = #"""
            [{"op": "replace", "path": "displayName", "value": null},
             {"op": "replace", "path": "externalId", "value": ""},
             {"op": "remove", "path": "name"},
             {"op": "remove", "path": "emails"},
             {"op": "replace", "path": "emails", "value": []},
             {"op": "add", "path": "emails", "value": []}]
            """#
        #expect(
            try changes(operations) == [
                .displayName(nil), .externalId(nil), .givenName(nil), .familyName(nil), .formattedName(nil), .email(nil), .email(nil),
            ])
    }

    @Test func changesApplyInOrderToTheStoredUser() throws {
        let stored = ScimUserInput(
            userName: "ada@example.com", externalId: "ada", active: true, name: .init(givenName: "Ada"), email: "ada@example.com")
        let patch = try changes(
            #"""
            [{"op": "Replace", "path": "active", "value": "False"},
             {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "countess@example.com"},
             {"op": "Add", "path": "name", "value": {"familyName": "Lovelace"}}]
            """#)
        #expect(
            stored.applying(patch)
                == ScimUserInput(
                    userName: "ada@example.com", externalId: "ada", active: false, name: .init(givenName: "Ada", familyName: "Lovelace"),
                    email: "countess@example.com"))
    }

    @Test func badOperationsAreRefusedWithTheRightScimType() {
        #expect(
            refusal(#"[{"op": "replace", "path": "usrName", "value": "a"}]"#)
                == "400 invalidPath: Operations[0] (replace usrName): 'usrName' is not an attribute of the SCIM User schema.")
        #expect(
            refusal(#"[{"op": "replace", "path": "emails[type eq \"work\"", "value": "a"}]"#)
                == "400 invalidPath: Operations[0].path: Invalid path: expected ']' or 'and'/'or', found the end.")
        #expect(refusal(#"[{"op": "replace", "path": "emails[value co \"@x\"].value", "value": "a"}]"#)?.hasPrefix("400 invalidPath:") == true)
        #expect(refusal(#"[{"op": "replace", "path": "id", "value": "x"}]"#) == "400 mutability: Operations[0] (replace id): 'id' is read-only.")
        #expect(
            refusal(#"[{"op": "remove", "path": "userName"}]"#)
                == "400 mutability: Operations[0] (remove userName): userName is required and cannot be removed.")
        #expect(refusal(#"[{"op": "remove", "path": "active"}]"#)?.hasPrefix("400 mutability:") == true)
        #expect(refusal(#"[{"op": "remove"}]"#) == #"400 noTarget: Operations[0] (remove): a remove needs a "path"."#)
        #expect(
            refusal(#"[{"op": "replace", "path": "active", "value": "maybe"}]"#)
                == #"400 invalidValue: Operations[0] (replace active) value must be true or false, got "maybe"."#)
        #expect(
            refusal(#"[{"op": "replace", "value": {"active": "nope"}}]"#)
                == #"400 invalidValue: Operations[0] (replace active) value must be true or false, got "nope"."#)
        #expect(
            refusal(#"[{"op": "replace", "path": "userName", "value": 42}]"#)
                == "400 invalidValue: Operations[0] (replace userName) value must be a non-empty string, got a number.")
        #expect(refusal(#"[{"op": "replace", "path": "userName"}]"#) == #"400 invalidValue: Operations[0] (replace userName) needs a "value"."#)
        #expect(
            refusal(#"[{"op": "replace", "value": false}]"#)
                == #"400 invalidValue: Operations[0] (replace): without a "path", the value must be an object of attributes, got a boolean."#)
    }

    @Test func aBadOperationRefusesTheWholeRequest() {
        let error = scimError {
            try ScimPatchRequest.decode(
                patchBody(#"[{"op": "replace", "path": "active", "value": false}, {"op": "replace", "path": "bogus", "value": 1}]"#)
            ).userChanges()
        }
        #expect(error?.scimType == .invalidPath && error?.detail.hasPrefix("Operations[1]") == true)
    }

    @Test func theEnvelopeIsChecked() {
        func envelope(_ body: String) -> String? {
            scimError { try ScimPatchRequest.decode(Data(body.utf8)) }.map { "\($0.scimType!.rawValue): \($0.detail)" }
        }
        #expect(
            envelope(#"{"Operations": [{"op": "replace", "path": "active", "value": false}]}"#)
                == #"invalidSyntax: A PATCH body's "schemas" must contain "urn:ietf:params:scim:api:messages:2.0:PatchOp"."#)
        #expect(
            envelope(#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": []}"#)
                == #"invalidSyntax: A PATCH body needs "Operations": an array of one or more {op, path, value}."#)
        #expect(
            envelope(#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "delete", "path": "active"}]}"#)
                == #"invalidSyntax: Operations[0].op must be "add", "remove" or "replace" (got "delete")."#)
        #expect(
            envelope(#"{"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ["replace"]}"#)
                == "invalidSyntax: Operations[0] must be an object {op, path, value}, got a string.")
        #expect(envelope("not json") == "invalidSyntax: The request body is not valid JSON.")
    }
}
