import Foundation

/// A PATCH body (RFC 7644 §3.5.2) with its envelope checked and each operation's `op` and
/// `path` parsed, before it is turned into typed changes with ``userChanges()`` or
/// ``groupChanges()``.
public struct ScimPatchRequest: Sendable, Equatable {
    public let operations: [Operation]

    public init(operations: [Operation]) {
        self.operations = operations
    }

    public struct Operation: Sendable, Equatable {
        public let op: Op
        /// Nil when the operation has no `path`: the value is then an object of attributes.
        public let path: ScimAttributePath?
        /// Nil when the operation has no `value` member; `.null` when it is JSON null.
        public let value: ScimJSON?
        /// Position in `Operations`, for error details.
        public let index: Int

        public init(op: Op, path: ScimAttributePath? = nil, value: ScimJSON? = nil, index: Int = 0) {
            self.op = op
            self.path = path
            self.value = value
            self.index = index
        }

        /// Matched without case: Entra sends `Add`, `Replace`, `Remove`.
        public enum Op: String, Sendable, CaseIterable {
            case add, remove, replace
        }

        /// `Operations[2] (replace active)`: how error details name the operation.
        var label: String {
            "Operations[\(index)] (\(op.rawValue)\(path.map { " \($0)" } ?? ""))"
        }
    }

    /// Reads a PATCH body. Not JSON, no PatchOp URN in `schemas`, no non-empty `Operations`
    /// array, an operation that is not an object or whose `op` is not add/remove/replace:
    /// 400 `invalidSyntax`. A `path` that does not parse: 400 `invalidPath`.
    public static func decode(_ body: Data) throws(ScimError) -> ScimPatchRequest {
        let json = try ScimJSON.parse(body)
        guard case .object = json else { throw .invalidSyntax("A PATCH body must be a JSON object, got \(json.kind).") }
        guard case .array(let schemas)? = json[attribute: "schemas"],
            schemas.contains(where: { if case .string(let urn) = $0 { ScimSchema.same(urn, ScimSchema.patchOp) } else { false } })
        else { throw .invalidSyntax("A PATCH body's \"schemas\" must contain \"\(ScimSchema.patchOp)\".") }
        guard case .array(let entries)? = json[attribute: "Operations"], !entries.isEmpty else {
            throw .invalidSyntax("A PATCH body needs \"Operations\": an array of one or more {op, path, value}.")
        }
        var operations: [Operation] = []
        for (index, entry) in entries.enumerated() {
            operations.append(try Operation(json: entry, index: index))
        }
        return ScimPatchRequest(operations: operations)
    }
}

extension ScimPatchRequest.Operation {
    init(json: ScimJSON, index: Int) throws(ScimError) {
        let at = "Operations[\(index)]"
        guard case .object = json else { throw .invalidSyntax("\(at) must be an object {op, path, value}, got \(json.kind).") }
        guard case .string(let name)? = json[attribute: "op"], let op = Op(rawValue: name.lowercased()) else {
            let found = json[attribute: "op"].map { " (got \($0.describedValue))" } ?? ""
            throw .invalidSyntax("\(at).op must be \"add\", \"remove\" or \"replace\"\(found).")
        }
        var path: ScimAttributePath?
        switch json[attribute: "path"] {
        case nil, .null?: path = nil
        case .string(let text)? where text.trimmingCharacters(in: .whitespaces).isEmpty: path = nil
        case .string(let text)?:
            do { path = try ScimAttributePath.parse(text) } catch { throw .invalidPath("\(at).path: \(error.detail)") }
        case let other?: throw .invalidPath("\(at).path must be a string, got \(other.kind).")
        }
        self.init(op: op, path: path, value: json[attribute: "value"], index: index)
    }
}
