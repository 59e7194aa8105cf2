import Foundation
import UserSyncDomain
import UserSyncJobs

/// What the API shows of an organization.
public struct OrganizationRepresentation: Encodable, Sendable {
    let id: OrganizationID
    let slug: String
    let name: String
    let createdAt: Date
    let updatedAt: Date

    public init(_ organization: Organization) {
        self.id = organization.id
        self.slug = organization.slug.rawValue
        self.name = organization.name
        self.createdAt = organization.createdAt
        self.updatedAt = organization.updatedAt
    }
}

/// What the API shows of a key: never its secret, except `secret` once, at creation.
public struct APIKeyRepresentation: Encodable, Sendable {
    let id: APIKeyID
    let name: String
    let role: APIKeyRole
    let hint: String
    let createdBy: String
    let createdAt: Date
    let lastUsedAt: Date?
    let revokedAt: Date?
    let secret: String?

    public init(_ key: APIKey, secret: String? = nil) {
        self.id = key.id
        self.name = key.name
        self.role = key.role
        self.hint = key.hint
        self.createdBy = key.createdBy
        self.createdAt = key.createdAt
        self.lastUsedAt = key.lastUsedAt
        self.revokedAt = key.revokedAt
        self.secret = secret
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(hint, forKey: .hint)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(createdAt, forKey: .createdAt)
        // Absent values are explicit nulls, so clients see the whole shape.
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(revokedAt, forKey: .revokedAt)
        try container.encodeIfPresent(secret, forKey: .secret)
    }

    enum CodingKeys: String, CodingKey {
        case id, name, role, hint, createdBy, createdAt, lastUsedAt, revokedAt, secret
    }
}

/// The API's JSON: snake_case keys, ISO 8601 dates, sorted keys. The CLI's `--json` uses it too,
/// so both show the same shapes.
public enum APIJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// A page of a cursor-paginated list. `next_cursor` is null on the last page.
struct Page<Item> {
    let items: [Item]
    let nextCursor: String?
}

extension Page: JSONWritable where Item: JSONWritable {
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.member("items", items)
            json.member("next_cursor", nextCursor)
        }
    }
}

extension Page: Encodable where Item: Encodable {
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }
}

/// A job as the API and the CLI show it. The payload is shown as the JSON it is.
public struct JobRepresentation: Encodable, Sendable {
    let job: JobRecord

    public init(_ job: JobRecord) { self.job = job }

    enum CodingKeys: String, CodingKey {
        case id, organizationID = "organization_id", kind, payload, priority, state, attempts
        case maxAttempts = "max_attempts", runAt = "run_at", lastError = "last_error", dedupeKey = "dedupe_key"
        case leaseOwner = "lease_owner", leaseExpiresAt = "lease_expires_at"
        case createdAt = "created_at", startedAt = "started_at", finishedAt = "finished_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(String(job.id), forKey: .id)
        try c.encode(job.organizationID, forKey: .organizationID)
        try c.encode(job.kind, forKey: .kind)
        try c.encode(JSONValue(job.payload), forKey: .payload)
        try c.encode(job.priority, forKey: .priority)
        try c.encode(job.state.rawValue, forKey: .state)
        try c.encode(job.attempts, forKey: .attempts)
        try c.encode(job.maxAttempts, forKey: .maxAttempts)
        try c.encode(job.runAt, forKey: .runAt)
        try c.encode(job.lastError, forKey: .lastError)
        try c.encode(job.dedupeKey, forKey: .dedupeKey)
        try c.encode(job.leaseOwner, forKey: .leaseOwner)
        try c.encode(job.leaseExpiresAt, forKey: .leaseExpiresAt)
        try c.encode(job.createdAt, forKey: .createdAt)
        try c.encode(job.startedAt, forKey: .startedAt)
        try c.encode(job.finishedAt, forKey: .finishedAt)
    }
}

/// Any JSON value, to show stored JSON (a job's payload) as JSON rather than as a string.
enum JSONValue: Codable, Sendable {
    case null, bool(Bool), integer(Int64), number(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(_ text: String) {
        self = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .string(text)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
