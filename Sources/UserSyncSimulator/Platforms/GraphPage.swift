import Foundation

struct GraphPage<Value: Encodable>: Encodable {
    var context: String
    var value: [Value]
    var nextLink: String?

    enum CodingKeys: String, CodingKey {
        case context = "@odata.context"
        case nextLink = "@odata.nextLink"
        case value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("https://graph.microsoft.com/v1.0/$metadata#\(context)", forKey: .context)
        try container.encodeIfPresent(nextLink, forKey: .nextLink)
        try container.encode(value, forKey: .value)
    }
}
