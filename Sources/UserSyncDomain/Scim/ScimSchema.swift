/// The schema and message URNs of RFC 7643/7644 this endpoint reads or writes.
public enum ScimSchema {
    public static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let group = "urn:ietf:params:scim:schemas:core:2.0:Group"
    public static let enterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    public static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    public static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    public static let error = "urn:ietf:params:scim:api:messages:2.0:Error"

    /// Whether two URNs name the same schema. Compared without case, like SCIM attribute names
    /// (RFC 7643 §2.1): clients are not consistent about capitals and no two schemas differ by case.
    static func same(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased()
    }
}
